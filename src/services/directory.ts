import { randomUUID } from 'node:crypto';
import type { Ctx, Deps } from '../deps.js';
import type { CustomRole, PrincipalType, RoleAssignment, Tenant, User } from '../domain/types.js';
import { BUILT_IN_ROLES, findBuiltInRole, isPermission } from '../domain/permissions.js';
import { AUDIT } from '../domain/audit-events.js';
import { AppError } from '../errors/app-error.js';
import type { Store } from '../store/port.js';
import { unique } from './unique.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../crypto/passwords.js';
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

const builtInView = (r: (typeof BUILT_IN_ROLES)[number]): RoleView => ({
  id: r.id, name: r.name, description: r.description, builtIn: true, permissions: [...r.permissions], tenantId: null,
});
const customView = (r: CustomRole): RoleView => ({
  id: r.id, name: r.name, description: r.description, builtIn: false, permissions: r.permissions, tenantId: r.tenantId,
});

/** Tenants, organizations, users, roles and role assignments. */
export function directoryService(deps: Deps, access: AccessService) {
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

  function checkPermissions(perms: string[]): string[] {
    for (const p of perms) if (!isPermission(p)) throw new AppError('PERMISSION_UNKNOWN', { permission: p });
    return [...new Set(perms)];
  }

  async function createTenantRow(ctx: Ctx, name: string, parentId: string | null, tx: Store): Promise<Tenant> {
    const t: Tenant = { id: randomUUID(), name, parentId, createdAt: clock.now() };
    await unique(tx.tenants.insert(t), () => new AppError('TENANT_NAME_TAKEN', { name }));
    await tx.audit.append(auditEvent(deps, ctx, t.id, parentId ? AUDIT.ORG_CREATED : AUDIT.TENANT_CREATED, { type: 'tenant', id: t.id }, { name, parentId }));
    if (parentId) await tx.audit.append(auditEvent(deps, ctx, parentId, AUDIT.ORG_CREATED, { type: 'tenant', id: t.id }, { name }));
    return t;
  }

  async function assign(ctx: Ctx, tx: Store, tenantId: string, type: PrincipalType, id: string, role: RoleView): Promise<RoleAssignment> {
    const a: RoleAssignment = { id: randomUUID(), tenantId, principalType: type, principalId: id, roleId: role.id, createdAt: clock.now() };
    await unique(tx.assignments.insert(a), () => new AppError('VALIDATION_FAILED', { detail: `Role ${role.name} is already assigned` }));
    await tx.audit.append(auditEvent(deps, ctx, tenantId, AUDIT.ROLE_ASSIGNED, { type, id }, { role: role.name, roleId: role.id }));
    return a;
  }

  /** Visible in `tenantId`: its own users, and users holding a role there. */
  async function visibleUser(tenantId: string, userId: string): Promise<User> {
    const u = await store.users.get(userId);
    if (u && u.tenantId === tenantId) return u;
    if (u && (await store.assignments.listForPrincipal('user', u.id)).some((a) => a.tenantId === tenantId)) return u;
    throw new AppError('USER_NOT_FOUND', { id: userId });
  }

  return {
    resolveRole,
    assign,

    async createTenant(ctx: Ctx, name: string): Promise<Tenant> {
      if (!ctx.principal?.platformAdmin) throw new AppError('PLATFORM_ADMIN_REQUIRED');
      const owner = ctx.principal;
      const t = await store.transaction(async (tx) => {
        const t = await createTenantRow(ctx, name, null, tx);
        await assign(ctx, tx, t.id, owner.type, owner.id, builtInView(findBuiltInRole('Tenant Admin')!));
        return t;
      });
      await bus.publish({ t: 'access', type: owner.type, id: owner.id });
      return t;
    },

    async listTenants(ctx: Ctx): Promise<Tenant[]> {
      const p = ctx.principal!;
      const mine = await store.assignments.listForPrincipal(p.type, p.id);
      const ids = new Set(mine.map((a) => a.tenantId));
      const out: Tenant[] = [];
      for (const id of ids) {
        const t = await store.tenants.get(id);
        if (t) out.push(t);
      }
      return out.sort((a, b) => a.name.localeCompare(b.name));
    },

    async createOrg(ctx: Ctx, parentId: string, name: string): Promise<Tenant> {
      const t = await store.transaction((tx) => createTenantRow(ctx, name, parentId, tx));
      await bus.publish({ t: 'tenants' });
      return t;
    },

    async listOrgs(parentId: string): Promise<Tenant[]> {
      return store.tenants.listChildren(parentId);
    },

    async getOrg(parentId: string, id: string): Promise<Tenant> {
      const t = await store.tenants.get(id);
      if (!t || t.parentId !== parentId) throw new AppError('TENANT_NOT_FOUND', { id });
      return t;
    },

    async deleteOrg(ctx: Ctx, parentId: string, id: string): Promise<void> {
      const t = await this.getOrg(parentId, id);
      if ((await store.tenants.listChildren(t.id)).length) throw new AppError('ORG_HAS_CHILDREN', { id });
      const homeUsers = await store.users.listByTenant(t.id);
      const keys = await store.apiKeys.list(t.id);
      await store.transaction(async (tx) => {
        for (const u of homeUsers) await tx.assignments.deleteForPrincipal('user', u.id);
        await tx.tenants.delete(t.id);
        await tx.audit.append(auditEvent(deps, ctx, parentId, AUDIT.ORG_DELETED, { type: 'tenant', id: t.id }, { name: t.name }));
      });
      for (const u of homeUsers) await bus.publish({ t: 'principal', type: 'user', id: u.id });
      for (const k of keys) await bus.publish({ t: 'principal', type: 'api_key', id: k.id });
      await bus.publish({ t: 'tenants' });
    },

    async createUser(ctx: Ctx, tenantId: string, input: { username: string; password: string; email?: string; firstName?: string; lastName?: string; roles: string[] }): Promise<{ user: User; roles: RoleView[] }> {
      if (input.password.length < MIN_PASSWORD_LENGTH) throw new AppError('PASSWORD_TOO_WEAK', { min: MIN_PASSWORD_LENGTH });
      const roles = await Promise.all(input.roles.map((r) => resolveRole(tenantId, r)));
      const user: User = {
        id: randomUUID(), tenantId, username: input.username, email: input.email ?? null, firstName: input.firstName ?? null,
        lastName: input.lastName ?? null, platformAdmin: false, disabled: false, createdAt: clock.now(), lastUsedAt: null,
      };
      const passwordHash = await hashPassword(input.password);
      await store.transaction(async (tx) => {
        await unique(tx.users.insert({ ...user, passwordHash }), () => new AppError('USERNAME_TAKEN', { username: input.username }));
        await tx.audit.append(auditEvent(deps, ctx, tenantId, AUDIT.USER_CREATED, { type: 'user', id: user.id }, { username: user.username }));
        for (const r of dedupe(roles)) await assign(ctx, tx, tenantId, 'user', user.id, r);
      });
      return { user, roles: dedupe(roles) };
    },

    visibleUser,

    async listUsers(tenantId: string): Promise<User[]> {
      const home = await store.users.listByTenant(tenantId);
      const seen = new Set(home.map((u) => u.id));
      for (const a of await store.assignments.listForTenant(tenantId)) {
        if (a.principalType !== 'user' || seen.has(a.principalId)) continue;
        const u = await store.users.get(a.principalId);
        if (u) {
          home.push(u);
          seen.add(u.id);
        }
      }
      return home.sort((a, b) => a.username.localeCompare(b.username));
    },

    async deleteUser(ctx: Ctx, tenantId: string, userId: string): Promise<void> {
      const u = await visibleUser(tenantId, userId);
      if (u.tenantId !== tenantId) throw new AppError('USER_NOT_FOUND', { id: userId });
      if (ctx.principal?.type === 'user' && ctx.principal.id === u.id) throw new AppError('USER_SELF_DELETE');
      await store.transaction(async (tx) => {
        await tx.sessions.revokeForPrincipal('user', u.id, clock.now());
        await tx.assignments.deleteForPrincipal('user', u.id);
        await tx.users.delete(u.id);
        await tx.audit.append(auditEvent(deps, ctx, tenantId, AUDIT.USER_DELETED, { type: 'user', id: u.id }, { username: u.username }));
      });
      await bus.publish({ t: 'principal', type: 'user', id: u.id });
    },

    /** Role assignments of a principal in one tenant, as role views. */
    async rolesOf(type: PrincipalType, id: string, tenantId: string): Promise<RoleView[]> {
      const out: RoleView[] = [];
      for (const a of await store.assignments.listForPrincipal(type, id)) {
        if (a.tenantId !== tenantId) continue;
        const b = BUILT_IN_ROLES.find((r) => r.id === a.roleId);
        if (b) out.push(builtInView(b));
        else {
          const c = await store.roles.getAny(a.roleId);
          if (c) out.push(customView(c));
        }
      }
      return out.sort((x, y) => x.name.localeCompare(y.name));
    },

    /** Every role the principal holds, in every tenant, as /iam/users/me lists them. */
    async rolesOfEverywhere(type: PrincipalType, id: string) {
      const out: { tenant_id: string; tenant_name: string; role_id: string; role_name: string; permissions: string[] }[] = [];
      for (const a of await store.assignments.listForPrincipal(type, id)) {
        const t = await store.tenants.get(a.tenantId);
        const b = BUILT_IN_ROLES.find((r) => r.id === a.roleId);
        const role = b ? builtInView(b) : (await store.roles.getAny(a.roleId).then((c) => c && customView(c)));
        if (t && role) out.push({ tenant_id: t.id, tenant_name: t.name, role_id: role.id, role_name: role.name, permissions: role.permissions });
      }
      return out;
    },

    userProfile: (id: string) => store.users.get(id),

    async assignUserRole(ctx: Ctx, tenantId: string, userId: string, roleRef: string): Promise<RoleView> {
      const u = await store.users.get(userId);
      // A user of this tenant or of an ancestor tenant, or one already holding a role here (visible
      // in GET /iam/users/:id, e.g. the platform admin in a tenant it created), may be granted a role here.
      const chain = (await access.chain(tenantId)) ?? [];
      const member = u && (await store.assignments.listForPrincipal('user', u.id)).some((a) => a.tenantId === tenantId);
      if (!u || !(member || chain.some((t) => t.id === u.tenantId))) throw new AppError('USER_NOT_FOUND', { id: userId });
      const role = await resolveRole(tenantId, roleRef);
      await store.transaction((tx) => assign(ctx, tx, tenantId, 'user', u.id, role));
      await bus.publish({ t: 'access', type: 'user', id: u.id });
      return role;
    },

    async unassignUserRole(ctx: Ctx, tenantId: string, userId: string, roleRef: string): Promise<void> {
      const role = await resolveRole(tenantId, roleRef).catch(() => undefined);
      const done = role && await store.transaction(async (tx) => {
        const ok = await tx.assignments.delete(tenantId, 'user', userId, role.id);
        if (ok) await tx.audit.append(auditEvent(deps, ctx, tenantId, AUDIT.ROLE_UNASSIGNED, { type: 'user', id: userId }, { role: role.name, roleId: role.id }));
        return ok;
      });
      if (!done) throw new AppError('ROLE_ASSIGNMENT_NOT_FOUND');
      await bus.publish({ t: 'access', type: 'user', id: userId });
    },

    async listRoles(tenantId: string): Promise<RoleView[]> {
      const custom: RoleView[] = [];
      for (const t of (await access.chain(tenantId)) ?? []) custom.push(...(await store.roles.list(t.id)).map(customView));
      return [...BUILT_IN_ROLES.map(builtInView), ...custom];
    },

    async getRole(tenantId: string, ref: string): Promise<RoleView> {
      return resolveRole(tenantId, ref);
    },

    async createRole(ctx: Ctx, tenantId: string, input: { name: string; description?: string; permissions: string[] }): Promise<RoleView> {
      if (findBuiltInRole(input.name)) throw new AppError('ROLE_NAME_TAKEN', { name: input.name });
      const r: CustomRole = { id: randomUUID(), tenantId, name: input.name, description: input.description ?? null, permissions: checkPermissions(input.permissions), createdAt: clock.now() };
      await store.transaction(async (tx) => {
        await unique(tx.roles.insert(r), () => new AppError('ROLE_NAME_TAKEN', { name: input.name }));
        await tx.audit.append(auditEvent(deps, ctx, tenantId, AUDIT.ROLE_CREATED, { type: 'role', id: r.id }, { name: r.name, permissions: r.permissions }));
      });
      return customView(r);
    },

    async updateRole(ctx: Ctx, tenantId: string, ref: string, patch: { name?: string; description?: string | null; permissions?: string[] }): Promise<RoleView> {
      const role = await resolveRole(tenantId, ref);
      if (role.builtIn) throw new AppError('ROLE_BUILT_IN', { name: role.name });
      if (role.tenantId !== tenantId) throw new AppError('ROLE_NOT_FOUND', { id: ref });
      if (patch.name && findBuiltInRole(patch.name)) throw new AppError('ROLE_NAME_TAKEN', { name: patch.name });
      const perms = patch.permissions && checkPermissions(patch.permissions);
      await store.transaction(async (tx) => {
        await unique(tx.roles.update(tenantId, role.id, { ...patch, permissions: perms }), () => new AppError('ROLE_NAME_TAKEN', { name: patch.name ?? '' }));
        await tx.audit.append(auditEvent(deps, ctx, tenantId, AUDIT.ROLE_UPDATED, { type: 'role', id: role.id }, { ...patch, permissions: perms }));
      });
      await bus.publish({ t: 'roles' });
      return resolveRole(tenantId, role.id);
    },

    async deleteRole(ctx: Ctx, tenantId: string, ref: string): Promise<void> {
      const role = await resolveRole(tenantId, ref);
      if (role.builtIn) throw new AppError('ROLE_BUILT_IN', { name: role.name });
      if (role.tenantId !== tenantId) throw new AppError('ROLE_NOT_FOUND', { id: ref });
      if ((await store.assignments.countForRole(role.id)) > 0) throw new AppError('ROLE_IN_USE', { name: role.name });
      await store.transaction(async (tx) => {
        await tx.roles.delete(tenantId, role.id);
        await tx.audit.append(auditEvent(deps, ctx, tenantId, AUDIT.ROLE_DELETED, { type: 'role', id: role.id }, { name: role.name }));
      });
      await bus.publish({ t: 'roles' });
    },
  };
}

function dedupe(roles: RoleView[]): RoleView[] {
  const seen = new Set<string>();
  return roles.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}

export type DirectoryService = ReturnType<typeof directoryService>;
