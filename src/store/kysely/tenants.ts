import type { Tenant } from '../../domain/types.js';
import type { TenantRepo } from '../port.js';
import { affected, guardUnique, key, num, type Db } from './util.js';
import type { DB } from './schema.js';

const toTenant = (r: DB['tenants']): Tenant => ({ id: r.id, name: r.name, parentId: r.parent_id, createdAt: num(r.created_at) });

export const tenants = (db: Db): TenantRepo => ({
  async insert(t) {
    await guardUnique(
      'tenants',
      db
        .insertInto('tenants')
        .values({ id: t.id, name: t.name, name_key: key(t.name), parent_id: t.parentId, created_at: t.createdAt })
        .execute(),
    );
  },
  async get(id) {
    const r = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toTenant(r);
  },
  async findByName(name) {
    const r = await db.selectFrom('tenants').selectAll().where('name_key', '=', key(name)).executeTakeFirst();
    return r && toTenant(r);
  },
  async listChildren(parentId) {
    return (await db.selectFrom('tenants').selectAll().where('parent_id', '=', parentId).orderBy('name_key').execute()).map(toTenant);
  },
  async listAll() {
    return (await db.selectFrom('tenants').selectAll().orderBy('name_key').execute()).map(toTenant);
  },
  async delete(id) {
    return affected(await db.deleteFrom('tenants').where('id', '=', id).execute()) > 0;
  },
  async count() {
    const r = await db
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return num(r.n);
  },
});
