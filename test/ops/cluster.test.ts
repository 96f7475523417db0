import { describe, expect, it } from 'vitest';
import { call, twoNodes, within } from './two-nodes.js';

/**
 * Two real server processes on one PostgreSQL: node A runs in this process, node B is a separate
 * `node` process. Revocation on A must reach B within 1 s (DESIGN: LISTEN/NOTIFY invalidation).
 */
const nodes = twoNodes();

describe('two server processes on one PostgreSQL', () => {
  it('both nodes serve the same data; the verification key is shared', async () => {
    expect(nodes.bUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const login = await call(nodes.a.url, 'POST', '/iam/auth/token', { body: { username: 'admin', password: 'admin-password-1' } });
    expect(login.status).toBe(200);
    const me = await call(nodes.bUrl, 'GET', '/iam/users/me', { token: login.body.access_token as string });
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('admin');
  });

  it('a key deleted on A: its token is rejected on B within 1 s', async () => {
    const adminTok = (await call(nodes.a.url, 'POST', '/iam/auth/token', { body: { username: 'admin', password: 'admin-password-1' } }))
      .body.access_token as string;
    const tenant = (await call(nodes.a.url, 'GET', '/iam/users/me', { token: adminTok })).body.tenant_id as string;
    const key = await call(nodes.a.url, 'POST', '/iam/api-keys', {
      token: adminTok,
      tenant,
      body: { name: 'cluster-key', roles: ['EI Admin'] },
    });
    expect(key.status).toBe(201);
    const tok = await call(nodes.a.url, 'POST', '/iam/auth/token', {
      body: { grant_type: 'client_credentials', client_id: key.body.clientId, client_secret: key.body.secret },
    });
    const accessToken = tok.body.access_token as string;
    // B has verified and cached the token and its principal
    expect((await call(nodes.bUrl, 'GET', '/nbapi/ei/v1/agents', { token: accessToken, tenant })).status).toBe(200);
    expect((await call(nodes.bUrl, 'GET', '/nbapi/ei/v1/agents', { token: accessToken, tenant })).status).toBe(200);

    expect((await call(nodes.a.url, 'DELETE', '/iam/api-keys/cluster-key', { token: adminTok, tenant })).status).toBe(204);
    expect((await call(nodes.a.url, 'GET', '/nbapi/ei/v1/agents', { token: accessToken, tenant })).status).toBe(401);
    const rejected = await within(
      1000,
      async () => (await call(nodes.bUrl, 'GET', '/nbapi/ei/v1/agents', { token: accessToken, tenant })).status === 401,
    );
    expect(rejected).toBe(true);
    // and the refresh token is dead on B too
    const r = await call(nodes.bUrl, 'POST', '/iam/auth/token', {
      body: { grant_type: 'refresh_token', refresh_token: tok.body.refresh_token },
    });
    expect(r.status).toBe(400);
  });

  it('a role removed on A: the user loses access on B within 1 s', async () => {
    const adminTok = (await call(nodes.a.url, 'POST', '/iam/auth/token', { body: { username: 'admin', password: 'admin-password-1' } }))
      .body.access_token as string;
    const tenant = (await call(nodes.a.url, 'GET', '/iam/users/me', { token: adminTok })).body.tenant_id as string;
    const u = await call(nodes.a.url, 'POST', '/iam/users', {
      token: adminTok,
      tenant,
      body: { username: 'cluster-user', password: 'cluster-password', roles: ['Operator'] },
    });
    const tok = (await call(nodes.bUrl, 'POST', '/iam/auth/token', { body: { username: 'cluster-user', password: 'cluster-password' } }))
      .body.access_token as string;
    expect((await call(nodes.bUrl, 'GET', '/nbapi/ei/v1/agents', { token: tok, tenant })).status).toBe(200);
    expect(
      (await call(nodes.a.url, 'DELETE', `/iam/users/${u.body.id as string}/roles/Operator`, { token: adminTok, tenant })).status,
    ).toBe(204);
    expect(
      await within(1000, async () => (await call(nodes.bUrl, 'GET', '/nbapi/ei/v1/agents', { token: tok, tenant })).status === 403),
    ).toBe(true);
  });

  it('an API key B has opened (cached for its logins): deleted on A, B refuses its next login within 1 s', async () => {
    const adminTok = (await call(nodes.a.url, 'POST', '/iam/auth/token', { body: { username: 'admin', password: 'admin-password-1' } }))
      .body.access_token as string;
    const tenant = (await call(nodes.a.url, 'GET', '/iam/users/me', { token: adminTok })).body.tenant_id as string;
    const key = await call(nodes.a.url, 'POST', '/iam/api-keys', {
      token: adminTok,
      tenant,
      body: { name: 'cluster-cached', roles: ['Operator'] },
    });
    expect(key.status).toBe(201);
    const login = () =>
      call(nodes.bUrl, 'POST', '/iam/auth/token', {
        body: { grant_type: 'client_credentials', client_id: key.body.clientId, client_secret: key.body.secret },
      });
    expect((await login()).status).toBe(200);
    expect((await login()).status).toBe(200); // served from B's cache
    expect((await call(nodes.a.url, 'DELETE', '/iam/api-keys/cluster-cached', { token: adminTok, tenant })).status).toBe(204);
    expect(await within(1000, async () => (await login()).status === 401)).toBe(true);
  });
});
