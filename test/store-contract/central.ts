import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueViolation, type Store } from '../../src/store/port.js';
import type { CentralApiToken, CentralCustomRole, CentralOrganization, SealedCentralApp } from '../../src/domain/central.js';
import { T0, tenant, type Open } from './fixtures.js';

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

const appRow = (tenantId: string, o: Partial<SealedCentralApp> = {}): SealedCentralApp => ({
  id: randomUUID(),
  tenantId,
  resourceGroup: 'Rg',
  name: unique('App'),
  subdomain: unique('Sub'),
  displayName: 'An app',
  sku: 'ST1',
  location: 'westus',
  template: 'iotc-pnp-preview',
  tags: { a: 'b' },
  identityType: 'None',
  keyEnc: 'v1.sealed',
  createdAt: T0,
  updatedAt: T0,
  ...o,
});
const tokenRow = (
  appId: string,
  id = unique('tok'),
  roles: CentralApiToken['roles'] = [{ role: 'ae2c9854-393b-4f97-8c42-479d70ce626e' }],
): CentralApiToken => ({
  appId,
  id,
  roles,
  expiry: T0 + 1000,
  salt: 'salt',
  createdAt: T0,
});
const orgRow = (appId: string, id: string, parent: string | null = null): CentralOrganization => ({
  appId,
  id,
  displayName: `Org ${id}`,
  parent,
  createdAt: T0,
});
const roleRow = (appId: string, id = randomUUID()): CentralCustomRole => ({
  appId,
  id,
  displayName: 'Custom',
  scope: 'app',
  permissions: ['roles.read'],
  createdAt: T0,
});

