import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../../harness.js';

/** Revocation takes effect on the next request, not at token expiry (DESIGN decisions). */
let t: TestApp;
let tenantId: string;
let admin: string;

beforeAll(async () => {
  t = await makeTestApp();
  tenantId = (await t.createTenant(undefined, { ei: true })).id;
  admin = await t.adminToken();
});
afterAll(async () => t?.close());

const agents = (token: string) => t.req('GET', '/nbapi/ei/v1/agents', { token, tenant: tenantId });
const me = (token: string) => t.req('GET', '/iam/users/me', { token });

describe('revocation', () => {
  it('deleting an API key: its access token fails on the next request', async () => {
    const k = await t.createApiKey(tenantId, ['EI Admin']);
    const tok = (await t.keyLogin(k.clientId, k.secret)).access_token;
    expect((await agents(tok)).statusCode).toBe(200);
    expect((await t.req('DELETE', `/iam/api-keys/${k.id}`, { token: admin, tenant: tenantId })).statusCode).toBe(204);
    expect((await agents(tok)).statusCode).toBe(401);
    expect((await me(tok)).statusCode).toBe(401);
    expect((await t.token({ grant_type: 'client_credentials', client_id: k.clientId, client_secret: k.secret })).statusCode).toBe(401);
  });

  it('deleting a user: its access token fails on the next request', async () => {
    const u = await t.createUser(tenantId, ['EI Admin']);
    const tok = (await t.login(u.username, u.password)).access_token;
    expect((await agents(tok)).statusCode).toBe(200);
    expect((await t.req('DELETE', `/iam/users/${u.id}`, { token: admin, tenant: tenantId })).statusCode).toBe(204);
    expect((await agents(tok)).statusCode).toBe(401);
    expect((await me(tok)).statusCode).toBe(401);
  });

  it('removing a role assignment: the permission is gone on the next request', async () => {
    const u = await t.createUser(tenantId, ['Asset Expert', 'Operator']);
    const tok = (await t.login(u.username, u.password)).access_token;
    const create = () =>
      t.req('POST', '/nbapi/ei/v1/assetTypes', {
        token: tok,
        tenant: tenantId,
        body: { name: `rev-${Math.random()}`, connectionType: 'MQTT' },
      });
    expect((await create()).statusCode).toBe(201);
    expect((await t.req('DELETE', `/iam/users/${u.id}/roles/Asset%20Expert`, { token: admin, tenant: tenantId })).statusCode).toBe(204);
    expect((await create()).json().code).toBe('PERMISSION_DENIED');
    expect((await agents(tok)).statusCode).toBe(200);
    expect((await t.req('DELETE', `/iam/users/${u.id}/roles/Operator`, { token: admin, tenant: tenantId })).statusCode).toBe(204);
    expect((await agents(tok)).json().code).toBe('TENANT_FORBIDDEN');
  });

  it('granting a role takes effect on the next request too', async () => {
    const u = await t.createUser(tenantId, ['Operator']);
    const tok = (await t.login(u.username, u.password)).access_token;
    const create = () =>
      t.req('POST', '/nbapi/ei/v1/assetTypes', {
        token: tok,
        tenant: tenantId,
        body: { name: `grant-${Math.random()}`, connectionType: 'MQTT' },
      });
    expect((await create()).statusCode).toBe(403);
    expect((await t.req('PUT', `/iam/users/${u.id}/roles/Asset%20Expert`, { token: admin, tenant: tenantId })).statusCode).toBe(200);
    expect((await create()).statusCode).toBe(201);
  });

  it("changing a custom role's permissions affects its holders at once", async () => {
    const role = await t.createRole(tenantId, ['Asset Management']);
    const k = await t.createApiKey(tenantId, [role.name]);
    const tok = (await t.keyLogin(k.clientId, k.secret)).access_token;
    const create = () =>
      t.req('POST', '/nbapi/ei/v1/assetTypes', {
        token: tok,
        tenant: tenantId,
        body: { name: `role-${Math.random()}`, connectionType: 'MQTT' },
      });
    expect((await create()).statusCode).toBe(201);
    expect(
      (await t.req('PATCH', `/iam/roles/${role.id}`, { token: admin, tenant: tenantId, body: { permissions: ['Data Management'] } }))
        .statusCode,
    ).toBe(200);
    expect((await create()).json().code).toBe('PERMISSION_DENIED');
    expect((await agents(tok)).statusCode).toBe(200);
  });

  it("DELETE /iam/sessions/:id: the session's access and refresh tokens fail at once", async () => {
    const u = await t.createUser(tenantId, ['EI Admin']);
    const pair = await t.login(u.username, u.password);
    const other = await t.login(u.username, u.password);
    expect((await agents(pair.access_token)).statusCode).toBe(200);
    const listed = (await t.req('GET', '/iam/sessions', { token: admin, tenant: tenantId })).json() as { value: { id: string }[] };
    expect(listed.value.map((s) => s.id)).toContain(pair.session_state);
    expect((await t.req('DELETE', `/iam/sessions/${pair.session_state}`, { token: admin, tenant: tenantId })).statusCode).toBe(204);
    expect((await agents(pair.access_token)).statusCode).toBe(401);
    expect((await t.token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })).json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Session not active',
    });
    // The user's other session is untouched.
    expect((await agents(other.access_token)).statusCode).toBe(200);
    const after = (await t.req('GET', '/iam/sessions', { token: admin, tenant: tenantId })).json() as { value: { id: string }[] };
    expect(after.value.map((s) => s.id)).not.toContain(pair.session_state);
  });

  it('POST /iam/auth/logout with the bearer token ends that session', async () => {
    const u = await t.createUser(tenantId, ['EI Admin']);
    const pair = await t.login(u.username, u.password);
    expect((await agents(pair.access_token)).statusCode).toBe(200);
    expect((await t.req('POST', '/iam/auth/logout', { token: pair.access_token })).statusCode).toBe(204);
    expect((await agents(pair.access_token)).statusCode).toBe(401);
    expect((await t.token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })).statusCode).toBe(400);
  });

  it('POST /iam/auth/logout with a refresh token (JSON or form) ends that session', async () => {
    const u = await t.createUser(tenantId, ['EI Admin']);
    for (const form of [false, true]) {
      const pair = await t.login(u.username, u.password);
      const res = form
        ? await t.req('POST', '/iam/auth/logout', {
            body: `refresh_token=${pair.refresh_token}`,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          })
        : await t.req('POST', '/iam/auth/logout', { body: { refresh_token: pair.refresh_token } });
      expect(res.statusCode).toBe(204);
      expect((await agents(pair.access_token)).statusCode).toBe(401);
    }
  });

  it('logout with an unknown refresh token is a no-op 204 (RFC 7009)', async () => {
    expect((await t.req('POST', '/iam/auth/logout', { body: { refresh_token: 'nonsense' } })).statusCode).toBe(204);
  });

  it('logout without a session (no bearer token, no refresh token) is 401 with WWW-Authenticate', async () => {
    for (const r of [{}, { body: {} }, { body: { refresh_token: 42 } }]) {
      const res = await t.req('POST', '/iam/auth/logout', r);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="latch"');
      expect(res.json()).toEqual({ error: 'invalid_request', error_description: 'Missing access token' });
    }
  });

  it('a session of another tenant cannot be revoked: 404, and it stays valid', async () => {
    const other = await t.createTenant(undefined, { ei: true });
    const u = await t.createUser(other.id, ['EI Admin']);
    const pair = await t.login(u.username, u.password);
    const res = await t.req('DELETE', `/iam/sessions/${pair.session_state}`, { token: admin, tenant: tenantId });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('SESSION_NOT_FOUND');
    expect((await t.req('GET', '/nbapi/ei/v1/agents', { token: pair.access_token, tenant: other.id })).statusCode).toBe(200);
  });
});
