import type { KeyObject } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../harness.js';

/**
 * Issue 11: a token signed by the server's own current key still fails without `exp`, with `iat`
 * in the future (beyond the 60 s skew), or without / with another `iss`.
 */
describe.each(['sqlite', 'postgres'] as const)('JWT claims are required (%s)', (dialect) => {
  let t: TestApp;
  let claims: JWTPayload;
  let header: { alg: string; kid: string; typ?: string };

  beforeAll(async () => {
    t = await makeTestApp({ dialect });
    const token = await t.adminToken();
    claims = decodeJwt(token);
    header = decodeProtectedHeader(token) as typeof header;
  });
  afterAll(async () => t?.close());

  /** Signs `payload` exactly as given with the key ring's current private key. */
  async function forge(payload: JWTPayload): Promise<string> {
    const signer = (t.server.deps.keys as unknown as { signer: { signingKey: KeyObject; kid: string; alg: string } }).signer;
    return new SignJWT(payload).setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: header.typ ?? 'JWT' }).sign(signer.signingKey);
  }
  const me = async (token: string) => (await t.req('GET', '/iam/users/me', { token })).statusCode;
  const now = () => Math.floor(t.clock.now() / 1000);

  it('the same claims re-signed verify (the forging is sound)', async () => {
    expect(await me(await forge({ ...claims }))).toBe(200);
    expect(await me(await forge({ ...claims, iat: now() + 30 }))).toBe(200); // within the skew
  });

  it('without exp: 401', async () => {
    const { exp: _exp, ...rest } = claims;
    expect(await me(await forge(rest))).toBe(401);
  });

  it('with iat in the future beyond the skew: 401', async () => {
    expect(await me(await forge({ ...claims, iat: now() + 3600 }))).toBe(401);
  });

  it('without iat: 401', async () => {
    const { iat: _iat, ...rest } = claims;
    expect(await me(await forge(rest))).toBe(401);
  });

  it('without iss, or with another iss: 401', async () => {
    const { iss: _iss, ...rest } = claims;
    expect(await me(await forge(rest))).toBe(401);
    expect(await me(await forge({ ...claims, iss: 'someone-else' }))).toBe(401);
  });
});
