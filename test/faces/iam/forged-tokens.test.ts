import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT, decodeJwt, decodeProtectedHeader, exportSPKI, generateKeyPair, importJWK, type JWK } from 'jose';
import { KeyRing } from '../../../src/crypto/key-ring.js';
import { makeTestApp, type TestApp } from '../../harness.js';

let t: TestApp;
let tenantId: string;
let good: string;
let claims: Record<string, unknown>;
let kid: string;
let jwk: JWK;

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

beforeAll(async () => {
  t = await makeTestApp();
  tenantId = t.defaultTenantId;
  good = (await t.login(t.admin.username, t.admin.password)).access_token;
  claims = decodeJwt(good) as Record<string, unknown>;
  kid = decodeProtectedHeader(good).kid!;
  jwk = ((await t.req('GET', '/iam/auth/certs')).json() as { keys: JWK[] }).keys.find((k) => k.kid === kid)!;
});
afterAll(async () => t?.close());

/** A protected, tenant-scoped route the admin may call with a valid token. */
const call = (token: string) => t.req('GET', '/nbapi/ei/v1/assetTypes', { token, tenant: tenantId });

async function expectRejected(token: string) {
  const res = await call(token);
  expect(res.statusCode, res.body).toBe(401);
  expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
  expect(res.json()).toMatchObject({ status: 401, error: 'Unauthorized', code: 'AUTH_INVALID_TOKEN' });
}

describe('forged access tokens on a protected route', () => {
  it('the genuine token works (control)', async () => {
    expect((await call(good)).statusCode).toBe(200);
  });

  it('no token and a non-JWT answer 401 with WWW-Authenticate', async () => {
    const res = await t.req('GET', '/nbapi/ei/v1/assetTypes', { tenant: tenantId });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    await expectRejected('not-a-jwt');
  });

  it('alg none', async () => {
    const unsecured = new UnsecuredJWT(claims).encode();
    await expectRejected(unsecured);
    // and the same with the real kid in the header
    const [, payload] = good.split('.');
    await expectRejected(`${b64({ alg: 'none', typ: 'JWT', kid })}.${payload}.`);
  });

  it('HS256 signed with the published public key (algorithm confusion)', async () => {
    const pub = await importJWK(jwk, jwk.alg as string);
    const pem = await exportSPKI(pub as CryptoKey);
    for (const secret of [Buffer.from(pem), Buffer.from(JSON.stringify(jwk))]) {
      const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid }).sign(secret);
      await expectRejected(forged);
    }
  });

  it('signed by a foreign key under the real kid, and under an unknown kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    await expectRejected(await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid }).sign(privateKey));
    await expectRejected(await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'no-such-kid' }).sign(privateKey));
    await expectRejected(await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).sign(privateKey));
  });

  it('the genuine signature with the kid swapped for an unknown one', async () => {
    const [, payload, sig] = good.split('.');
    await expectRejected(`${b64({ ...decodeProtectedHeader(good), kid: 'other' })}.${payload}.${sig}`);
  });

  it('tampered payload (another subject, more permissions)', async () => {
    const [header, , sig] = good.split('.');
    await expectRejected(`${header}.${b64({ ...claims, sub: '00000000-0000-4000-8000-000000000000' })}.${sig}`);
    await expectRejected(`${header}.${b64({ ...claims, permissions: ['Asset Management'], exp: (claims.exp as number) + 3600 })}.${sig}`);
    // the verification cache is keyed by the end of the signature these share: the genuine token, cached, still works
    expect((await call(good)).statusCode).toBe(200);
    await expectRejected(`${header}.${b64({ ...claims, sub: '00000000-0000-4000-8000-000000000000' })}.${sig}`);
  });

  it('expired (clock moved past exp)', async () => {
    const tok = (await t.login(t.admin.username, t.admin.password)).access_token;
    expect((await call(tok)).statusCode).toBe(200); // now cached as verified
    t.clock.advance(301_000);
    try {
      await expectRejected(tok);
    } finally {
      t.clock.advance(-301_000);
    }
  });

  it('not yet valid (nbf in the future), signed by the real key', async () => {
    const now = Math.floor(t.clock.now() / 1000);
    const tok = await t.server.deps.keys.sign({ ...claims, iat: undefined, exp: undefined, iss: undefined, nbf: now + 120 }, 300);
    await expectRejected(tok);
    // control: the same construction without nbf is accepted
    const ok = await t.server.deps.keys.sign({ ...claims, iat: undefined, exp: undefined, iss: undefined }, 300);
    expect((await call(ok)).statusCode).toBe(200);
  });

  it('another issuer, signed by the real key', async () => {
    const d = t.server.deps;
    const other = new KeyRing(d.store, d.envelope, { alg: d.config.signingAlg, issuer: 'https://evil.example', now: () => t.clock.now() });
    await other.reload();
    const tok = await other.sign({ ...claims, iat: undefined, exp: undefined, iss: undefined }, 300);
    expect(decodeProtectedHeader(tok).kid).toBe(kid);
    await expectRejected(tok);
  });

  it('a refresh token or a token of another type is not an access token', async () => {
    const pair = await t.login(t.admin.username, t.admin.password);
    await expectRejected(pair.refresh_token);
    const tok = await t.server.deps.keys.sign({ ...claims, iat: undefined, exp: undefined, iss: undefined, typ: 'Refresh' }, 300);
    await expectRejected(tok);
  });
});
