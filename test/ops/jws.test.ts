import { afterEach, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { makeTestApp, type TestApp } from '../harness.js';

// Latch signs its tokens with node:crypto (KeyRing.sign), not through jose; jose, as a client
// would, must accept every kind of token, for every signing algorithm Latch can be set to.
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe.each(['ES256', 'RS256', 'EdDSA'] as const)('tokens signed with %s', (alg) => {
  it('verify with jose against the published JWKS: header, issuer, iat and exp; access, refresh-grant and ID tokens', async () => {
    t = await makeTestApp({ env: { LATCH_SIGNING_ALG: alg } });
    const jwks = createLocalJWKSet((await t.req('GET', '/iam/auth/certs')).json() as JSONWebKeySet);
    const issuer = (await t.req('GET', '/.well-known/openid-configuration')).json().issuer as string;
    const login = (
      await t.req('POST', '/iam/auth/token', {
        body: { grant_type: 'password', username: t.admin.username, password: t.admin.password, scope: 'openid' },
      })
    ).json() as { access_token: string; id_token: string; refresh_token: string; expires_in: number };
    const refreshed = (
      await t.req('POST', '/iam/auth/token', {
        body: { grant_type: 'refresh_token', refresh_token: login.refresh_token },
      })
    ).json() as { access_token: string };
    for (const [token, typ] of [
      [login.access_token, 'JWT'],
      [login.id_token, 'JWT'],
      [refreshed.access_token, 'JWT'],
    ] as const) {
      const header = decodeProtectedHeader(token);
      expect(header).toEqual({ alg, typ, kid: expect.any(String) });
      const { payload } = await jwtVerify(token, jwks, { issuer, algorithms: [alg], currentDate: new Date(t.clock.now()) });
      expect(payload.exp! - payload.iat!).toBe(login.expires_in);
      expect(Math.abs(payload.iat! - t.clock.now() / 1000)).toBeLessThan(60);
    }
    // the token also works where Latch checks it
    expect((await t.req('GET', '/iam/users/me', { token: refreshed.access_token })).statusCode).toBe(200);
  });
});

describe('the signed claims', () => {
  it('are the JSON of { ...payload, iss, iat, exp }, key for key and in order, whatever the payload holds', async () => {
    t = await makeTestApp();
    const keys = t.server.deps.keys;
    const issuer = (await t.req('GET', '/.well-known/openid-configuration')).json().issuer as string;
    const iat = Math.floor(t.clock.now() / 1000);
    const claimsOf = (token: string) => Buffer.from(token.split('.')[1]!, 'base64url').toString();
    for (const payload of [{}, { sub: 'a"b\\c', n: 1, nested: { x: [1, 'two'] }, gone: undefined }, { sub: 's', exp: 5, iss: 'mine' }]) {
      expect(claimsOf(await keys.sign(payload, 300))).toBe(JSON.stringify({ ...payload, iss: issuer, iat, exp: iat + 300 }));
    }
  });
});
