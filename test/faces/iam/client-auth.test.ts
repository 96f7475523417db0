import type { LightMyRequestResponse } from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret } from '../../../src/crypto/secrets.js';
import { makeTestApp, type TestApp } from '../../harness.js';

/**
 * RFC 6749 §5.2 for every client-authentication method on every endpoint that takes one (token,
 * introspection, revocation): a failed client authentication is 401 invalid_client, and a client
 * that used HTTP Basic is challenged with `WWW-Authenticate: Basic` (one that sent its
 * credentials in the body is not); more than one method in a request is invalid_request (§2.3).
 */
describe.each(['sqlite', 'postgres'] as const)('client authentication (%s)', (dialect) => {
  let t: TestApp;
  let key: { clientId: string; secret: string };
  let access: string;
  let ip = 0;
  const addr = () => `10.9.${Math.floor(++ip / 250)}.${ip % 250}`;
  const wrong = generateSecret('ak');

  beforeAll(async () => {
    t = await makeTestApp({ dialect });
    key = await t.createApiKey(t.defaultTenantId, ['Operator']);
    access = await t.adminToken();
  });
  afterAll(async () => t?.close());

  const basic = (id: string, secret: string) =>
    `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  const post = (url: string, form: Record<string, string>, authorization?: string) =>
    t.req('POST', url, {
      body: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
      remoteAddress: addr(),
    });

  function expectFailure(res: LightMyRequestResponse, status: number, error: string, challenged: boolean) {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().error).toBe(error);
    expect(res.headers['cache-control']).toBe('no-store');
    if (challenged) expect(res.headers['www-authenticate']).toBe('Basic realm="latch"');
    else expect(res.headers['www-authenticate']).toBeUndefined();
  }

  /** The endpoint's own parameters besides the client's. */
  const ENDPOINTS: Record<string, () => Record<string, string>> = {
    'token (client_credentials)': () => ({ grant_type: 'client_credentials' }),
    introspection: () => ({ token: access }),
    revocation: () => ({ token: 'latch_rt_unknown' }),
  };
  const URL_OF: Record<string, string> = {
    'token (client_credentials)': '/iam/auth/token',
    introspection: '/iam/auth/token/introspect',
    revocation: '/iam/auth/revoke',
  };

  describe.each(Object.keys(ENDPOINTS))('%s', (name) => {
    const url = URL_OF[name]!;
    const params = ENDPOINTS[name]!;

    it('client_secret_basic: the right secret passes, a wrong one is 401 invalid_client with WWW-Authenticate: Basic', async () => {
      expect((await post(url, params(), basic(key.clientId, key.secret))).statusCode).toBe(200);
      expectFailure(await post(url, params(), basic(key.clientId, wrong)), 401, 'invalid_client', true);
      expectFailure(await post(url, params(), basic('default->no-such-key', key.secret)), 401, 'invalid_client', true);
      expectFailure(await post(url, params(), basic(key.clientId, 'hunter2')), 401, 'invalid_client', true);
    });

    it('client_secret_basic malformed (no colon) or without a secret: 401 with WWW-Authenticate: Basic', async () => {
      expectFailure(await post(url, params(), `Basic ${Buffer.from(key.clientId).toString('base64')}`), 401, 'invalid_client', true);
      expectFailure(await post(url, params(), basic(key.clientId, '')), 401, 'invalid_client', true);
    });

    it('client_secret_post: the right secret passes, a wrong one is 401 invalid_client without a Basic challenge', async () => {
      expect((await post(url, { ...params(), client_id: key.clientId, client_secret: key.secret })).statusCode).toBe(200);
      expectFailure(await post(url, { ...params(), client_id: key.clientId, client_secret: wrong }), 401, 'invalid_client', false);
      expectFailure(
        await post(url, { ...params(), client_id: 'default->no-such-key', client_secret: key.secret }),
        401,
        'invalid_client',
        false,
      );
      expectFailure(await post(url, { ...params(), client_secret: key.secret }), 401, 'invalid_client', false);
    });

    it('two methods in one request (Basic and a client_secret in the body): 400 invalid_request', async () => {
      const res = await post(url, { ...params(), client_id: key.clientId, client_secret: key.secret }, basic(key.clientId, key.secret));
      expectFailure(res, 400, 'invalid_request', false);
      expect(res.json().error_description).toBe('More than one client authentication method');
    });
  });

  it('introspection without any client authentication, or a client_id without its secret: 401', async () => {
    expectFailure(await post('/iam/auth/token/introspect', { token: access }), 401, 'invalid_client', false);
    expectFailure(await post('/iam/auth/token/introspect', { token: access, client_id: key.clientId }), 401, 'unauthorized_client', false);
    expectFailure(
      await post('/iam/auth/token', { grant_type: 'client_credentials', client_id: key.clientId }),
      401,
      'unauthorized_client',
      false,
    );
  });

  it('revocation by a public client (no secret) needs none: the token is the proof', async () => {
    expect((await post('/iam/auth/revoke', { token: 'latch_rt_unknown' })).statusCode).toBe(200);
    expect((await post('/iam/auth/revoke', { token: 'latch_rt_unknown', client_id: 'latch' })).statusCode).toBe(200);
  });

  it('password and refresh grants: client credentials, when sent, must authenticate, by either method', async () => {
    const pw = { username: t.admin.username, password: t.admin.password };
    expectFailure(
      await post('/iam/auth/token', { grant_type: 'password', ...pw }, basic(key.clientId, wrong)),
      401,
      'invalid_client',
      true,
    );
    expectFailure(
      await post('/iam/auth/token', { grant_type: 'password', ...pw, client_id: key.clientId, client_secret: wrong }),
      401,
      'invalid_client',
      false,
    );
    const ok = await post('/iam/auth/token', { grant_type: 'password', ...pw }, basic(key.clientId, key.secret));
    expect(ok.statusCode).toBe(200);
    const rt = ok.json().refresh_token as string;
    expectFailure(
      await post('/iam/auth/token', { grant_type: 'refresh_token', refresh_token: rt, client_id: key.clientId, client_secret: wrong }),
      401,
      'invalid_client',
      false,
    );
    expectFailure(
      await post('/iam/auth/token', { grant_type: 'refresh_token', refresh_token: rt }, basic(key.clientId, wrong)),
      401,
      'invalid_client',
      true,
    );
    // the refresh token was not spent by the refused requests
    expect(
      (await post('/iam/auth/token', { grant_type: 'refresh_token', refresh_token: rt }, basic(key.clientId, key.secret))).statusCode,
    ).toBe(200);
    // a public client naming itself (Keycloak scripts send client_id=admin-cli) needs no secret, but an ID token is
    // for an authenticated client only: a name alone (here an API key's) never becomes the audience
    expect((await post('/iam/auth/token', { grant_type: 'password', ...pw, client_id: 'admin-cli' })).statusCode).toBe(200);
    const named = await post('/iam/auth/token', { grant_type: 'password', ...pw, scope: 'openid', client_id: key.clientId });
    expect(decodeJwt(named.json().id_token as string).aud).toBe('latch');
    const proven = await post('/iam/auth/token', { grant_type: 'password', ...pw, scope: 'openid' }, basic(key.clientId, key.secret));
    expect(decodeJwt(proven.json().id_token as string).aud).toBe(key.clientId);
  });
});
