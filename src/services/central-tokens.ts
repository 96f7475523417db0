import { randomBytes } from 'node:crypto';
import type { Ctx, Deps } from '../deps.js';
import { AppError } from '../errors/app-error.js';
import { AUDIT, type AuditAction } from '../domain/audit-events.js';
import { PERMISSIONS, unheld } from '../domain/permissions.js';
import {
  API_TOKEN_ID,
  CENTRAL_ADMINISTRATOR_ROLE,
  DEFAULT_TOKEN_LIFETIME_MS,
  grantsOf,
  holdsAnywhere,
  type CentralApiToken,
  type CentralApp,
  type CentralGrants,
  type CentralPermission,
  type CentralRoleAssignment,
} from '../domain/central.js';
import type { ApiTokenCreate } from '../schemas/central.js';
import { parseSas, signCentralToken, verifyCentralToken } from '../domain/sas.js';
import { UniqueViolation, type Store } from '../store/port.js';
import type { AuditEvent } from '../domain/types.js';
import { auditEvent } from './audit.js';
import type { AuditBuffer } from './audit-buffer.js';
import type { Access } from './access.js';
import type { CentralDirectory, CentralState, OpenedCentralApp, TokenEntry } from './central-state.js';
import { Lru } from '../util/lru.js';

/** Who calls the data plane of an app, and what it may do there. */
export interface CentralCaller {
  /** An admitted caller (credentials/index.ts: admissions are `ok: true`, refusals `ok: false`). */
  ok: true;
  app: CentralApp;
  /** An API token of this app, or a tenant principal (Bearer) acting as Administrator. */
  actor: { type: 'central_api_token' | 'user' | 'api_key'; id: string };
  assignments: readonly CentralRoleAssignment[];
  grants: CentralGrants;
  ctx: Ctx;
}

/** Why an API token was refused (audit detail and metric label, never the client), and its `skn` when it had one. */
export interface CentralTokenRefusal {
  ok: false;
  reason: string;
  skn: string | undefined;
}

/** A verified API-token caller as the hot path keeps it (central-tokens' `authenticateCached`). */
interface HotCaller {
  entry: TokenEntry;
  dir: CentralDirectory;
  /** The signed expiry (ms). */
  se: number;
  actor: CentralCaller['actor'];
  grants: CentralGrants;
}

/** Audit in the app's tenant, with the token as actor when a token acts. */
export function centralAuditEvent(
  deps: Pick<Deps, 'clock'>,
  c: Pick<CentralCaller, 'app' | 'actor' | 'ctx'>,
  action: AuditAction,
  target: { type: string; id: string },
  detail: Record<string, unknown> = {},
): AuditEvent {
  const e = auditEvent(deps, c.ctx, c.app.tenantId, action, target, { appId: c.app.id, ...detail });
  return { ...e, actorType: c.actor.type, actorId: c.actor.type === 'central_api_token' ? `${c.app.id}/${c.actor.id}` : c.actor.id };
}

const ADMIN: readonly CentralRoleAssignment[] = [{ role: CENTRAL_ADMINISTRATOR_ROLE }];

/**
 * IoT Central API tokens: authentication of data-plane calls (API token or Bearer), the
 * permission check, and token list / create / show / delete. Every rule about tokens lives here;
 * the verification runs from memory (central-state.ts) and a refused token is audited (batched).
 */
