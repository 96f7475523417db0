import type { Kysely } from 'kysely';
import type {
  CentralApiToken,
  CentralCustomRole,
  CentralOrganization,
  CentralPermission,
  CentralRoleAssignment,
  CentralSku,
  SealedCentralApp,
} from '../../domain/central.js';
import type { CentralRepo } from '../central-port.js';
import { affected, guardUnique, key, num, type Db } from './util.js';
import type { DB } from './schema.js';

/** Row shapes of migration 0004 (kept beside their repository). */
export interface CentralTables {
  central_apps: {
    id: string;
    tenant_id: string;
    resource_group: string;
    resource_group_key: string;
    name: string;
    name_key: string;
    subdomain: string;
    subdomain_key: string;
    display_name: string;
    sku: string;
    location: string;
    template: string;
    tags: string;
    identity_type: string;
    key_enc: string;
    created_at: number;
    updated_at: number;
  };
  central_api_tokens: {
    app_id: string;
    tenant_id: string;
    id: string;
    roles: string;
    expiry: number;
    salt: string;
    created_at: number;
    last_used_at: number | null;
  };
  central_orgs: { app_id: string; tenant_id: string; id: string; display_name: string; parent: string | null; created_at: number };
  central_roles: {
    app_id: string;
    tenant_id: string;
    id: string;
    display_name: string;
    scope: string;
    permissions: string;
    created_at: number;
  };
}
type CDb = Kysely<DB & CentralTables>;

const toApp = (r: CentralTables['central_apps']): SealedCentralApp => ({
  id: r.id,
  tenantId: r.tenant_id,
  resourceGroup: r.resource_group,
  name: r.name,
  subdomain: r.subdomain,
  displayName: r.display_name,
  sku: r.sku as CentralSku,
  location: r.location,
  template: r.template,
  tags: JSON.parse(r.tags) as Record<string, string>,
  identityType: r.identity_type as SealedCentralApp['identityType'],
  keyEnc: r.key_enc,
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});
const fromApp = (a: SealedCentralApp): CentralTables['central_apps'] => ({
  id: key(a.id),
  tenant_id: a.tenantId,
  resource_group: a.resourceGroup,
  resource_group_key: key(a.resourceGroup),
  name: a.name,
  name_key: key(a.name),
  subdomain: a.subdomain,
  subdomain_key: key(a.subdomain),
  display_name: a.displayName,
  sku: a.sku,
  location: a.location,
  template: a.template,
  tags: JSON.stringify(a.tags),
  identity_type: a.identityType,
  key_enc: a.keyEnc,
  created_at: a.createdAt,
  updated_at: a.updatedAt,
});
const toToken = (r: CentralTables['central_api_tokens']): CentralApiToken => ({
  appId: r.app_id,
  id: r.id,
  roles: JSON.parse(r.roles) as CentralRoleAssignment[],
  expiry: num(r.expiry),
  salt: r.salt,
  createdAt: num(r.created_at),
});
const toOrg = (r: CentralTables['central_orgs']): CentralOrganization => ({
  appId: r.app_id,
  id: r.id,
  displayName: r.display_name,
  parent: r.parent,
  createdAt: num(r.created_at),
});
const toRole = (r: CentralTables['central_roles']): CentralCustomRole => ({
  appId: r.app_id,
  id: r.id,
  displayName: r.display_name,
  scope: r.scope as CentralCustomRole['scope'],
  permissions: JSON.parse(r.permissions) as CentralPermission[],
  createdAt: num(r.created_at),
});

