import type { Kysely } from 'kysely';
import type { IotRepo } from '../port.js';
import type { IotKind, IotResource, SealedPolicy } from '../../domain/types.js';
import { affected, guardUnique, key, num, numOrNull, type Db } from './util.js';
import type { DB } from './schema.js';

/** Row shapes of migrations 0002 and 0003 (kept beside their repository; schema.ts holds 0001's). */
export interface IotTables {
  iot_resources: {
    id: string;
    tenant_id: string;
    kind: string;
    resource_group: string;
    resource_group_key: string;
    name: string;
    name_key: string;
    location: string;
    sku_name: string;
    sku_capacity: number;
    tags: string;
    properties: string;
    etag: string;
    created_at: number;
    created_by: string | null;
    created_by_type: string | null;
    updated_at: number;
    updated_by: string | null;
    updated_by_type: string | null;
  };
  iot_policies: {
    resource_id: string;
    tenant_id: string;
    position: number;
    key_name: string;
    key_name_key: string;
    rights: string;
    primary_enc: string;
    secondary_enc: string;
    last_used_at: number | null;
  };
}
type IotDb = Kysely<DB & IotTables>;

/** Runs `fn` in a transaction of its own, or in the caller's when `db` already is one. */
const atomically = <T>(db: IotDb, fn: (t: IotDb) => Promise<T>): Promise<T> => (db.isTransaction ? fn(db) : db.transaction().execute(fn));

const toResource = (r: IotTables['iot_resources']): IotResource => ({
  id: r.id,
  tenantId: r.tenant_id,
  kind: r.kind as IotKind,
  resourceGroup: r.resource_group,
  name: r.name,
  location: r.location,
  skuName: r.sku_name,
  skuCapacity: num(r.sku_capacity),
  tags: JSON.parse(r.tags) as Record<string, string>,
  properties: JSON.parse(r.properties) as Record<string, unknown>,
  etag: r.etag,
  createdAt: num(r.created_at),
  createdBy: r.created_by,
  createdByType: r.created_by_type,
  updatedAt: num(r.updated_at),
  updatedBy: r.updated_by,
  updatedByType: r.updated_by_type,
});
const fromResource = (r: IotResource): IotTables['iot_resources'] => ({
  id: r.id,
  tenant_id: r.tenantId,
  kind: r.kind,
  resource_group: r.resourceGroup,
  resource_group_key: key(r.resourceGroup),
  name: r.name,
  name_key: key(r.name),
  location: r.location,
  sku_name: r.skuName,
  sku_capacity: r.skuCapacity,
  tags: JSON.stringify(r.tags),
  properties: JSON.stringify(r.properties),
  etag: r.etag,
  created_at: r.createdAt,
  created_by: r.createdBy,
  created_by_type: r.createdByType,
  updated_at: r.updatedAt,
  updated_by: r.updatedBy,
  updated_by_type: r.updatedByType,
});
const policyRows = (
  tenantId: string,
  resourceId: string,
  ps: SealedPolicy[],
  lastUsed = new Map<string, number | null>(),
): IotTables['iot_policies'][] =>
  ps.map((p, i) => ({
    resource_id: resourceId,
    tenant_id: tenantId,
    position: i,
    key_name: p.keyName,
    key_name_key: key(p.keyName),
    rights: p.rights,
    primary_enc: p.primaryEnc,
    secondary_enc: p.secondaryEnc,
    last_used_at: lastUsed.get(key(p.keyName)) ?? null,
  }));

export const iot = (d: Db): IotRepo => {
  const db = d as unknown as IotDb;
  return {
    async insert(r, policies) {
      await atomically(db, async (t) => {
        await guardUnique('iot_resources', t.insertInto('iot_resources').values(fromResource(r)).execute());
        if (policies.length)
          await guardUnique(
            'iot_policies',
            t
              .insertInto('iot_policies')
              .values(policyRows(r.tenantId, r.id, policies))
              .execute(),
          );
      });
    },
    async get(tenantId, kind, resourceGroup, name) {
      const r = await db
        .selectFrom('iot_resources')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('kind', '=', kind)
        .where('resource_group_key', '=', key(resourceGroup))
        .where('name_key', '=', key(name))
        .executeTakeFirst();
      return r && toResource(r);
    },
    async findByName(kind, name) {
      const r = await db
        .selectFrom('iot_resources')
        .selectAll()
        .where('kind', '=', kind)
        .where('name_key', '=', key(name))
        .executeTakeFirst();
      return r && toResource(r);
    },
    async list(tenantId, kind, resourceGroup) {
      let q = db.selectFrom('iot_resources').selectAll().where('tenant_id', '=', tenantId).where('kind', '=', kind);
      if (resourceGroup !== undefined) q = q.where('resource_group_key', '=', key(resourceGroup));
      return (await q.orderBy('name_key').execute()).map(toResource);
    },
    async update(tenantId, r, expectedEtag, policies) {
      const { id: _id, tenant_id: _t, kind: _k, created_at: _c, created_by: _cb, created_by_type: _ct, ...set } = fromResource(r);
      return atomically(db, async (t) => {
        const n = affected(
          await guardUnique(
            'iot_resources',
            t
              .updateTable('iot_resources')
              .set(set)
              .where('tenant_id', '=', tenantId)
              .where('id', '=', r.id)
              .where('etag', '=', expectedEtag)
              .execute(),
          ),
        );
        if (n === 0) return false;
        if (policies) {
          const kept = await t
            .selectFrom('iot_policies')
            .select(['key_name_key', 'last_used_at'])
            .where('tenant_id', '=', tenantId)
            .where('resource_id', '=', r.id)
            .execute();
          const lastUsed = new Map(kept.map((p) => [p.key_name_key, numOrNull(p.last_used_at)]));
          await t.deleteFrom('iot_policies').where('tenant_id', '=', tenantId).where('resource_id', '=', r.id).execute();
          if (policies.length)
            await guardUnique(
              'iot_policies',
              t
                .insertInto('iot_policies')
                .values(policyRows(tenantId, r.id, policies, lastUsed))
                .execute(),
            );
        }
        return true;
      });
    },
    async delete(tenantId, id) {
      return affected(await db.deleteFrom('iot_resources').where('tenant_id', '=', tenantId).where('id', '=', id).execute()) > 0;
    },
    async policies(tenantId, resourceId) {
      const rows = await db
        .selectFrom('iot_policies')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('resource_id', '=', resourceId)
        .orderBy('position')
        .execute();
      return rows.map((p) => ({
        keyName: p.key_name,
        rights: p.rights,
        primaryEnc: p.primary_enc,
        secondaryEnc: p.secondary_enc,
        lastUsedAt: numOrNull(p.last_used_at),
      }));
    },
    async touchPolicy(tenantId, resourceId, keyName, at) {
      await db
        .updateTable('iot_policies')
        .set({ last_used_at: at })
        .where('tenant_id', '=', tenantId)
        .where('resource_id', '=', resourceId)
        .where('key_name_key', '=', key(keyName))
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    },
  };
};
