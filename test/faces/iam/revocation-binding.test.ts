import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../../harness.js';

/**
 * RFC 7009 §2.1: "the authorization server … verifies whether the token was issued to the client
 * making the revocation request". A confidential client (an API key with its secret) revokes only
 * its own tokens, and is told so for another's; a public client revokes the public client's
 * (users') tokens by presenting them, and nothing else. Both dialects.
 */
describe.each(['sqlite', 'postgres'] as const)('revocation is bound to its client (%s)', (dialect) => {
  let t: TestApp;
  let a: { id: string; clientId: string; secret: string };
  let b: { id: string; clientId: string; secret: string };
  let sibling: { id: string; clientId: string; secret: string };
  let tenantA: string;

  beforeAll(async () => {
    t = await makeTestApp({ dialect });
    tenantA = (await t.createTenant(undefined, { ei: true })).id;
    const tenantB = (await t.createTenant(undefined, { ei: true })).id;
    a = await t.createApiKey(tenantA, ['Operator']);
    sibling = await t.createApiKey(tenantA, ['Operator']);
    b = await t.createApiKey(tenantB, ['Operator']);
  });
  afterAll(async () => t?.close());

  const revoke = (token: string, client?: { clientId: string; secret: string }) =>
    t.req('POST', '/iam/auth/revoke', {
      body: { token, ...(client ? { client_id: client.clientId, client_secret: client.secret } : {}) },
    });
  const works = async (access: string) => (await t.req('GET', '/nbapi/ei/v1/agents', { token: access, tenant: tenantA })).statusCode;
  const refreshes = async (refresh: string) => (await t.token({ grant_type: 'refresh_token', refresh_token: refresh })).statusCode;
  /** An EI login of key `a` (it keeps a refresh token). */
  const loginA = () => t.login(a.clientId, a.secret);

  it("another tenant's key cannot revoke A's access or refresh token: 400 invalid_request, and both still work", async () => {
    const tok = await loginA();
    for (const token of [tok.access_token, tok.refresh_token]) {
      const res = await revoke(token, b);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'invalid_request', error_description: 'client is not authorized to revoke the presented token' });
    }
    expect(await works(tok.access_token)).toBe(200);
    expect(await refreshes(tok.refresh_token)).toBe(200);
  });

  it("a key of the same tenant cannot revoke a sibling key's token either", async () => {
    const tok = await loginA();
    expect((await revoke(tok.access_token, sibling)).statusCode).toBe(400);
    expect(await works(tok.access_token)).toBe(200);
  });

  it('the key itself revokes its own access token and its own refresh token', async () => {
    const one = await loginA();
    expect((await revoke(one.access_token, a)).statusCode).toBe(200);
    expect(await works(one.access_token)).toBe(401);
    const two = await loginA();
    expect((await revoke(two.refresh_token, a)).statusCode).toBe(200);
    expect(await refreshes(two.refresh_token)).toBe(400);
    expect(await works(two.access_token)).toBe(401);
  });

  it("a public client (no secret) cannot revoke an API key's token: an empty 200, and the token still works", async () => {
    const tok = await loginA();
    for (const token of [tok.access_token, tok.refresh_token]) {
      const res = await revoke(token);
      expect([res.statusCode, res.body]).toEqual([200, '']);
    }
    expect(await works(tok.access_token)).toBe(200);
    expect(await refreshes(tok.refresh_token)).toBe(200);
  });

  it("a user's tokens stay revocable by presenting them (public client), and no API key may revoke them", async () => {
    const u = await t.createUser(tenantA, ['Operator']);
    const one = await t.login(u.username, u.password);
    expect((await revoke(one.access_token, a)).statusCode).toBe(400);
    expect((await revoke(one.refresh_token, a)).statusCode).toBe(400);
    expect(await works(one.access_token)).toBe(200);
    expect((await revoke(one.access_token)).statusCode).toBe(200);
    expect(await works(one.access_token)).toBe(401);
    const two = await t.login(u.username, u.password);
    expect((await t.req('POST', '/iam/auth/revoke', { body: { token: two.refresh_token, client_id: 'latch' } })).statusCode).toBe(200);
    expect(await refreshes(two.refresh_token)).toBe(400);
  });

  it('unknown tokens answer 200 to every client, and a wrong secret is still 401', async () => {
    expect((await revoke('latch_rt_unknown', b)).statusCode).toBe(200);
    expect((await revoke('not-a-token')).statusCode).toBe(200);
    expect((await revoke('latch_rt_unknown', { clientId: b.clientId, secret: a.secret })).statusCode).toBe(401);
  });
});
