import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { generateSecret } from '../../../src/crypto/secrets.js';
import { makeTestApp, type TestApp } from '../../harness.js';
import type { TokenResponse } from '../../../src/schemas/oauth.js';

let t: TestApp;
let tenant: { id: string; name: string };
let user: { id: string; username: string; password: string };
let key: { id: string; name: string; secret: string; clientId: string };
let ip = 0;
/** A fresh client address per case, so the per-address throttle of one case never leaks into another. */
const addr = () => `10.1.${Math.floor(++ip / 250)}.${ip % 250}`;

beforeAll(async () => {
  t = await makeTestApp();
  tenant = await t.createTenant(undefined, { ei: true });
  user = await t.createUser(tenant.id, ['EI Admin']);
  key = await t.createApiKey(tenant.id, ['Operator']);
});
afterAll(async () => t?.close());

function expectTokens(res: LightMyRequestResponse) {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['cache-control']).toBe('no-store');
  const b = res.json();
  expect(b).toMatchObject({
    token_type: 'bearer',
    expires_in: 300,
    refresh_expires_in: 1800,
    'not-before-policy': 0,
    scope: 'profile email',
  });
  expect(b.access_token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
  expect(b.refresh_token).toMatch(/^latch_rt_/);
  expect(b.session_state).toMatch(/^[0-9a-f-]{36}$/);
  return b as TokenResponse;
}

function expectOAuthError(res: LightMyRequestResponse, status: number, error: string, description: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.json()).toEqual({ error, error_description: description });
}

async function works(accessToken: string): Promise<number> {
  return (await t.req('GET', '/nbapi/ei/v1/agents', { token: accessToken, tenant: tenant.id })).statusCode;
}

