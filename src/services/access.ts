import { decodeJwt, type JWTPayload } from 'jose';
import type { Ctx, Deps } from '../deps.js';
import type { CustomRole, Principal, PrincipalType, RoleAssignment, Session, Tenant } from '../domain/types.js';
import { findBuiltInRole, PERMISSIONS, ungrantable } from '../domain/permissions.js';
import { AUDIT } from '../domain/audit-events.js';
import { isExpired } from '../domain/principals.js';
import { CacheMap, onInvalidation } from '../cache/auth-cache.js';
import { VerifiedTokens } from '../cache/verified-tokens.js';
import { AppError } from '../errors/app-error.js';
import { auditEvent } from './audit.js';
import type { AuditBuffer } from './audit-buffer.js';
import { loadPrincipal, type PrincipalState } from './principals.js';

export interface Access {
  tenant: Tenant;
  member: boolean;
  permissions: ReadonlySet<string>;
}

/** Claims Latch puts in its access tokens beyond the registered ones. */
export interface AccessClaims extends JWTPayload {
  sub: string;
  sid: string;
  typ: string;
  api_key_id?: string;
}

const pkey = (type: PrincipalType, id: string) => `${type}:${id}`;

/**
 * Authentication state and permission resolution, served from memory. The store is read only
 * on a cache miss; every change publishes an invalidation so all nodes drop what they hold.
 */
