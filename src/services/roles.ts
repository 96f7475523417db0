import { randomUUID } from 'node:crypto';
import type { Ctx, Deps } from '../deps.js';
import type { CustomRole, PrincipalType, RoleAssignment } from '../domain/types.js';
import { BUILT_IN_ROLES, findBuiltInRole, isPermission, type BuiltInRole } from '../domain/permissions.js';
import { AUDIT } from '../domain/audit-events.js';
import { AppError } from '../errors/app-error.js';
import type { Store } from '../store/port.js';
import type { CreateRole, UpdateRole } from '../schemas/iam.js';
import { unique } from './unique.js';
import { auditEvent } from './audit.js';
import type { AccessService } from './access.js';

/** A role as the API shows it: built-in or custom, with its permissions. */
export interface RoleView {
  id: string;
  name: string;
  description: string | null;
  builtIn: boolean;
  permissions: string[];
  tenantId: string | null;
}

const builtInView = (r: BuiltInRole): RoleView => ({
  id: r.id,
  name: r.name,
  description: r.description,
  builtIn: true,
  permissions: [...r.permissions],
  tenantId: null,
});
const customView = (r: CustomRole): RoleView => ({
  id: r.id,
  name: r.name,
  description: r.description,
  builtIn: false,
  permissions: r.permissions,
  tenantId: r.tenantId,
});

export function dedupeRoles(roles: RoleView[]): RoleView[] {
  const seen = new Set<string>();
  return roles.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}

