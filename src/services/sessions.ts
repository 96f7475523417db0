import { randomUUID } from 'node:crypto';
import type { Ctx, Deps } from '../deps.js';
import type { PrincipalType, Session } from '../domain/types.js';
import { AUDIT } from '../domain/audit-events.js';
import { AppError } from '../errors/app-error.js';
import { digest, generateSecret, isWellFormedSecret, safeEqual } from '../crypto/secrets.js';
import { verifyAgainstDummy, verifyPassword } from '../crypto/passwords.js';
import { auditEvent } from './audit.js';
import type { RoleService } from './roles.js';
import { Throttle } from './throttle.js';
import type { UsageRecorder } from './usage.js';
import { loadPrincipal } from './principals.js';
import { apiKeyClientId, isUuid, parseApiKeyClientId } from '../domain/ids.js';
import { isExpired, isSessionActive, isUserActive } from '../domain/principals.js';
import type { TokenResponse } from '../schemas/oauth.js';
import type { ErrorCode } from '../errors/catalog.js';

export type { TokenResponse };

export type Grant =
  | { grant: 'password'; username: string; password: string }
  | { grant: 'client_credentials'; clientId: string; clientSecret: string }
  | { grant: 'refresh_token'; refreshToken: string };

const SCOPE = 'profile email';
const MINUTE = 60_000;