const form = (o: Record<string, string>) => ({
  body: new URLSearchParams(o).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

describe('grants', () => {
  it('password grant, JSON body', async () => {
    const b = expectTokens(
      await t.token({ grant_type: 'password', username: user.username, password: user.password }, { remoteAddress: addr() }),
    );
    expect(await works(b.access_token)).toBe(200);
  });

  it('password grant, form-encoded body', async () => {
    const f = form({ grant_type: 'password', username: user.username, password: user.password });
    expectTokens(await t.req('POST', '/iam/auth/token', { ...f, remoteAddress: addr() }));
  });

  it('no grant_type with username + password is the password grant (seed example), on both paths', async () => {
    expectTokens(await t.token({ username: user.username.toUpperCase(), password: user.password }, { remoteAddress: addr() }));
    expectTokens(
      await t.req('POST', '/nbapi/iam/v1/auth/token', {
        body: { username: user.username, password: user.password },
        remoteAddress: addr(),
      }),
    );
  });

  it('client_credentials with "<tenant>-><key>" in any case', async () => {
    for (const clientId of [key.clientId, `${tenant.name.toUpperCase()}->${key.name.toUpperCase()}`, `${tenant.name}->${key.name}`]) {
      const b = expectTokens(
        await t.token({ grant_type: 'client_credentials', client_id: clientId, client_secret: key.secret }, { remoteAddress: addr() }),
      );
      expect(await works(b.access_token)).toBe(200);
    }
  });

  it('client_credentials with the key id, and with a bare unique key name', async () => {
    expectTokens(
      await t.token({ grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret }, { remoteAddress: addr() }),
    );
    expectTokens(
      await t.token(
        { grant_type: 'client_credentials', client_id: key.name.toUpperCase(), client_secret: key.secret },
        { remoteAddress: addr() },
      ),
    );
  });

  it('a bare key name that exists in two tenants is ambiguous: invalid_client', async () => {
    const other = await t.createTenant();
    const k1 = await t.createApiKey(tenant.id, ['Operator'], { name: 'dup-name' });
    await t.createApiKey(other.id, ['Operator'], { name: 'dup-name' });
    expectOAuthError(
      await t.token({ grant_type: 'client_credentials', client_id: 'dup-name', client_secret: k1.secret }, { remoteAddress: addr() }),
      401,
      'invalid_client',
      'Invalid client or Invalid client credentials',
    );
    expectTokens(
      await t.token({ grant_type: 'client_credentials', client_id: k1.clientId, client_secret: k1.secret }, { remoteAddress: addr() }),
    );
  });

  it('client_credentials, form-encoded, with HTTP Basic client authentication', async () => {
    const basic = Buffer.from(`${encodeURIComponent(key.clientId)}:${key.secret}`).toString('base64');
    const res = await t.req('POST', '/iam/auth/token', {
      body: 'grant_type=client_credentials',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      remoteAddress: addr(),
    });
    expectTokens(res);
  });

  it("an API key's client id + secret in the password grant", async () => {
    const b = expectTokens(await t.token({ username: key.clientId, password: key.secret }, { remoteAddress: addr() }));
    const me = await t.req('GET', '/iam/users/me', { token: b.access_token });
    expect(me.json()).toMatchObject({ type: 'api_key', id: key.id });
  });

  it('refresh_token grant answers a full new token response', async () => {
    const first = expectTokens(await t.token({ username: user.username, password: user.password }, { remoteAddress: addr() }));
    const second = expectTokens(
      await t.token({ grant_type: 'refresh_token', refresh_token: first.refresh_token }, { remoteAddress: addr() }),
    );
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.session_state).toBe(first.session_state);
    expect(await works(second.access_token)).toBe(200);
    // form-encoded too
    const f = form({ grant_type: 'refresh_token', refresh_token: second.refresh_token });
    expectTokens(await t.req('POST', '/iam/auth/token', { ...f, remoteAddress: addr() }));
  });

  it('an API-key login gets a refresh token too', async () => {
    const first = expectTokens(
      await t.token({ grant_type: 'client_credentials', client_id: key.clientId, client_secret: key.secret }, { remoteAddress: addr() }),
    );
    expectTokens(await t.token({ grant_type: 'refresh_token', refresh_token: first.refresh_token }, { remoteAddress: addr() }));
  });
});

describe('error rows of spec §2.5 and §2.4', () => {
  const cases: [string, () => Record<string, unknown>, number, string, string][] = [
    ['no grant_type', () => ({ username: user.username }), 400, 'invalid_request', 'Missing form parameter: grant_type'],
    ['empty body', () => ({}), 400, 'invalid_request', 'Missing form parameter: grant_type'],
    [
      'unknown grant type',
      () => ({ grant_type: 'authorization_code', code: 'x' }),
      400,
      'unsupported_grant_type',
      'Unsupported grant_type',
    ],
    [
      'unknown client',
      () => ({ grant_type: 'client_credentials', client_id: `${tenant.name}->nope`, client_secret: key.secret }),
      401,
      'invalid_client',
      'Invalid client or Invalid client credentials',
    ],
    [
      'unknown tenant in client id',
      () => ({ grant_type: 'client_credentials', client_id: `nope->${key.name}`, client_secret: key.secret }),
      401,
      'invalid_client',
      'Invalid client or Invalid client credentials',
    ],
    [
      'wrong client secret (well-formed)',
      () => ({ grant_type: 'client_credentials', client_id: key.clientId, client_secret: wellFormedOther }),
      401,
      'invalid_client',
      'Invalid client or Invalid client credentials',
    ],
    [
      'wrong client secret (garbage)',
      () => ({ grant_type: 'client_credentials', client_id: key.clientId, client_secret: 'hunter2' }),
      401,
      'invalid_client',
      'Invalid client or Invalid client credentials',
    ],
    [
      'client secret missing',
      () => ({ grant_type: 'client_credentials', client_id: key.clientId }),
      401,
      'unauthorized_client',
      'Client secret not provided in request',
    ],
    [
      'wrong password',
      () => ({ grant_type: 'password', username: user.username, password: 'wrong-password' }),
      401,
      'invalid_grant',
      'Invalid user credentials',
    ],
    [
      'unknown user',
      () => ({ grant_type: 'password', username: 'nobody-here', password: 'wrong-password' }),
      401,
      'invalid_grant',
      'Invalid user credentials',
    ],
    ['refresh_token missing', () => ({ grant_type: 'refresh_token' }), 400, 'invalid_request', 'No refresh token'],
    [
      'refresh_token malformed',
      () => ({ grant_type: 'refresh_token', refresh_token: 'eyJhbGciOi.x.y' }),
      400,
      'invalid_grant',
      'Invalid refresh token',
    ],
    [
      'refresh_token well-formed but unknown',
      () => ({ grant_type: 'refresh_token', refresh_token: unknownRt }),
      400,
      'invalid_grant',
      'Invalid refresh token',
    ],
    [
      'a non-string parameter',
      () => ({ grant_type: 'password', username: ['a'], password: 'x' }),
      400,
      'invalid_request',
      'Invalid parameter: username',
    ],
  ];
  let wellFormedOther: string;
  let unknownRt: string;
  beforeAll(async () => {
    wellFormedOther = (await t.createApiKey(tenant.id, ['Operator'])).secret;
    unknownRt = generateSecret('rt'); // well-formed (checksum passes), never issued
  });

  it.each(cases)('%s', async (_name, body, status, error, description) => {
    expectOAuthError(await t.token(body(), { remoteAddress: addr() }), status, error, description);
  });

  it('invalid JSON answers invalid_request, never 5xx', async () => {
    const res = await t.req('POST', '/iam/auth/token', {
      body: '{"username":',
      headers: { 'content-type': 'application/json' },
      remoteAddress: addr(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('an expired API key answers invalid_client, like an unknown one', async () => {
    const res = await t.req('POST', '/iam/api-keys', {
      token: await t.adminToken(),
      tenant: tenant.id,
      body: { name: 'short-lived', roles: ['Operator'], expiresInDays: 30 },
    });
    const k = res.json() as { clientId: string; secret: string };
    expectTokens(
      await t.token({ grant_type: 'client_credentials', client_id: k.clientId, client_secret: k.secret }, { remoteAddress: addr() }),
    );
    t.clock.advance(31 * 86_400_000);
    try {
      expectOAuthError(
        await t.token({ grant_type: 'client_credentials', client_id: k.clientId, client_secret: k.secret }, { remoteAddress: addr() }),
        401,
        'invalid_client',
        'Invalid client or Invalid client credentials',
      );
    } finally {
      t.clock.advance(-31 * 86_400_000);
    }
  });

  it('unknown user and wrong password answer the same bytes', async () => {
    const a = await t.token({ username: user.username, password: 'not-the-password' }, { remoteAddress: addr() });
    const b = await t.token({ username: 'no-such-user-at-all', password: 'not-the-password' }, { remoteAddress: addr() });
    expect(a.statusCode).toBe(b.statusCode);
    expect(a.body).toBe(b.body);
    expect(a.headers['www-authenticate']).toBe(b.headers['www-authenticate']);
  });
});

describe('refresh', () => {
  async function freshUserLogin() {
    return expectTokens(await t.token({ username: user.username, password: user.password }, { remoteAddress: addr() }));
  }
  const refresh = (rt: string) => t.token({ grant_type: 'refresh_token', refresh_token: rt }, { remoteAddress: addr() });

  it('rotates: the old refresh token then fails', async () => {
    const first = await freshUserLogin();
    expectTokens(await refresh(first.refresh_token));
    expectOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant', 'Stale token');
  });

  it('reuse of a spent refresh token revokes the whole family: the new refresh and access tokens fail too', async () => {
    const first = await freshUserLogin();
    const second = expectTokens(await refresh(first.refresh_token));
    expect(await works(second.access_token)).toBe(200);
    expectOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant', 'Stale token');
    expect(await works(second.access_token)).toBe(401);
    expect(await works(first.access_token)).toBe(401);
    const again = await refresh(second.refresh_token);
    expect(again.statusCode).toBe(400);
    expect(again.json().error).toBe('invalid_grant');
    // Another session of the same user is not part of the family.
    const other = await freshUserLogin();
    expect(await works(other.access_token)).toBe(200);
  });

  it('after the API key was deleted: invalid_grant Session not active', async () => {
    const k = await t.createApiKey(tenant.id, ['Operator']);
    const tok = await t.keyLogin(k.clientId, k.secret, { remoteAddress: addr() });
    expect((await t.req('DELETE', `/iam/api-keys/${k.name}`, { token: await t.adminToken(), tenant: tenant.id })).statusCode).toBe(204);
    expectOAuthError(await refresh(tok.refresh_token), 400, 'invalid_grant', 'Session not active');
  });

  it('after logout: invalid_grant Session not active', async () => {
    const first = await freshUserLogin();
    expect((await t.req('POST', '/iam/auth/logout', { token: first.access_token })).statusCode).toBe(204);
    expectOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant', 'Session not active');
  });

  it('an expired refresh token: invalid_grant Token is not active', async () => {
    const first = await freshUserLogin();
    t.clock.advance(1801_000);
    try {
      expectOAuthError(await refresh(first.refresh_token), 400, 'invalid_grant', 'Token is not active');
    } finally {
      t.clock.advance(-1801_000);
    }
  });

  it('a refresh just before expiry works, and the access token expires after 300 s', async () => {
    const first = await freshUserLogin();
    t.clock.advance(1799_000);
    try {
      expect(await works(first.access_token)).toBe(401);
      const second = expectTokens(await refresh(first.refresh_token));
      expect(await works(second.access_token)).toBe(200);
    } finally {
      t.clock.advance(-1799_000);
    }
  });
});

describe('throttling', () => {
  it('repeated failures give 429 with Retry-After, for a real and for an unknown username alike; it passes with time', async () => {
    for (const username of [user.username, 'ghost-user-for-throttle']) {
      const from = addr();
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await t.token({ username, password: 'bad-password' }, { remoteAddress: from })).statusCode);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
      const res = await t.token({ username, password: 'bad-password' }, { remoteAddress: from });
      expect(res.statusCode).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.headers['cache-control']).toBe('no-store');
      // From that address even the right password waits; from any other it works (test/faces/iam/brute-force.test.ts).
      if (username === user.username)
        expect((await t.token({ username, password: user.password }, { remoteAddress: from })).statusCode).toBe(429);
      t.clock.advance(Number(res.headers['retry-after']) * 1000);
    }
    expectTokens(await t.token({ username: user.username, password: user.password }, { remoteAddress: addr() }));
  });

  it("a throttled user does not block the tenant's API key logins", async () => {
    const victim = await t.createUser(tenant.id, ['Operator']);
    const from = addr();
    for (let i = 0; i < 7; i++) await t.token({ username: victim.username, password: 'bad-password' }, { remoteAddress: from });
    expect((await t.token({ username: victim.username, password: victim.password }, { remoteAddress: from })).statusCode).toBe(429);
    expectTokens(
      await t.token({ grant_type: 'client_credentials', client_id: key.clientId, client_secret: key.secret }, { remoteAddress: from }),
    );
    expectTokens(await t.token({ username: key.clientId, password: key.secret }, { remoteAddress: from }));
  });

  it('repeated wrong client secrets throttle that client id', async () => {
    const k = await t.createApiKey(tenant.id, ['Operator']);
    const from = addr();
    for (let i = 0; i < 6; i++)
      expect(
        (await t.token({ grant_type: 'client_credentials', client_id: k.clientId, client_secret: 'nope' }, { remoteAddress: from }))
          .statusCode,
      ).toBe(401);
    const res = await t.token(
      { grant_type: 'client_credentials', client_id: k.clientId, client_secret: k.secret },
      { remoteAddress: from },
    );
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
  });
});