export function centralTokenService(deps: Deps, state: CentralState, auditBuffer: AuditBuffer) {
  const { store, clock } = deps;

  const refused = (reason: string, skn?: string): CentralTokenRefusal => ({ ok: false, reason, skn });

  /** A caller with its grants resolved against `dir`, the app's directory. */
  function callerIn(
    dir: CentralDirectory,
    a: OpenedCentralApp,
    ctx: Ctx,
    actor: CentralCaller['actor'],
    assignments: readonly CentralRoleAssignment[],
  ): CentralCaller {
    return { ok: true, app: a.app, actor, assignments, grants: grantsOf(assignments, dir.roleOf), ctx };
  }

  /**
   * API-token callers already verified, per opened app (a new app object after any change of the
   * app starts empty), by Authorization header. An entry holds only while the token entry and the
   * directory it was made from are still the ones in memory: a deleted token, a changed role or
   * organization (each drops its cache, on every node) misses at once and takes the full path.
   */
  const hot = new WeakMap<OpenedCentralApp, Lru<string, HotCaller>>();
  function remember(a: OpenedCentralApp, header: string, entry: TokenEntry, se: number, dir: CentralDirectory, c: CentralCaller): void {
    let m = hot.get(a);
    if (!m) hot.set(a, (m = new Lru(1024)));
    m.set(header, { entry, dir, se, actor: c.actor, grants: c.grants });
  }

  async function viaToken(a: OpenedCentralApp, ctx: Ctx, header: string): Promise<CentralCaller | CentralTokenRefusal> {
    const parsed = parseSas(header);
    if (!parsed.ok) return refused(parsed.reason);
    if (parsed.skn === undefined) return refused('missing_skn');
    const entry = await state.token(a.app.id, parsed.skn);
    if (!entry) return refused('unknown_token', parsed.skn);
    const now = clock.now();
    if (entry.verified.get(header)) {
      if (entry.token.expiry <= now || parsed.se <= now) return refused('expired', parsed.skn);
    } else {
      const v = verifyCentralToken(parsed, { appId: a.app.id, tokenKey: entry.key, nowMs: now });
      if (!v.ok) return refused(v.reason, parsed.skn);
      // The signed se must be the token's own expiry (a token is one string, not a family).
      if (parsed.se !== entry.token.expiry) return refused('bad_expiry', parsed.skn);
      entry.verified.set(header, true);
    }
    // the grants from this very directory object: the hot path's entry holds while it is still the cached one
    const dir = await state.directory(a.app.id);
    const c = callerIn(dir, a, ctx, { type: 'central_api_token', id: entry.token.id }, entry.token.roles);
    remember(a, header, entry, parsed.se, dir, c);
    return c;
  }

  async function dir(c: CentralCaller): Promise<CentralDirectory> {
    return state.directory(c.app.id);
  }

  /** Validates the role assignments of a new token against the app's roles and organizations. */
  async function checkAssignments(c: CentralCaller, roles: ApiTokenCreate['roles']): Promise<CentralRoleAssignment[]> {
    const d = await dir(c);
    return roles.map((r) => {
      const role = d.roleOf(r.role);
      if (!role) throw new AppError('CENTRAL_ROLE_UNKNOWN', { role: r.role });
      if (role.scope === 'organization' && r.organization === undefined) throw new AppError('CENTRAL_ROLE_NEEDS_ORG', { role: r.role });
      if (role.scope === 'app' && r.organization !== undefined) throw new AppError('CENTRAL_ROLE_APP_SCOPED', { role: r.role });
      if (r.organization !== undefined && !d.parentOf.has(r.organization))
        throw new AppError('CENTRAL_ORG_UNKNOWN', { organization: r.organization });
      // No escalation: a caller grants only permissions it holds app-wide.
      if (unheld(c.grants.app, role.permissions).length > 0) throw new AppError('CENTRAL_ROLE_ESCALATION', { role: r.role });
      return r.organization === undefined ? { role: r.role } : { role: r.role, organization: r.organization };
    });
  }

  function checkId(id: string): void {
    if (!API_TOKEN_ID.test(id)) throw new AppError('CENTRAL_TOKEN_ID_INVALID', { id });
  }

  function expiryOf(raw: string | undefined): number {
    const now = clock.now();
    if (raw === undefined) return now + DEFAULT_TOKEN_LIFETIME_MS;
    const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(raw) ? Date.parse(raw) : NaN;
    if (!Number.isFinite(t) || t <= now || t > 8_640_000_000_000_000) throw new AppError('CENTRAL_EXPIRY_INVALID', { expiry: raw });
    return t;
  }

  async function find(c: CentralCaller, id: string): Promise<CentralApiToken> {
    checkId(id);
    const t = await store.central.getToken(c.app.tenantId, c.app.id, id);
    if (!t) throw new AppError('CENTRAL_TOKEN_NOT_FOUND', { id });
    return t;
  }

  return {
    /** The app a label (id or subdomain) names (null: none), from memory when cached, else a promise. */
    app: (label: string) => state.app(label),

    /**
     * An API token (`SharedAccessSignature …`, already trimmed) of app `a`, from memory without a
     * promise: the caller when this header verified before and nothing it depends on has changed
     * since; undefined otherwise (then `verifyToken`, which also gives every refusal its reason:
     * an expired token is undefined here, `expired` there).
     */
    verifyTokenCached(a: OpenedCentralApp, ctx: Ctx, header: string): CentralCaller | undefined {
      const h = hot.get(a)?.get(header);
      if (!h || state.cached.token(a.app.id, h.entry.token.id) !== h.entry || state.cached.directory(a.app.id) !== h.dir) return undefined;
      const now = clock.now();
      if (h.entry.token.expiry <= now || h.se <= now) return undefined;
      return { ok: true, app: a.app, actor: h.actor, assignments: h.entry.token.roles, grants: h.grants, ctx };
    },

    /** An API token of app `a`, verified (HMAC, constant-time) on a miss: the caller, or why it is refused. */
    verifyToken: viaToken,

    /** A tenant principal (Bearer) with its access in the app's tenant: Administrator when it holds IoT Central Administration. */
    async callerFor(a: OpenedCentralApp, ctx: Ctx, p: { type: 'user' | 'api_key'; id: string }, acc: Access): Promise<CentralCaller> {
      const admin = acc.permissions.has(PERMISSIONS.CENTRAL_ADMIN);
      return callerIn(await state.directory(a.app.id), a, ctx, { type: p.type, id: p.id }, admin ? ADMIN : []);
    },

    /** The audit event of a refused API token (the admission pushes it, batched). */
    rejectedEvent(app: CentralApp, ctx: Ctx, r: CentralTokenRefusal): AuditEvent {
      return centralAuditEvent(
        deps,
        { app, ctx, actor: { type: 'central_api_token', id: r.skn ?? '' } },
        AUDIT.CENTRAL_API_TOKEN_REJECTED,
        { type: 'central_api_token', id: `${app.id}/${r.skn ?? ''}` },
        { reason: r.reason },
      );
    },

    /** Whether the permission is held app-wide or in some organization; a denial is audited (batched). */
    permits(c: CentralCaller, perm: CentralPermission, route: string): boolean {
      if (holdsAnywhere(c.grants, perm)) return true;
      auditBuffer.push(centralAuditEvent(deps, c, AUDIT.ACCESS_DENIED, { type: 'central_app', id: c.app.id }, { route, permission: perm }));
      return false;
    },

    /** A page of the app's tokens, in id order, from memory (dropped on every token create/delete, on every node). */
    list(
      c: CentralCaller,
      page: { offset: number; limit: number },
    ): { items: CentralApiToken[]; total: number } | Promise<{ items: CentralApiToken[]; total: number }> {
      const slice = (all: CentralApiToken[]) => ({ items: all.slice(page.offset, page.offset + page.limit), total: all.length });
      const cached = state.cached.tokenList(c.app.id);
      return cached ? slice(cached) : state.tokenList(c.app.id).then(slice);
    },

    get: find,

    /** Creates a token (200 with the token string, shown once). Everything is checked before the one write. */
    async create(c: CentralCaller, id: string, input: ApiTokenCreate): Promise<{ token: CentralApiToken; sas: string }> {
      checkId(id);
      const roles = await checkAssignments(c, input.roles);
      const expiry = expiryOf(input.expiry);
      const token: CentralApiToken = {
        appId: c.app.id,
        id,
        roles,
        expiry,
        salt: randomBytes(16).toString('base64url'),
        createdAt: clock.now(),
      };
      const opened = await state.app(c.app.id);
      if (!opened) throw new AppError('CENTRAL_APP_NOT_FOUND', { app: c.app.id });
      try {
        await store.transaction(async (tx: Store) => {
          await tx.central.insertToken(c.app.tenantId, token);
          await tx.audit.append(
            centralAuditEvent(
              deps,
              c,
              AUDIT.CENTRAL_API_TOKEN_CREATED,
              { type: 'central_api_token', id: `${c.app.id}/${id}` },
              { tokenId: id, roles, expiry },
            ),
          );
        });
      } catch (e) {
        if (e instanceof UniqueViolation) throw new AppError('CENTRAL_TOKEN_EXISTS', { id });
        throw e;
      }
      // A miss cached before the insert (someone tried the id) must not hide the new token.
      await deps.bus.publish({ t: 'central_token', appId: c.app.id, tokenId: id });
      return { token, sas: signCentralToken({ appId: c.app.id, appKey: opened.key, tokenId: id, salt: token.salt, expiryMs: expiry }) };
    },

    /** Deletes a token; it fails at once on this node and, through the bus, on every other. */
    async delete(c: CentralCaller, id: string): Promise<void> {
      checkId(id);
      await store.transaction(async (tx: Store) => {
        if (!(await tx.central.deleteToken(c.app.tenantId, c.app.id, id))) throw new AppError('CENTRAL_TOKEN_NOT_FOUND', { id });
        await tx.audit.append(
          centralAuditEvent(
            deps,
            c,
            AUDIT.CENTRAL_API_TOKEN_DELETED,
            { type: 'central_api_token', id: `${c.app.id}/${id}` },
            { tokenId: id },
          ),
        );
      });
      await deps.bus.publish({ t: 'central_token', appId: c.app.id, tokenId: id });
    },
  };
}

export type CentralTokenService = ReturnType<typeof centralTokenService>;
