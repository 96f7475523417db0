import { randomUUID } from 'node:crypto';
import type { Ctx, Deps } from '../deps.js';
import type { User } from '../domain/types.js';
import { AUDIT } from '../domain/audit-events.js';
import { AppError } from '../errors/app-error.js';
import type { Store } from '../store/port.js';
import type { CreateUser } from '../schemas/iam.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../crypto/passwords.js';
import { unique } from './unique.js';
import { auditEvent } from './audit.js';
import { dedupeRoles, type RoleService, type RoleView } from './roles.js';

/** Users and their profiles; role assignments go through the role service. */
export function userService(deps: Deps, roles: RoleService) {
  const { store, clock, bus } = deps;

  /** Visible in `tenantId`: its own users, and users holding a role there. */
  async function visibleUser(tenantId: string, userId: string): Promise<User> {
    const u = await store.users.get(userId);
    if (u && u.tenantId === tenantId) return u;
    if (u && (await store.assignments.listForPrincipal('user', u.id)).some((a) => a.tenantId === tenantId)) return u;
    throw new AppError('USER_NOT_FOUND', { id: userId });
  }

  /**
   * Checks the password, resolves the roles and returns the writer that inserts the user with
   * its roles inside the caller's transaction (audited there). Hashing happens before, outside it.
   */
  async function prepare(ctx: Ctx, tenantId: string, input: CreateUser, opts: { platformAdmin?: boolean } = {}) {
    if (input.password.length < MIN_PASSWORD_LENGTH) throw new AppError('PASSWORD_TOO_WEAK', { min: MIN_PASSWORD_LENGTH });
    const resolved = dedupeRoles(await Promise.all((input.roles ?? []).map((r) => roles.resolveRole(tenantId, r))));
    await roles.requireGrantable(ctx, tenantId, resolved);
    const platformAdmin = opts.platformAdmin ?? false;
    const user: User = {
      id: randomUUID(),
      tenantId,
      username: input.username,
      email: input.email ?? null,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      platformAdmin,
      disabled: false,
      createdAt: clock.now(),
      lastUsedAt: null,
    };
    const passwordHash = await hashPassword(input.password);
    return {
      user,
      roles: resolved,
      async write(tx: Store): Promise<void> {
        await unique(tx.users.insert({ ...user, passwordHash }), () => new AppError('USERNAME_TAKEN', { username: input.username }));
        await tx.audit.append(
          auditEvent(
            deps,
            ctx,
            tenantId,
            AUDIT.USER_CREATED,
            { type: 'user', id: user.id },
            { username: user.username, ...(platformAdmin ? { platformAdmin } : {}) },
          ),
        );
        for (const r of resolved) await roles.assign(ctx, tx, tenantId, 'user', user.id, r);
      },
    };
  }

  return {
    prepare,
    visibleUser,

    async createUser(ctx: Ctx, tenantId: string, input: CreateUser): Promise<{ user: User; roles: RoleView[] }> {
      const p = await prepare(ctx, tenantId, input);
      await store.transaction((tx) => p.write(tx));
      return { user: p.user, roles: p.roles };
    },

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

    userProfile: (id: string) => store.users.get(id),
  };
}

export type UserService = ReturnType<typeof userService>;
