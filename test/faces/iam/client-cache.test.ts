import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeTestApp, type TestApp } from '../../harness.js';

/**
 * The opened-API-key cache of the token endpoint (services/client-cache.ts): a repeated
 * client_credentials login reads nothing from the store, and every change to what it remembers
 * (the key, its roles' permissions, its tenant) reaches the very next login.
 */
describe.each(['sqlite', 'postgres'] as const)('opened API keys cache (%s)', (dialect) => {
  let t: TestApp;
  let tenantId: string;
  let admin: string;
  beforeAll(async () => {
    t = await makeTestApp({ dialect });
    tenantId = (await t.createTenant(undefined, { ei: true })).id;
    admin = await t.adminToken();
  });
  afterAll(async () => t?.close());
  const cc = (k: { clientId: string; secret: string }) =>
    t.token({ grant_type: 'client_credentials', client_id: k.clientId, client_secret: k.secret });

  it('a repeated login with the same credentials reads no API key, tenant or role from the store', async () => {
    const k = await t.createApiKey(tenantId, ['Operator']);
    expect((await cc(k)).statusCode).toBe(200);
    const store = t.server.deps.store;
    const spies = [
      vi.spyOn(store.apiKeys, 'findForClient'),
      vi.spyOn(store.apiKeys, 'findByName'),
      vi.spyOn(store.tenants, 'findByName'),
      vi.spyOn(store.tenants, 'get'),
      vi.spyOn(store.assignments, 'listForPrincipal'),
    ];
    try {
      const again = await cc(k);
      expect(again.statusCode).toBe(200);
      expect(decodeJwt(again.json().access_token as string).realm_access).toEqual({ roles: ['Operator'] });
      for (const s of spies) expect(s).not.toHaveBeenCalled();
      // a wrong secret never takes the cached path
      expect((await cc({ ...k, secret: k.secret.slice(0, -1) + (k.secret.endsWith('A') ? 'B' : 'A') })).statusCode).toBe(401);
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  it('case=delete: a deleted key no longer logs in, though it was cached', async () => {
    const k = await t.createApiKey(tenantId, ['Operator']);
    expect((await cc(k)).statusCode).toBe(200);
    expect((await cc(k)).statusCode).toBe(200);
    expect((await t.req('DELETE', `/iam/api-keys/${k.id}`, { token: admin, tenant: tenantId })).statusCode).toBe(204);
    expect((await cc(k)).statusCode).toBe(401);
  });

  it('case=permission: a change to its custom role shows in the very next token', async () => {
    const role = await t.createRole(tenantId, ['Asset Management']);
    const k = await t.createApiKey(tenantId, [role.name]);
    const perms = async () => decodeJwt((await cc(k)).json().access_token as string).permissions;
    expect(await perms()).toEqual(['Asset Management']);
    expect(await perms()).toEqual(['Asset Management']);
    const patched = await t.req('PATCH', `/iam/roles/${role.id}`, {
      token: admin,
      tenant: tenantId,
      body: { permissions: ['Operations Management'] },
    });
    expect(patched.statusCode).toBe(200);
    expect(await perms()).toEqual(['Operations Management']);
  });

  it('case=tenant: a key of a deleted organization no longer logs in, though it was cached', async () => {
    const org = await t.createOrg(tenantId);
    const k = await t.createApiKey(org.id, ['Operator']);
    expect((await cc(k)).statusCode).toBe(200);
    expect((await cc(k)).statusCode).toBe(200);
    expect((await t.req('DELETE', `/iam/orgs/${org.id}`, { token: admin, tenant: tenantId })).statusCode).toBe(204);
    expect((await cc(k)).statusCode).toBe(401);
  });

  it('case=first-use: the first login is audited as first use once, not again from the cache', async () => {
    const k = await t.createApiKey(tenantId, ['Operator']);
    for (let i = 0; i < 3; i++) expect((await cc(k)).statusCode).toBe(200);
    const page = await t.server.deps.store.audit.query(tenantId, { offset: 0, limit: 1000, action: 'api_key.first_used' });
    expect(page.items.filter((e) => e.targetId === k.id)).toHaveLength(1);
  });
});
