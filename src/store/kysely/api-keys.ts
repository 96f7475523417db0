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

export const apiKeys = (db: Db): ApiKeyRepo => ({
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
  async listByNameAnyTenant(name) {
    return (await db.selectFrom('api_keys').selectAll().where('name_key', '=', key(name)).limit(2).execute()).map(toKey);
  },
  async findForLogin(id) {
    const r = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r && { ...toKey(r), secretHash: r.secret_hash };
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
});