/** Roles (built-in and custom) and role assignments. */
export function roleService(deps: Deps, access: AccessService) {
  const { store, clock, bus } = deps;

  /** Finds a role usable in `tenantId`: built-in, or custom in the tenant or one of its ancestors. */
  async function resolveRole(tenantId: string, idOrName: string, s: Store = store): Promise<RoleView> {
    const b = findBuiltInRole(idOrName);
    if (b) return builtInView(b);
    for (const t of (await access.chain(tenantId)) ?? []) {
      const r = (await s.roles.get(t.id, idOrName)) ?? (await s.roles.findByName(t.id, idOrName));
      if (r) return customView(r);
    }
    throw new AppError('ROLE_NOT_FOUND', { id: idOrName });
  }

  /** The role an assignment refers to, whatever its tenant; undefined when it is gone. */
  async function roleOf(roleId: string): Promise<RoleView | undefined> {
    const b = findBuiltInRole(roleId);
    if (b) return builtInView(b);
    const c = await store.roles.getAny(roleId);
    return c && customView(c);
  }

  function checkPermissions(perms: string[]): string[] {
    for (const p of perms) if (!isPermission(p)) throw new AppError('PERMISSION_UNKNOWN', { permission: p });
    return [...new Set(perms)];
  }

  /** No one grants what they do not hold: the caller holds every permission of each role here. */
  async function requireGrantable(ctx: Ctx, tenantId: string, roles: readonly RoleView[]): Promise<void> {
    for (const r of roles) await access.requireGrantable(ctx, tenantId, `role '${r.name}'`, r.permissions);
  }

  /** Assigns inside the caller's transaction and audits it there. */
  async function assign(ctx: Ctx, tx: Store, tenantId: string, type: PrincipalType, id: string, role: RoleView): Promise<RoleAssignment> {
    const a: RoleAssignment = { id: randomUUID(), tenantId, principalType: type, principalId: id, roleId: role.id, createdAt: clock.now() };
    await unique(tx.assignments.insert(a), () => new AppError('VALIDATION_FAILED', { detail: `Role ${role.name} is already assigned` }));
    await tx.audit.append(auditEvent(deps, ctx, tenantId, AUDIT.ROLE_ASSIGNED, { type, id }, { role: role.name, roleId: role.id }));
    return a;
  }

  /** A custom role of this very tenant (built-in and inherited roles cannot be changed here). */
  async function ownCustomRole(tenantId: string, ref: string): Promise<RoleView> {
    const role = await resolveRole(tenantId, ref);
    if (role.builtIn) throw new AppError('ROLE_BUILT_IN', { name: role.name });
    if (role.tenantId !== tenantId) throw new AppError('ROLE_NOT_FOUND', { id: ref });
    return role;
  }

  return {
    resolveRole,
    requireGrantable,
    assign,
    builtIn: (idOrName: string): RoleView => builtInView(findBuiltInRole(idOrName)!),

    /** Role assignments of a principal in one tenant, as role views. */
    async rolesOf(type: PrincipalType, id: string, tenantId: string): Promise<RoleView[]> {
      const out: RoleView[] = [];
      for (const a of await store.assignments.listForPrincipal(type, id)) {
        if (a.tenantId !== tenantId) continue;
        const r = await roleOf(a.roleId);
        if (r) out.push(r);
      }
      return out.sort((x, y) => x.name.localeCompare(y.name));
    },

    /** Every role the principal holds, in every tenant, as /iam/users/me lists them. */
    async rolesOfEverywhere(type: PrincipalType, id: string) {
      const out: { tenant_id: string; tenant_name: string; role_id: string; role_name: string; permissions: string[] }[] = [];
      for (const a of await store.assignments.listForPrincipal(type, id)) {
        const t = await store.tenants.get(a.tenantId);
        const role = await roleOf(a.roleId);
        if (t && role)
          out.push({ tenant_id: t.id, tenant_name: t.name, role_id: role.id, role_name: role.name, permissions: role.permissions });
      }
      return out;
    },

    async assignUserRole(ctx: Ctx, tenantId: string, userId: string, roleRef: string): Promise<RoleView> {
      const u = await store.users.get(userId);
      // A user of this tenant or of an ancestor tenant, or one already holding a role here (visible
      // in GET /iam/users/:id, e.g. the platform admin in a tenant it created), may be granted a role here.
      const chain = (await access.chain(tenantId)) ?? [];
      const member = u && (await store.assignments.listForPrincipal('user', u.id)).some((a) => a.tenantId === tenantId);
      if (!u || !(member || chain.some((t) => t.id === u.tenantId))) throw new AppError('USER_NOT_FOUND', { id: userId });
      const role = await resolveRole(tenantId, roleRef);
      await requireGrantable(ctx, tenantId, [role]);
      await store.transaction((tx) => assign(ctx, tx, tenantId, 'user', u.id, role));
      await bus.publish({ t: 'access', type: 'user', id: u.id });
      return role;
    },

    async unassignUserRole(ctx: Ctx, tenantId: string, userId: string, roleRef: string): Promise<void> {
      const role = await resolveRole(tenantId, roleRef).catch(() => undefined);
      // Taking a role away is held to the same rule: no one removes a role stronger than their own.
      if (role) await requireGrantable(ctx, tenantId, [role]);
      const done =
        role &&
        (await store.transaction(async (tx) => {
          const ok = await tx.assignments.delete(tenantId, 'user', userId, role.id);
          if (ok)
            await tx.audit.append(
              auditEvent(deps, ctx, tenantId, AUDIT.ROLE_UNASSIGNED, { type: 'user', id: userId }, { role: role.name, roleId: role.id }),
            );
          return ok;
        }));
      if (!done) throw new AppError('ROLE_ASSIGNMENT_NOT_FOUND');
      await bus.publish({ t: 'access', type: 'user', id: userId });
    },

    async listRoles(tenantId: string): Promise<RoleView[]> {
      const custom: RoleView[] = [];
      for (const t of (await access.chain(tenantId)) ?? []) custom.push(...(await store.roles.list(t.id)).map(customView));
      return [...BUILT_IN_ROLES.map(builtInView), ...custom];
    },

    getRole: (tenantId: string, ref: string): Promise<RoleView> => resolveRole(tenantId, ref),

    async createRole(ctx: Ctx, tenantId: string, input: CreateRole): Promise<RoleView> {
      if (findBuiltInRole(input.name)) throw new AppError('ROLE_NAME_TAKEN', { name: input.name });
      const r: CustomRole = {
        id: randomUUID(),
        tenantId,
        name: input.name,
        description: input.description ?? null,
        permissions: checkPermissions(input.permissions),
        createdAt: clock.now(),
      };
      await access.requireGrantable(ctx, tenantId, `role '${r.name}'`, r.permissions);
      await store.transaction(async (tx) => {
        await unique(tx.roles.insert(r), () => new AppError('ROLE_NAME_TAKEN', { name: input.name }));
        await tx.audit.append(
          auditEvent(deps, ctx, tenantId, AUDIT.ROLE_CREATED, { type: 'role', id: r.id }, { name: r.name, permissions: r.permissions }),
        );
      });
      return customView(r);
    },

    async updateRole(ctx: Ctx, tenantId: string, ref: string, patch: UpdateRole): Promise<RoleView> {
      const role = await ownCustomRole(tenantId, ref);
      if (patch.name && findBuiltInRole(patch.name)) throw new AppError('ROLE_NAME_TAKEN', { name: patch.name });
      const perms = patch.permissions && checkPermissions(patch.permissions);
      // Its holders gain the new permissions, and a role stronger than the caller is not the caller's to touch.
      await access.requireGrantable(ctx, tenantId, `role '${role.name}'`, [...role.permissions, ...(perms ?? [])]);
      await store.transaction(async (tx) => {
        await unique(
          tx.roles.update(tenantId, role.id, { ...patch, permissions: perms }),
          () => new AppError('ROLE_NAME_TAKEN', { name: patch.name ?? '' }),
        );
        await tx.audit.append(
          auditEvent(deps, ctx, tenantId, AUDIT.ROLE_UPDATED, { type: 'role', id: role.id }, { ...patch, permissions: perms }),
        );
      });
      await bus.publish({ t: 'roles' });
      return resolveRole(tenantId, role.id);
    },

    async deleteRole(ctx: Ctx, tenantId: string, ref: string): Promise<void> {
      const role = await ownCustomRole(tenantId, ref);
      await requireGrantable(ctx, tenantId, [role]);
      if ((await store.assignments.countForRole(role.id)) > 0) throw new AppError('ROLE_IN_USE', { name: role.name });
      await store.transaction(async (tx) => {
        await tx.roles.delete(tenantId, role.id);
        await tx.audit.append(auditEvent(deps, ctx, tenantId, AUDIT.ROLE_DELETED, { type: 'role', id: role.id }, { name: role.name }));
      });
      await bus.publish({ t: 'roles' });
    },
  };
}

export type RoleService = ReturnType<typeof roleService>;
