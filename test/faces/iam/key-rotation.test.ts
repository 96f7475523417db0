import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { makeTestApp, type TestApp } from '../../harness.js';

const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;

describe('signing key rotation (latch keys rotate → POST /iam/keys/rotate)', () => {
  let t: TestApp;
  beforeAll(async () => void (t = await makeTestApp()));
  afterAll(async () => t?.close());

  const me = (token: string) => t.req('GET', '/iam/users/me', { token });
  const jwksKids = async () => ((await t.req('GET', '/iam/auth/certs')).json() as { keys: { kid: string }[] }).keys.map((k) => k.kid);

  it('a new kid signs from then on; tokens of the old kid keep working; JWKS publishes both', async () => {
    const before = (await t.login(t.admin.username, t.admin.password)).access_token;
    const oldKid = kidOf(before);
    const r = await t.req('POST', '/iam/keys/rotate', { token: before });
    expect(r.statusCode).toBe(200);
    const { kid, retired } = r.json() as { kid: string; retired: string[] };
    expect(kid).not.toBe(oldKid);
    expect(retired).toEqual([oldKid]);
    expect((await me(before)).statusCode).toBe(200);
    const after = (await t.login(t.admin.username, t.admin.password)).access_token;
    expect(kidOf(after)).toBe(kid);
    expect(await jwksKids()).toEqual(expect.arrayContaining([oldKid, kid]));
  });

  it('a retired key leaves JWKS once its grace (access-token lifetime + 60 s) is over', async () => {
    const kids = await jwksKids();
    t.clock.advance((t.config.accessTokenTtl + 61) * 1000);
    const token = (await t.login(t.admin.username, t.admin.password)).access_token;
    const r = await t.req('POST', '/iam/keys/rotate', { token });
    expect(r.statusCode).toBe(200);
    const now = await jwksKids();
    // keys retired by the first rotation are gone; the one retired just now still verifies
    for (const k of kids.filter((k) => k !== kidOf(token))) expect(now).not.toContain(k);
    expect(now).toContain(kidOf(token));
    expect((await me(token)).statusCode).toBe(200);
  });

  it('only the platform administrator may rotate', async () => {
    const user = await t.createUser(t.defaultTenantId, ['Tenant Admin']);
    const token = (await t.login(user.username, user.password)).access_token;
    const r = await t.req('POST', '/iam/keys/rotate', { token });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'PLATFORM_ADMIN_REQUIRED' });
  });
});
