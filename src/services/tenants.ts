import { randomBytes, randomUUID } from 'node:crypto';
import type { Ctx, Deps } from '../deps.js';
import type { Tenant } from '../domain/types.js';
import { AUDIT } from '../domain/audit-events.js';
import { FIRST_ADMIN_ROLES, TENANT_CREATOR_ROLES } from '../domain/permissions.js';
import { isTenantName, TENANT_NAME_MAX } from '../domain/tenants.js';
import { AppError } from '../errors/app-error.js';
import type { Store } from '../store/port.js';
import type { CreateTenant } from '../schemas/iam.js';
import { unique } from './unique.js';
import { auditEvent } from './audit.js';
import type { RoleService } from './roles.js';
import type { UserService } from './users.js';

/** Top-level tenants, their sub-organizations, and the first start (bootstrap). */
export function tenantService(deps: Deps, roles: RoleService, users: UserService) {
  const { store, clock, bus } = deps;

  async function insertTenant(ctx: Ctx, tx: Store, name: string, parentId: string | null, id: string = randomUUID()): Promise<Tenant> {
    if (!isTenantName(name))
      throw new AppError('VALIDATION_FAILED', { detail: `name must be 1-${TENANT_NAME_MAX} characters, not blank, without "->"` });
    const t: Tenant = { id, name, parentId, createdAt: clock.now() };
    await unique(tx.tenants.insert(t), () => new AppError('TENANT_NAME_TAKEN', { name }));
    await tx.audit.append(
      auditEvent(deps, ctx, t.id, parentId ? AUDIT.ORG_CREATED : AUDIT.TENANT_CREATED, { type: 'tenant', id: t.id }, { name, parentId }),
    );
    if (parentId) await tx.audit.append(auditEvent(deps, ctx, parentId, AUDIT.ORG_CREATED, { type: 'tenant', id: t.id }, { name }));
    return t;
  }

  return {
    async createTenant(ctx: Ctx, input: CreateTenant): Promise<Tenant> {
      if (!ctx.principal?.platformAdmin) throw new AppError('PLATFORM_ADMIN_REQUIRED');
      const owner = ctx.principal;
      const t = await store.transaction(async (tx) => {
        const t = await insertTenant(ctx, tx, input.name, null);
        for (const r of TENANT_CREATOR_ROLES) await roles.assign(ctx, tx, t.id, owner.type, owner.id, roles.builtIn(r));
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

    async createOrg(ctx: Ctx, parentId: string, input: CreateTenant): Promise<Tenant> {
      const t = await store.transaction((tx) => insertTenant(ctx, tx, input.name, parentId));
      await bus.publish({ t: 'tenants' });
      return t;
    },

    listOrgs: (parentId: string): Promise<Tenant[]> => store.tenants.listChildren(parentId),

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

    /**
     * First start: one tenant and a platform administrator holding FIRST_ADMIN_ROLES there, in one
     * transaction with their audit records. Exactly one node of a cluster does it (meta.putIfAbsent
     * elects it). Returns a generated password to print once, or undefined when another start did it.
     */
    async bootstrap(): Promise<{ username: string; password?: string } | undefined> {
      const me = randomUUID();
      if ((await store.meta.putIfAbsent('bootstrapped_by', me)) !== me) return undefined;
      const { config } = deps;
      const generated = config.adminPassword ? undefined : randomBytes(18).toString('base64url');
      const ctx: Ctx = { principal: null, requestId: null, clientAddress: null };
      const tenantId = randomUUID();
      const admin = await users.prepare(
        ctx,
        tenantId,
        { username: config.adminUsername, password: config.adminPassword ?? generated!, roles: [...FIRST_ADMIN_ROLES] },
        { platformAdmin: true },
      );
      await store.transaction(async (tx) => {
        await insertTenant(ctx, tx, config.adminTenant, null, tenantId);
        await admin.write(tx);
      });
      await bus.publish({ t: 'tenants' });
      return { username: config.adminUsername, password: generated };
    },
  };
}

export type TenantService = ReturnType<typeof tenantService>;