export const central = (d: Db): CentralRepo => {
  const db = d as unknown as CDb;
  return {
    async insertApp(a) {
      await guardUnique('central_apps', db.insertInto('central_apps').values(fromApp(a)).execute());
    },
    async updateApp(tenantId, a) {
      const r = fromApp(a);
      return (
        affected(
          await guardUnique(
            'central_apps',
            db
              .updateTable('central_apps')
              .set({
                subdomain: r.subdomain,
                subdomain_key: r.subdomain_key,
                display_name: r.display_name,
                sku: r.sku,
                tags: r.tags,
                identity_type: r.identity_type,
                updated_at: r.updated_at,
              })
              .where('tenant_id', '=', tenantId)
              .where('id', '=', r.id)
              .execute(),
          ),
        ) > 0
      );
    },
    async getApp(tenantId, resourceGroup, name) {
      const r = await db
        .selectFrom('central_apps')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('resource_group_key', '=', key(resourceGroup))
        .where('name_key', '=', key(name))
        .executeTakeFirst();
      return r && toApp(r);
    },
    async findApp(label) {
      const k = key(label);
      const r = await db
        .selectFrom('central_apps')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', k), eb('subdomain_key', '=', k)]))
        .executeTakeFirst();
      return r && toApp(r);
    },
    async findAppByName(name) {
      const r = await db.selectFrom('central_apps').selectAll().where('name_key', '=', key(name)).executeTakeFirst();
      return r && toApp(r);
    },
    async listApps(tenantId, resourceGroup) {
      let q = db.selectFrom('central_apps').selectAll().where('tenant_id', '=', tenantId);
      if (resourceGroup !== undefined) q = q.where('resource_group_key', '=', key(resourceGroup));
      return (await q.orderBy('name_key').execute()).map(toApp);
    },
    async deleteApp(tenantId, appId) {
      return affected(await db.deleteFrom('central_apps').where('tenant_id', '=', tenantId).where('id', '=', key(appId)).execute()) > 0;
    },

    async insertToken(tenantId, t) {
      await guardUnique(
        'central_api_tokens',
        db
          .insertInto('central_api_tokens')
          .values({
            app_id: t.appId,
            tenant_id: tenantId,
            id: t.id,
            roles: JSON.stringify(t.roles),
            expiry: t.expiry,
            salt: t.salt,
            created_at: t.createdAt,
            last_used_at: null,
          })
          .execute(),
      );
    },
    async getToken(tenantId, appId, id) {
      const r = await db
        .selectFrom('central_api_tokens')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && toToken(r);
    },
    async listTokens(tenantId, appId, page) {
      const base = db.selectFrom('central_api_tokens').where('tenant_id', '=', tenantId).where('app_id', '=', appId);
      const [rows, count] = await Promise.all([
        base.selectAll().orderBy('id').limit(page.limit).offset(page.offset).execute(),
        base.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toToken), total: num(count.n) };
    },
    async touchToken(tenantId, appId, id, at) {
      await db
        .updateTable('central_api_tokens')
        .set({ last_used_at: at })
        .where('tenant_id', '=', tenantId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    },
    async deleteToken(tenantId, appId, id) {
      return (
        affected(
          await db
            .deleteFrom('central_api_tokens')
            .where('tenant_id', '=', tenantId)
            .where('app_id', '=', appId)
            .where('id', '=', id)
            .execute(),
        ) > 0
      );
    },
    async countTokensInOrg(tenantId, appId, orgId) {
      const rows = await db
        .selectFrom('central_api_tokens')
        .select('roles')
        .where('tenant_id', '=', tenantId)
        .where('app_id', '=', appId)
        .execute();
      return rows.filter((r) => (JSON.parse(r.roles) as CentralRoleAssignment[]).some((a) => a.organization === orgId)).length;
    },

    async insertOrg(tenantId, o) {
      await guardUnique(
        'central_orgs',
        db
          .insertInto('central_orgs')
          .values({
            app_id: o.appId,
            tenant_id: tenantId,
            id: o.id,
            display_name: o.displayName,
            parent: o.parent,
            created_at: o.createdAt,
          })
          .execute(),
      );
    },
    async listOrgs(tenantId, appId) {
      return (
        await db
          .selectFrom('central_orgs')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('app_id', '=', appId)
          .orderBy('id')
          .execute()
      ).map(toOrg);
    },
    async deleteOrgIfLeaf(tenantId, appId, id) {
      // One statement: a child inserted concurrently either exists before it (refused) or after (its parent check fails).
      const n = affected(
        await db
          .deleteFrom('central_orgs')
          .where('tenant_id', '=', tenantId)
          .where('app_id', '=', appId)
          .where('id', '=', id)
          .where((eb) =>
            eb.not(eb.exists(eb.selectFrom('central_orgs as c').select('c.id').where('c.app_id', '=', appId).where('c.parent', '=', id))),
          )
          .execute(),
      );
      if (n > 0) return 'deleted';
      const exists = await db
        .selectFrom('central_orgs')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('app_id', '=', appId)
        .where('id', '=', id)
        .executeTakeFirst();
      return exists ? 'has_children' : 'missing';
    },

    async insertRole(tenantId, r) {
      await guardUnique(
        'central_roles',
        db
          .insertInto('central_roles')
          .values({
            app_id: r.appId,
            tenant_id: tenantId,
            id: r.id,
            display_name: r.displayName,
            scope: r.scope,
            permissions: JSON.stringify(r.permissions),
            created_at: r.createdAt,
          })
          .execute(),
      );
    },
    async listRoles(tenantId, appId) {
      return (
        await db
          .selectFrom('central_roles')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('app_id', '=', appId)
          .orderBy('id')
          .execute()
      ).map(toRole);
    },
  };
};