/** Logins, token issuance, refresh rotation with reuse detection, logout and session revocation. */
export function sessionService(deps: Deps, roleService: RoleService, usage: UsageRecorder, onIssued: (grant: string) => void = () => {}) {
  const { store, clock, config, bus } = deps;
  const now = () => clock.now();
  const usernames = new Throttle({ free: 5, baseMs: 1000, maxMs: 15 * MINUTE, windowMs: 15 * MINUTE, now });
  const clients = new Throttle({ free: 5, baseMs: 1000, maxMs: 15 * MINUTE, windowMs: 15 * MINUTE, now });
  const addresses = new Throttle({ free: 30, baseMs: 1000, maxMs: 15 * MINUTE, windowMs: 15 * MINUTE, now });

  /** One login attempt: the throttle keys it counts against (what was submitted, and the client address). */
  interface Attempt {
    keys: string[];
    throttles: Throttle[];
  }

  function attempt(ctx: Ctx, kind: 'user' | 'client', submitted: string): Attempt {
    const a = {
      keys: [`${kind}:${submitted.trim().toLowerCase()}`, `ip:${ctx.clientAddress ?? '?'}`],
      throttles: [kind === 'user' ? usernames : clients, addresses],
    };
    let wait = 0;
    a.keys.forEach((k, i) => (wait = Math.max(wait, a.throttles[i]!.retryAfter(k))));
    if (wait > 0) throw new AppError('OAUTH_THROTTLED', { retryAfter: wait }, { headers: { 'Retry-After': String(wait) } });
    return a;
  }

  /** A failed login: counted against every key of the attempt, audited when the principal exists, and answered alike either way. */
  async function rejected(
    ctx: Ctx,
    a: Attempt,
    known: { type: PrincipalType; id: string; tenantId: string } | undefined,
    code: ErrorCode,
  ): Promise<never> {
    a.keys.forEach((k, i) => a.throttles[i]!.fail(k));
    if (known) {
      const action = known.type === 'user' ? AUDIT.USER_LOGIN_FAILED : AUDIT.API_KEY_LOGIN_FAILED;
      await store.audit.append(auditEvent(deps, ctx, known.tenantId, action, { type: known.type, id: known.id }));
    }
    throw new AppError(code);
  }

  /** A successful login clears what was submitted (never the address: others may share it). */
  const accepted = (a: Attempt) => a.throttles[0]!.succeed(a.keys[0]!);

  /** Signs a new access token and stores a new refresh token for the session. */
  async function issue(ctx: Ctx, session: Session, grant: string): Promise<TokenResponse> {
    const state = await loadPrincipal(store, session.principalType, session.principalId);
    if (!state || isExpired(state.expiresAt, now())) throw new AppError('OAUTH_SESSION_NOT_ACTIVE');
    const p = { ...state.principal, user: state.user };
    const tenant = await store.tenants.get(p.tenantId);
    const roles = await roleService.rolesOf(session.principalType, session.principalId, p.tenantId);
    const permissions = [...new Set(roles.flatMap((r) => r.permissions))].sort();
    const isKey = session.principalType === 'api_key';
    const ttl = config.accessTokenTtl;
    const accessToken = await deps.keys.sign(
      {
        jti: randomUUID(),
        sub: session.principalId,
        typ: 'Bearer',
        aud: 'account',
        azp: isKey ? apiKeyClientId(tenant?.name ?? '', p.name) : 'latch',
        sid: session.id,
        session_state: session.id,
        acr: '1',
        scope: SCOPE,
        preferred_username: isKey ? `service-account-${p.name.toLowerCase()}` : p.name,
        ...(p.user
          ? {
              email: p.user.email ?? undefined,
              given_name: p.user.firstName ?? undefined,
              family_name: p.user.lastName ?? undefined,
              name: [p.user.firstName, p.user.lastName].filter(Boolean).join(' ') || undefined,
            }
          : {}),
        realm_access: { roles: roles.map((r) => r.name) },
        tenant_id: p.tenantId,
        tenant_name: tenant?.name,
        permissions,
        ...(isKey ? { api_key_id: session.principalId } : {}),
      },
      ttl,
    );
    const refresh = generateSecret('rt');
    const rtExpires = Math.min(now() + config.refreshTokenTtl * 1000, session.expiresAt);
    await store.sessions.addRefreshToken({
      hash: digest(refresh),
      sessionId: session.id,
      createdAt: now(),
      expiresAt: rtExpires,
      usedAt: null,
    });
    usage.mark(session.principalType, session.principalId, now());
    onIssued(grant);
    void ctx;
    return {
      access_token: accessToken,
      expires_in: ttl,
      refresh_expires_in: Math.max(0, Math.floor((rtExpires - now()) / 1000)),
      refresh_token: refresh,
      token_type: 'bearer',
      'not-before-policy': 0,
      session_state: session.id,
      scope: SCOPE,
    };
  }

  async function openSession(ctx: Ctx, type: PrincipalType, id: string, tenantId: string, firstUse: boolean): Promise<Session> {
    const session: Session = {
      id: randomUUID(),
      principalType: type,
      principalId: id,
      tenantId,
      createdAt: now(),
      expiresAt: now() + config.sessionMaxTtl * 1000,
      revokedAt: null,
      clientAddress: ctx.clientAddress,
    };
    const actor: Ctx = { ...ctx, principal: { type, id, name: '', tenantId, sessionId: session.id, platformAdmin: false } };
    await store.transaction(async (tx) => {
      await tx.sessions.insert(session);
      await tx.audit.append(
        auditEvent(deps, actor, tenantId, type === 'user' ? AUDIT.USER_LOGIN_SUCCEEDED : AUDIT.SESSION_CREATED, {
          type: 'session',
          id: session.id,
        }),
      );
      if (firstUse && type === 'api_key')
        await tx.audit.append(auditEvent(deps, actor, tenantId, AUDIT.API_KEY_FIRST_USED, { type: 'api_key', id }));
    });
    return session;
  }

  /** client_id: `<tenant name>-><key name>` (case-insensitive), the key id, or a bare key name when unique. */
  async function findClient(clientId: string) {
    const id = clientId.trim();
    if (isUuid(id)) return store.apiKeys.findForLogin(id);
    const parsed = parseApiKeyClientId(id);
    if (parsed) {
      const tenant = await store.tenants.findByName(parsed.tenantName);
      const key = tenant && (await store.apiKeys.findByName(tenant.id, parsed.keyName));
      return key ? store.apiKeys.findForLogin(key.id) : undefined;
    }
    const all = await store.apiKeys.listByNameAnyTenant(id);
    return all.length === 1 ? store.apiKeys.findForLogin(all[0]!.id) : undefined;
  }

  async function clientLogin(ctx: Ctx, clientId: string, secret: string): Promise<TokenResponse> {
    const a = attempt(ctx, 'client', clientId);
    // A mistyped secret fails its checksum before any store lookup.
    const key = isWellFormedSecret(secret, 'ak') ? await findClient(clientId) : undefined;
    if (!key || !safeEqual(key.secretHash, digest(secret)) || isExpired(key.expiresAt, now())) {
      return rejected(ctx, a, key && { type: 'api_key', id: key.id, tenantId: key.tenantId }, 'OAUTH_INVALID_CLIENT');
    }
    accepted(a);
    const session = await openSession(ctx, 'api_key', key.id, key.tenantId, key.lastUsedAt === null);
    return issue(ctx, session, 'client_credentials');
  }

  async function passwordLogin(ctx: Ctx, username: string, password: string): Promise<TokenResponse> {
    // An API key's client id + secret also works in the password grant.
    if (isWellFormedSecret(password, 'ak')) return clientLogin(ctx, username, password);
    const a = attempt(ctx, 'user', username);
    const user = await store.users.findForLogin(username.trim());
    const ok = user ? await verifyPassword(user.passwordHash, password) : await verifyAgainstDummy(password);
    if (!user || !ok || !isUserActive(user)) {
      return rejected(ctx, a, user && { type: 'user', id: user.id, tenantId: user.tenantId }, 'OAUTH_INVALID_USER_CREDENTIALS');
    }
    accepted(a);
    const session = await openSession(ctx, 'user', user.id, user.tenantId, user.lastUsedAt === null);
    return issue(ctx, session, 'password');
  }

  async function refresh(ctx: Ctx, token: string): Promise<TokenResponse> {
    if (!isWellFormedSecret(token, 'rt')) throw new AppError('OAUTH_INVALID_REFRESH_TOKEN');
    const r = await store.sessions.consumeRefreshToken(digest(token), now());
    if (r.status === 'unknown') throw new AppError('OAUTH_INVALID_REFRESH_TOKEN');
    if (r.status === 'expired') throw new AppError('OAUTH_REFRESH_TOKEN_EXPIRED');
    if (r.status === 'reused') {
      // A spent refresh token came back: someone holds a copy. Revoke the whole session family.
      const s = await store.sessions.get(r.sessionId);
      if (s && (await store.sessions.revoke(s.id, now()))) {
        await store.audit.append(auditEvent(deps, ctx, s.tenantId, AUDIT.SESSION_REUSE_DETECTED, { type: 'session', id: s.id }));
        await bus.publish({ t: 'session', id: s.id });
      }
      throw new AppError('OAUTH_REFRESH_TOKEN_REUSED');
    }
    if (!isSessionActive(r.session, now())) throw new AppError('OAUTH_SESSION_NOT_ACTIVE');
    return issue(ctx, r.session, 'refresh_token');
  }

  async function revoke(ctx: Ctx, session: Session): Promise<void> {
    await store.transaction(async (tx) => {
      if (await tx.sessions.revoke(session.id, now())) {
        await tx.audit.append(auditEvent(deps, ctx, session.tenantId, AUDIT.SESSION_REVOKED, { type: 'session', id: session.id }));
      }
    });
    await bus.publish({ t: 'session', id: session.id });
  }

  return {
    async token(ctx: Ctx, g: Grant): Promise<TokenResponse> {
      if (g.grant === 'password') return passwordLogin(ctx, g.username, g.password);
      if (g.grant === 'client_credentials') return clientLogin(ctx, g.clientId, g.clientSecret);
      return refresh(ctx, g.refreshToken);
    },

    /** Logout by refresh token or by the caller's own session; unknown tokens are ignored (RFC 7009). */
    async logout(ctx: Ctx, refreshToken: string | undefined): Promise<void> {
      if (refreshToken && isWellFormedSecret(refreshToken, 'rt')) {
        const r = await store.sessions.consumeRefreshToken(digest(refreshToken), now());
        const sid = r.status === 'ok' ? r.session.id : r.status === 'unknown' ? undefined : r.sessionId;
        const s = sid && (await store.sessions.get(sid));
        if (s) await revoke(ctx, s);
        return;
      }
      const sid = ctx.principal?.sessionId;
      const s = sid && (await store.sessions.get(sid));
      if (s) await revoke(ctx, s);
    },

    async listSessions(tenantId: string): Promise<Session[]> {
      return (await store.sessions.listForTenant(tenantId)).filter((s) => isSessionActive(s, now()));
    },

    async revokeSession(ctx: Ctx, tenantId: string, id: string): Promise<void> {
      const s = isUuid(id) ? await store.sessions.get(id) : undefined;
      if (!s || s.tenantId !== tenantId) throw new AppError('SESSION_NOT_FOUND', { id });
      await revoke(ctx, s);
    },
  };
}

export type SessionService = ReturnType<typeof sessionService>;