export function centralContract(open: Open) {
  describe('central', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it('inserts an app; gets it by resource group and name case-insensitively; finds it by id or subdomain in any tenant; lists by tenant and resource group', async () => {
      const t = await tenant(s);
      const a = appRow(t.id);
      const b = appRow(t.id, { resourceGroup: 'Other', name: `a-${a.name}` });
      await s.central.insertApp(a);
      await s.central.insertApp(b);
      expect(await s.central.getApp(t.id, 'RG', a.name.toUpperCase())).toEqual(a);
      expect(await s.central.getApp(t.id, 'other', a.name)).toBeUndefined();
      expect(await s.central.findApp(a.id.toUpperCase())).toEqual(a);
      expect(await s.central.findApp(a.subdomain.toUpperCase())).toEqual(a);
      expect(await s.central.findApp('nothing-here')).toBeUndefined();
      expect(await s.central.findAppByName(b.name.toLowerCase())).toEqual(b);
      expect((await s.central.listApps(t.id)).map((x) => x.name)).toEqual([b.name, a.name]);
      expect((await s.central.listApps(t.id, 'rg')).map((x) => x.name)).toEqual([a.name]);
      expect(await s.central.listApps(t.id, 'nowhere')).toEqual([]);
    });

    it('case=unique: ARM names and subdomains are unique across tenants, case-insensitively', async () => {
      const a = await tenant(s);
      const b = await tenant(s);
      const app = appRow(a.id);
      await s.central.insertApp(app);
      await expect(s.central.insertApp(appRow(b.id, { name: app.name.toUpperCase() }))).rejects.toBeInstanceOf(UniqueViolation);
      await expect(s.central.insertApp(appRow(b.id, { subdomain: app.subdomain.toLowerCase() }))).rejects.toBeInstanceOf(UniqueViolation);
      const other = appRow(b.id);
      await s.central.insertApp(other);
      await expect(s.central.updateApp(b.id, { ...other, subdomain: app.subdomain.toUpperCase() })).rejects.toBeInstanceOf(UniqueViolation);
      expect(
        await s.central.updateApp(b.id, { ...other, subdomain: `${other.subdomain}x`, displayName: 'renamed', updatedAt: T0 + 5 }),
      ).toBe(true);
      expect(await s.central.findApp(`${other.subdomain}x`)).toMatchObject({ id: other.id, displayName: 'renamed', updatedAt: T0 + 5 });
    });

    it('case=tenant-isolation: another tenant neither gets, lists, updates nor deletes an app, nor reads or deletes its tokens, organizations and roles', async () => {
      const a = await tenant(s);
      const b = await tenant(s);
      const app = appRow(a.id);
      await s.central.insertApp(app);
      await s.central.insertToken(a.id, tokenRow(app.id, 'tok'));
      await s.central.insertOrg(a.id, orgRow(app.id, 'org'));
      await s.central.insertRole(a.id, roleRow(app.id));
      expect(await s.central.getApp(b.id, app.resourceGroup, app.name)).toBeUndefined();
      expect(await s.central.listApps(b.id)).toEqual([]);
      expect(await s.central.updateApp(b.id, { ...app, tenantId: b.id, displayName: 'x' })).toBe(false);
      expect(await s.central.deleteApp(b.id, app.id)).toBe(false);
      expect(await s.central.getToken(b.id, app.id, 'tok')).toBeUndefined();
      expect(await s.central.listTokens(b.id, app.id, { offset: 0, limit: 10 })).toEqual({ items: [], total: 0 });
      expect(await s.central.deleteToken(b.id, app.id, 'tok')).toBe(false);
      expect(await s.central.listOrgs(b.id, app.id)).toEqual([]);
      expect(await s.central.deleteOrgIfLeaf(b.id, app.id, 'org')).toBe('missing');
      expect(await s.central.listRoles(b.id, app.id)).toEqual([]);
      expect(await s.central.getApp(a.id, app.resourceGroup, app.name)).toEqual(app);
      expect((await s.central.listTokens(a.id, app.id, { offset: 0, limit: 10 })).total).toBe(1);
      expect(await s.central.listOrgs(a.id, app.id)).toHaveLength(1);
    });

    it('tokens: case-sensitive ids unique per app, paged in id order, deleted once', async () => {
      const t = await tenant(s);
      const app = appRow(t.id);
      const other = appRow(t.id);
      await s.central.insertApp(app);
      await s.central.insertApp(other);
      const org = [{ role: '84cc62c1-dabe-49d3-b16e-8b291232b285', organization: 'plant-7' }];
      for (const id of ['b', 'a', 'A', 'c']) await s.central.insertToken(t.id, tokenRow(app.id, id, id === 'c' ? org : undefined));
      await s.central.insertToken(t.id, tokenRow(other.id, 'a'));
      await expect(s.central.insertToken(t.id, tokenRow(app.id, 'a'))).rejects.toBeInstanceOf(UniqueViolation);
      expect(await s.central.getToken(t.id, app.id, 'c')).toEqual(tokenRow(app.id, 'c', org));
      const p1 = await s.central.listTokens(t.id, app.id, { offset: 0, limit: 2 });
      const p2 = await s.central.listTokens(t.id, app.id, { offset: 2, limit: 2 });
      expect([p1.total, p2.total]).toEqual([4, 4]);
      expect([...p1.items, ...p2.items].map((x) => x.id)).toEqual(['A', 'a', 'b', 'c']);
      expect(await s.central.countTokensInOrg(t.id, app.id, 'plant-7')).toBe(1);
      expect(await s.central.deleteToken(t.id, app.id, 'a')).toBe(true);
      expect(await s.central.deleteToken(t.id, app.id, 'a')).toBe(false);
      expect(await s.central.getToken(t.id, app.id, 'A')).toBeDefined();
      expect(await s.central.getToken(t.id, other.id, 'a')).toBeDefined();
    });

    it('touchToken records a use without changing the token; a missing token or another tenant is no error', async () => {
      const t = await tenant(s);
      const b = await tenant(s);
      const app = appRow(t.id);
      await s.central.insertApp(app);
      await s.central.insertToken(t.id, tokenRow(app.id, 'used'));
      await s.central.touchToken(t.id, app.id, 'used', T0 + 100);
      await s.central.touchToken(t.id, app.id, 'used', T0 + 50);
      await s.central.touchToken(b.id, app.id, 'used', T0 + 200);
      await s.central.touchToken(t.id, app.id, 'nobody', T0 + 300);
      expect(await s.central.getToken(t.id, app.id, 'used')).toEqual(tokenRow(app.id, 'used'));
    });

    it('organizations: unique per app; only a leaf is deleted', async () => {
      const t = await tenant(s);
      const app = appRow(t.id);
      await s.central.insertApp(app);
      await s.central.insertOrg(t.id, orgRow(app.id, 'root'));
      await s.central.insertOrg(t.id, orgRow(app.id, 'child', 'root'));
      await expect(s.central.insertOrg(t.id, orgRow(app.id, 'root'))).rejects.toBeInstanceOf(UniqueViolation);
      expect(await s.central.listOrgs(t.id, app.id)).toEqual([orgRow(app.id, 'child', 'root'), orgRow(app.id, 'root')]);
      expect(await s.central.deleteOrgIfLeaf(t.id, app.id, 'root')).toBe('has_children');
      expect(await s.central.deleteOrgIfLeaf(t.id, app.id, 'child')).toBe('deleted');
      expect(await s.central.deleteOrgIfLeaf(t.id, app.id, 'child')).toBe('missing');
      expect(await s.central.deleteOrgIfLeaf(t.id, app.id, 'root')).toBe('deleted');
    });

    it('case=cascade: deleting an app deletes its tokens, organizations and roles, and frees its name and subdomain', async () => {
      const t = await tenant(s);
      const app = appRow(t.id);
      await s.central.insertApp(app);
      await s.central.insertToken(t.id, tokenRow(app.id, 'tok'));
      await s.central.insertOrg(t.id, orgRow(app.id, 'root'));
      await s.central.insertOrg(t.id, orgRow(app.id, 'child', 'root'));
      const role = roleRow(app.id);
      await s.central.insertRole(t.id, role);
      await expect(s.central.insertRole(t.id, role)).rejects.toBeInstanceOf(UniqueViolation);
      expect(await s.central.listRoles(t.id, app.id)).toEqual([role]);
      expect(await s.central.deleteApp(t.id, app.id)).toBe(true);
      expect(await s.central.getToken(t.id, app.id, 'tok')).toBeUndefined();
      expect(await s.central.listOrgs(t.id, app.id)).toEqual([]);
      expect(await s.central.listRoles(t.id, app.id)).toEqual([]);
      await s.central.insertApp(appRow(t.id, { name: app.name, subdomain: app.subdomain }));
    });

    it('case=cascade: deleting the tenant deletes its apps', async () => {
      const t = await tenant(s);
      const app = appRow(t.id);
      await s.central.insertApp(app);
      await s.central.insertToken(t.id, tokenRow(app.id, 'tok'));
      expect(await s.tenants.delete(t.id)).toBe(true);
      expect(await s.central.findApp(app.id)).toBeUndefined();
      expect(await s.central.getToken(t.id, app.id, 'tok')).toBeUndefined();
    });
  });
}
