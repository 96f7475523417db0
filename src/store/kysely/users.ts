import type { User, UserWithSecret } from '../../domain/types.js';
import type { UserRepo } from '../port.js';
import { affected, bool, guardUnique, key, num, numOrNull, type Db } from './util.js';
import type { DB } from './schema.js';

const toUser = (r: DB['users']): User => ({
  id: r.id,
  tenantId: r.tenant_id,
  username: r.username,
  email: r.email,
  firstName: r.first_name,
  lastName: r.last_name,
  platformAdmin: bool(r.platform_admin),
  disabled: bool(r.disabled),
  createdAt: num(r.created_at),
  lastUsedAt: numOrNull(r.last_used_at),
});

export const users = (db: Db): UserRepo => ({
  async insert(u) {
    await guardUnique(
      'users',
      db
        .insertInto('users')
        .values({
          id: u.id,
          tenant_id: u.tenantId,
          username: u.username,
          username_key: key(u.username),
          email: u.email,
          first_name: u.firstName,
          last_name: u.lastName,
          password_hash: u.passwordHash,
          platform_admin: u.platformAdmin ? 1 : 0,
          disabled: u.disabled ? 1 : 0,
          created_at: u.createdAt,
          last_used_at: u.lastUsedAt,
        })
        .execute(),
    );
  },
  async get(id) {
    const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toUser(r);
  },
  async findForLogin(username) {
    const r = await db.selectFrom('users').selectAll().where('username_key', '=', key(username)).executeTakeFirst();
    return r && ({ ...toUser(r), passwordHash: r.password_hash } satisfies UserWithSecret);
  },
  async listByTenant(tenantId) {
    return (await db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).orderBy('username_key').execute()).map(toUser);
  },
  async delete(id) {
    return affected(await db.deleteFrom('users').where('id', '=', id).execute()) > 0;
  },
  async touch(id, at) {
    // Never backwards: nodes flush their usage batches in any order.
    await db
      .updateTable('users')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
      .execute();
  },
});
