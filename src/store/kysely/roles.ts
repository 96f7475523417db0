import type { CustomRole, PrincipalType, RoleAssignment } from '../../domain/types.js';
import type { AssignmentRepo, RoleRepo } from '../port.js';
import { affected, guardUnique, key, num, type Db } from './util.js';
import type { DB } from './schema.js';

const toRole = (r: DB['roles']): CustomRole => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  description: r.description,
  permissions: JSON.parse(r.permissions) as string[],
  createdAt: num(r.created_at),
});

export const roles = (db: Db): RoleRepo => ({
  async insert(r) {
    await guardUnique(
      'roles',
      db
        .insertInto('roles')
        .values({
          id: r.id,
          tenant_id: r.tenantId,
          name: r.name,
          name_key: key(r.name),
          description: r.description,
          permissions: JSON.stringify(r.permissions),
          created_at: r.createdAt,
        })
        .execute(),
    );
  },
  async get(tenantId, id) {
    const r = await db.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r && toRole(r);
  },
  async getAny(id) {
    const r = await db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toRole(r);
  },
  async findByName(tenantId, name) {
    const r = await db
      .selectFrom('roles')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('name_key', '=', key(name))
      .executeTakeFirst();
    return r && toRole(r);
  },
  async list(tenantId) {
    return (await db.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId).orderBy('name_key').execute()).map(toRole);
  },
  async update(tenantId, id, patch) {
    const set: Partial<DB['roles']> = {};
    if (patch.name !== undefined) Object.assign(set, { name: patch.name, name_key: key(patch.name) });
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.permissions !== undefined) set.permissions = JSON.stringify(patch.permissions);
    if (Object.keys(set).length === 0) return (await this.get(tenantId, id)) !== undefined;
    return (
      affected(
        await guardUnique('roles', db.updateTable('roles').set(set).where('tenant_id', '=', tenantId).where('id', '=', id).execute()),
      ) > 0
    );
  },
  async delete(tenantId, id) {
    return affected(await db.deleteFrom('roles').where('tenant_id', '=', tenantId).where('id', '=', id).execute()) > 0;
  },
});

const toAssignment = (r: DB['role_assignments']): RoleAssignment => ({
  id: r.id,
  tenantId: r.tenant_id,
  principalType: r.principal_type as PrincipalType,
  principalId: r.principal_id,
  roleId: r.role_id,
  createdAt: num(r.created_at),
});

export const assignments = (db: Db): AssignmentRepo => ({
  async insert(a) {
    await guardUnique(
      'role_assignments',
      db
        .insertInto('role_assignments')
        .values({
          id: a.id,
          tenant_id: a.tenantId,
          principal_type: a.principalType,
          principal_id: a.principalId,
          role_id: a.roleId,
          created_at: a.createdAt,
        })
        .execute(),
    );
  },
  async listForPrincipal(type, id) {
    return (
      await db
        .selectFrom('role_assignments')
        .selectAll()
        .where('principal_type', '=', type)
        .where('principal_id', '=', id)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    ).map(toAssignment);
  },
  async listForTenant(tenantId) {
    return (
      await db.selectFrom('role_assignments').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute()
    ).map(toAssignment);
  },
  async countForRole(roleId) {
    const r = await db
      .selectFrom('role_assignments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role_id', '=', roleId)
      .executeTakeFirstOrThrow();
    return num(r.n);
  },
  async delete(tenantId, principalType, principalId, roleId) {
    return (
      affected(
        await db
          .deleteFrom('role_assignments')
          .where('tenant_id', '=', tenantId)
          .where('principal_type', '=', principalType)
          .where('principal_id', '=', principalId)
          .where('role_id', '=', roleId)
          .execute(),
      ) > 0
    );
  },
  async deleteForPrincipal(type, id) {
    return affected(await db.deleteFrom('role_assignments').where('principal_type', '=', type).where('principal_id', '=', id).execute());
  },
});
