import { CompiledQuery } from 'kysely';
import type { ApiKey } from '../../domain/types.js';
import type { ApiKeyRepo } from '../port.js';
import { affected, guardUnique, key, num, numOrNull, type Db } from './util.js';
import type { DB } from './schema.js';

const toKey = (r: DB['api_keys']): ApiKey => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  start: r.start,
  expiresAt: num(r.expires_at),
  createdAt: num(r.created_at),
  createdBy: r.created_by,
  lastUsedAt: numOrNull(r.last_used_at),
});

const KEY_COLUMNS = [
  'id',
  'tenant_id',
  'name',
  'secret_hash',
  'start',
  'expires_at',
  'created_at',
  'created_by',
  'last_used_at',
] as const satisfies readonly (keyof DB['api_keys'])[];

export const apiKeys = (db: Db): ApiKeyRepo => {
  const clientSql = new Map<string, string>();
  return {
    async insert(k) {
      await guardUnique(
        'api_keys',
        db
          .insertInto('api_keys')
          .values({
            id: k.id,
            tenant_id: k.tenantId,
            name: k.name,
            name_key: key(k.name),
            secret_hash: k.secretHash,
            start: k.start,
            expires_at: k.expiresAt,
            created_at: k.createdAt,
            created_by: k.createdBy,
            last_used_at: k.lastUsedAt,
          })
          .execute(),
      );
    },
    async get(tenantId, id) {
      const r = await db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return r && toKey(r);
    },
    async getAny(id) {
      const r = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toKey(r);
    },
    async findByName(tenantId, name) {
      const r = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('name_key', '=', key(name))
        .executeTakeFirst();
      return r && toKey(r);
    },
    async findForClient(ref) {
      const [form, params] =
        'id' in ref
          ? (['id', [ref.id]] as const)
          : 'tenantName' in ref
            ? (['tenant', [key(ref.tenantName), key(ref.keyName)]] as const)
            : (['name', [key(ref.keyName)]] as const);
      // Compiled once per form (Kysely builds and compiles this 13-column aggregate in ~40 µs), then run with its values.
      let sql = clientSql.get(form);
      if (sql === undefined) {
        let q = db
          .selectFrom('api_keys as k')
          .innerJoin('tenants as t', 't.id', 'k.tenant_id')
          .select((eb) => [
            eb.fn.countAll<number | string>().as('n'),
            ...KEY_COLUMNS.map((c) => eb.fn.max(`k.${c}`).as(c)),
            eb.fn.max('t.name').as('tenant_name'),
            eb.fn.max('t.parent_id').as('tenant_parent_id'),
            eb.fn.max('t.created_at').as('tenant_created_at'),
          ]);
        if (form === 'id') q = q.where('k.id', '=', params[0]);
        else if (form === 'tenant') q = q.where('t.name_key', '=', params[0]).where('k.name_key', '=', params[1]!);
        else q = q.where('k.name_key', '=', params[0]);
        const compiled = q.compile();
        if (compiled.parameters.length !== params.length || compiled.parameters.some((p, i) => p !== params[i]))
          throw new Error(`findForClient: unexpected parameters for ${form}`);
        clientSql.set(form, (sql = compiled.sql));
      }
      const r = (await db.executeQuery(CompiledQuery.raw(sql, [...params]))).rows[0] as DB['api_keys'] & {
        n: number | string;
        tenant_name: string;
        tenant_parent_id: string | null;
        tenant_created_at: number | string;
      };
      // Both outcomes map one row: a miss is all nulls.
      const found = {
        key: { ...toKey(r), secretHash: r.secret_hash },
        tenant: { id: r.tenant_id, name: r.tenant_name, parentId: r.tenant_parent_id, createdAt: num(r.tenant_created_at) },
      };
      return num(r.n) === 1 ? found : undefined;
    },
    async list(tenantId) {
      return (await db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('name_key').execute()).map(toKey);
    },
    async delete(tenantId, id) {
      return affected(await db.deleteFrom('api_keys').where('tenant_id', '=', tenantId).where('id', '=', id).execute()) > 0;
    },
    async touch(id, at) {
      // Never backwards: nodes flush their usage batches in any order.
      await db
        .updateTable('api_keys')
        .set({ last_used_at: at })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    },
  };
};