export function accessService(deps: Deps, auditBuffer: AuditBuffer) {
  const { store } = deps;
  const tenants = new CacheMap<string, Tenant | null>(50_000, async (id) => (await store.tenants.get(id)) ?? null);
  const principals = new CacheMap<string, PrincipalState | null>(100_000, async (k) => {
    const [type, id] = k.split(/:(.*)/s) as [PrincipalType, string];
    return loadPrincipal(store, type, id);
  });
  const sessions = new CacheMap<string, Session | null>(100_000, async (id) => (await store.sessions.get(id)) ?? null);
  const assignments = new CacheMap<string, RoleAssignment[]>(100_000, async (k) => {
    const [type, id] = k.split(/:(.*)/s) as [PrincipalType, string];
    return store.assignments.listForPrincipal(type, id);
  });
  const customRoles = new CacheMap<string, CustomRole | null>(50_000, async (id) => (await store.roles.getAny(id)) ?? null);
  const access = new CacheMap<string, Access | null>(200_000, async (k) => {
    const [pk, tenantId] = k.split('|') as [string, string];
    const [type, id] = pk.split(/:(.*)/s) as [PrincipalType, string];
    return compute(type, id, tenantId);
  });
  /** Verified access tokens: signature checks are the expensive part of every request. */
  const verified = new VerifiedTokens<AccessClaims>(50_000);

  onInvalidation(deps.bus, {
    principal: (e) => {
      principals.delete(pkey(e.type, e.id));
      assignments.delete(pkey(e.type, e.id));
      access.deleteWhere((k) => k.startsWith(pkey(e.type, e.id) + '|'));
    },
    session: (e) => sessions.delete(e.id),
    access: (e) => {
      assignments.delete(pkey(e.type, e.id));
      access.deleteWhere((k) => k.startsWith(pkey(e.type, e.id) + '|'));
    },
    roles: () => {
      customRoles.clear();
      access.clear();
    },
    tenants: () => {
      tenants.clear();
      access.clear();
    },
    signing_keys: () => void deps.keys.reload().catch((err) => deps.log.error({ err }, 'reloading signing keys failed')),
    all: () => {
      for (const c of [tenants, principals, sessions, assignments, customRoles, access]) c.clear();
      void deps.keys.reload().catch(() => undefined);
    },
  });

  /** The tenant and its ancestors, nearest first; undefined when the tenant does not exist. */
  async function chain(tenantId: string): Promise<Tenant[] | undefined> {
    const out: Tenant[] = [];
    let id: string | null = tenantId;
    while (id !== null && out.length < 64) {
      const t: Tenant | null = await tenants.get(id);
      if (!t) return out.length ? out : undefined;
      out.push(t);
      id = t.parentId;
    }
    return out;
  }

  async function rolePermissions(roleId: string): Promise<readonly string[]> {
    const b = findBuiltInRole(roleId);
    if (b) return b.permissions;
    return (await customRoles.get(roleId))?.permissions ?? [];
  }

  async function compute(type: PrincipalType, id: string, tenantId: string): Promise<Access | null> {
    const tenantsUp = await chain(tenantId);
    if (!tenantsUp) return null;
    const ids = new Set(tenantsUp.map((t) => t.id));
    const state = await principals.get(pkey(type, id));
    // API keys are bound to their own tenant: no reach into children or other tenants.
    const reach = type === 'api_key' ? new Set(state && state.principal.tenantId === tenantId ? [tenantId] : []) : ids;
    const mine = (await assignments.get(pkey(type, id))).filter((a) => reach.has(a.tenantId));
    const permissions = new Set<string>();
    for (const a of mine) for (const p of await rolePermissions(a.roleId)) permissions.add(p);
    // The platform administrator holds the grant exception wherever it belongs (README, "Who may grant what").
    if (mine.length > 0 && state?.principal.platformAdmin) permissions.add(PERMISSIONS.GRANT_ANY);
    return { tenant: tenantsUp[0]!, member: mine.length > 0, permissions };
  }

  /** Claims + cached principal state + session → principal; undefined when either is not cached. */
  function resolve(
    claims: AccessClaims,
    nowMs: number,
    state: PrincipalState | null | undefined,
    session: Session | null | undefined,
  ): Principal | null | undefined {
    if (state === undefined || session === undefined) return undefined;
    if (!state || isExpired(state.expiresAt, nowMs)) return null;
    if (!session || session.revokedAt !== null || session.principalId !== claims.sub) return null;
    const { type, id, name, tenantId, platformAdmin } = state.principal;
    // Spelled out: a spread plus one more key costs V8 ~0.65 µs (a slow map transition), on every request.
    return { type, id, name, tenantId, sessionId: session.id, platformAdmin };
  }

  return {
    chain,
    rolePermissions,

    /**
     * The hot path without a single await: the principal, null when the token is invalid,
     * expired or revoked, or undefined when something is not cached yet (then use authenticate).
     */
    authenticateCached(token: string): Principal | null | undefined {
      const claims = verified.get(token);
      if (!claims) return undefined;
      const nowMs = deps.clock.now();
      if (isExpired((claims.exp ?? 0) * 1000, nowMs)) return undefined;
      return resolve(claims, nowMs, principals.peek(pkey(claims.api_key_id ? 'api_key' : 'user', claims.sub)), sessions.peek(claims.sid));
    },

    /**
     * Bearer token → principal, or null when the token is invalid, expired, revoked, or its
     * principal or session is gone. Store reads happen only on cache misses.
     */
    async authenticate(token: string): Promise<Principal | null> {
      const fast = this.authenticateCached(token);
      if (fast !== undefined) return fast;
      let claims = verified.get(token);
      const nowMs = deps.clock.now();
      if (claims && isExpired((claims.exp ?? 0) * 1000, nowMs)) {
        verified.delete(token);
        claims = undefined;
      }
      if (!claims) {
        try {
          const c = (await deps.keys.verify(token)) as AccessClaims;
          if (c.typ !== 'Bearer' || typeof c.sub !== 'string' || typeof c.sid !== 'string') return null;
          claims = c;
        } catch {
          return null;
        }
        verified.set(token, claims);
      }
      const type: PrincipalType = claims.api_key_id ? 'api_key' : 'user';
      return resolve(claims, nowMs, await principals.get(pkey(type, claims.sub)), await sessions.get(claims.sid)) ?? null;
    },

    /**
     * An access token that authenticates now (as `authenticate`: signature, expiry, session not
     * revoked, principal not deleted, from the caches every node invalidates) with its claims.
     */
    async activeToken(token: string): Promise<{ principal: Principal; claims: AccessClaims } | null> {
      const principal = await this.authenticate(token);
      const claims = principal && verified.get(token);
      return principal && claims ? { principal, claims } : null;
    },

    /** A principal's state (null: deleted, disabled) and a session, through the same caches as authentication. */
    principalState: (type: PrincipalType, id: string) => principals.get(pkey(type, id)),
    session: (id: string) => sessions.get(id),

    /** The caller's access in a tenant from memory, or undefined when not cached yet (then use access). */
    accessCached(principal: Principal, tenantId: string): Access | null | undefined {
      return access.peek(`${pkey(principal.type, principal.id)}|${tenantId}`);
    },

    async access(principal: Principal, tenantId: string): Promise<Access | null> {
      const k = `${pkey(principal.type, principal.id)}|${tenantId}`;
      return access.peek(k) ?? access.get(k);
    },

    /**
     * No one grants what they do not hold: the caller must hold every permission of `permissions`
     * in `tenantId` (directly, or through a role in an ancestor), or the grant exception. Every
     * grant path calls this before it writes; a refusal is audited. `grant` names what was asked
     * for in the message (a role's name, "a role with these permissions"). No caller (the server's
     * own first start) grants freely.
     */
    async requireGrantable(ctx: Ctx, tenantId: string, grant: string, permissions: Iterable<string>): Promise<void> {
      const p = ctx.principal;
      if (!p) return;
      const a = await this.access(p, tenantId);
      const missing = ungrantable(a?.member ? a.permissions : new Set(), permissions);
      if (missing.length === 0) return;
      this.denied(ctx, tenantId, { code: 'PERMISSION_ESCALATION', grant, permissions: missing });
      throw new AppError('PERMISSION_ESCALATION', { grant, permissions: missing.join(', ') });
    },

    /** Audits a denied request in the tenant asked for (batched, never a commit per request). */
    denied(ctx: Ctx, tenantId: string, detail: { code: string; route?: string; grant?: string; permissions?: string[] }): void {
      auditBuffer.push(auditEvent(deps, ctx, tenantId, AUDIT.ACCESS_DENIED, null, detail));
    },

    /** Whether a bearer token's (unverified) `exp` has passed on the injected clock: ARM names that failure apart. */
    isExpiredBearer(token: string): boolean {
      try {
        const { exp } = decodeJwt(token);
        return typeof exp === 'number' && isExpired(exp * 1000, deps.clock.now());
      } catch {
        return false;
      }
    },

    /** Drops the cached verification of one token (logout). */
    forgetToken(token: string): void {
      verified.delete(token);
    },
  };
}

export type AccessService = ReturnType<typeof accessService>;
