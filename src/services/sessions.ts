import { randomUUID } from 'node:crypto';
import type { Ctx, Deps } from '../deps.js';
import type { ApiKeyWithSecret, Principal, PrincipalType, RefreshTokenKey, Session, Tenant, User } from '../domain/types.js';
import type { Store } from '../store/port.js';
import { AUDIT } from '../domain/audit-events.js';
import { AppError } from '../errors/app-error.js';
import { digest, generateSecret, isWellFormedSecret, safeEqual, secretRowId } from '../crypto/secrets.js';
import { dummyPasswordHash, verifyPassword } from '../crypto/passwords.js';
import { auditEvent } from './audit.js';
import type { AuditBuffer } from './audit-buffer.js';
import type { RoleService, RoleView } from './roles.js';
import { ClientCache, type OpenedClient } from './client-cache.js';
import { LoginThrottle, type LoginAttempt } from './throttle.js';
import type { UsageRecorder } from './usage.js';
import { loadPrincipal, profileClaims } from './principals.js';
import { isUuid, parseApiKeyClientId, timeOrderedId } from '../domain/ids.js';
import { PUBLIC_CLIENT_ID, SCOPE, accessTokenClaims, idTokenClaims } from '../domain/tokens.js';
import { isExpired, isSessionActive, isUserActive } from '../domain/principals.js';
import type { TokenResponse } from '../schemas/oauth.js';
import type { ErrorCode } from '../errors/catalog.js';

export type { TokenResponse };

/**
 * The client of a request (RFC 6749 §2.3): HTTP Basic or client_secret_post. Without a secret it
 * is a public client that only names itself (password and refresh grants); with one it is an API
 * key and must authenticate.
 */
export interface ClientCredentials {
  clientId: string;
  clientSecret?: string;
}

export type Grant =
  | { grant: 'password'; username: string; password: string; scope?: string; client?: ClientCredentials }
  | { grant: 'client_credentials'; clientId: string; clientSecret: string }
  | { grant: 'refresh_token'; refreshToken: string; scope?: string; client?: ClientCredentials };

/** `scope=openid` asks for an ID token (OpenID Connect Core §3.1.2.1); the other scopes are always granted. */
const wantsIdToken = (scope: string | undefined) => !!scope && scope.split(' ').includes('openid');
/** Never a key id (ids are random v4 UUIDs): the lookup an unknown client id makes instead of a real one. */
/**
 * The stored refresh token a presented one is (its row id and digest), or undefined when it is not
 * a well-formed refresh token. A token made before refresh tokens carried their row id (migration
 * 0005) is keyed by its digest.
 */
export function refreshTokenKey(token: string): RefreshTokenKey | undefined {
  if (!isWellFormedSecret(token, 'rt')) return undefined;
  const hash = digest(token);
  return { id: secretRowId(token) ?? hash, hash };
}

/** Compared against when no key was found, so a failure costs one digest compare either way. */
const DUMMY_DIGEST = digest('latch-dummy-api-key-secret-for-timing');

/** Logins, token issuance, refresh rotation with reuse detection, logout and session revocation. */
export function sessionService(
  deps: Deps,
  roleService: RoleService,
  usage: UsageRecorder,
  auditBuffer: AuditBuffer,
  onIssued: (grant: string) => void = () => {},
) {
  const { store, clock, config, bus } = deps;
  const now = () => clock.now();
  // A cluster (PostgreSQL) shares one budget of failed logins; the one SQLite node counts in memory.
  const throttle = new LoginThrottle(now, store.dialect === 'postgres' ? store.loginFailures : undefined);
  const clients = new ClientCache(bus);

  /**
   * Refuses an attempt while a throttle on it runs, else answers the buckets it counts in, the one
   * a failure counts against first. A credential that was found (`id`) is one bucket whatever it
   * was called (name, id, bare name, `tenant->name`), so its forms share one budget of guesses;
   * what was submitted is a bucket too, for an unknown name and for a secret too malformed to be
   * looked up (it can never succeed, but a throttled name answers alike, right secret or not).
   */
  async function attempt(ctx: Ctx, kind: 'user' | 'client', submitted: string, id: string | undefined): Promise<LoginAttempt[]> {
    // Two buckets whether or not a credential was found (the same bucket twice when not): the same work.
    const buckets: LoginAttempt[] = [
      { kind, submitted: id ?? submitted, clientAddress: ctx.clientAddress },
      { kind, submitted, clientAddress: ctx.clientAddress },
    ];
    const wait = await throttle.retryAfter(...buckets);
    if (wait > 0) throw new AppError('OAUTH_THROTTLED', { retryAfter: wait }, { headers: { 'Retry-After': String(wait) } });
    return buckets;
  }

  const succeeded = (buckets: LoginAttempt[]) => throttle.succeed(...buckets);

  /**
   * A failed login: counted by the throttle and answered alike for a known and an unknown
   * principal. Security: the failure audit goes through the batched buffer, off the response
   * path, so a known principal costs no store write more than an unknown one (timing would tell);
   * an unknown one's event is built and held alike, but filed nowhere.
   */
  async function rejected(
    ctx: Ctx,
    [a]: LoginAttempt[],
    kind: PrincipalType,
    known: { id: string; tenantId: string } | undefined,
    code: ErrorCode,
  ): Promise<never> {
    await throttle.fail(a);
    const action = kind === 'user' ? AUDIT.USER_LOGIN_FAILED : AUDIT.API_KEY_LOGIN_FAILED;
    const e = auditEvent(deps, ctx, known?.tenantId ?? '', action, { type: kind, id: known?.id ?? '' });
    if (known) auditBuffer.push(e);
    else auditBuffer.hold(e);
    throw new AppError(code);
  }

  /**
   * A token's role names and permissions (sorted, once each), made once per roles array: a cached
   * API key presents the same array on every login. Tokens only read them (they are serialised).
   */
  const granted = new WeakMap<RoleView[], { permissions: string[]; roleNames: string[] }>();
  function grantedBy(roles: RoleView[]): { permissions: string[]; roleNames: string[] } {
    let g = granted.get(roles);
    if (!g) {
      g = { permissions: [...new Set(roles.flatMap((r) => r.permissions))].sort(), roleNames: roles.map((r) => r.name) };
      granted.set(roles, g);
    }
    return g;
  }

  /** Who a token is issued to, as found on the way (nothing is read twice). */
  interface Subject {
    principal: Principal;
    user?: User;
    tenant: Tenant | undefined;
    roles: RoleView[];
  }

  /** The subject of a session read fresh from the store (password login, refresh). */
  async function loadSubject(session: Session): Promise<Subject> {
    const state = await loadPrincipal(store, session.principalType, session.principalId);
    if (!state || isExpired(state.expiresAt, now())) throw new AppError('OAUTH_SESSION_NOT_ACTIVE');
    const tenantId = state.principal.tenantId;
    const [tenant, roles] = await Promise.all([
      store.tenants.get(tenantId),
      roleService.rolesOf(session.principalType, session.principalId, tenantId),
    ]);
    return { principal: state.principal, user: state.user, tenant, roles };
  }

  /**
   * Signs a new access token and stores a new refresh token for the session, with `alsoWrite`
   * (the new session and its audit records) and, on refresh, the refresh audit: one group-committed
   * write (store.write), so concurrent issuances share one commit. The signature is made while
   * the write waits for its commit; the answer leaves only after the commit.
   */
  async function issue(
    ctx: Ctx,
    session: Session,
    grant: 'password' | 'client_credentials' | 'refresh_token',
    who: Subject,
    alsoWrite?: (tx: Store) => Promise<void>,
    idTokenAudience?: string,
  ): Promise<TokenResponse> {
    const at = now();
    const p = { name: who.principal.name, tenantId: who.principal.tenantId, user: who.user };
    const { tenant, roles } = who;
    const { permissions, roleNames } = grantedBy(roles);
    const ttl = config.accessTokenTtl;
    const signed = deps.keys.sign(
      accessTokenClaims({
        jti: randomUUID(),
        principalType: session.principalType,
        principalId: session.principalId,
        principalName: p.name,
        sessionId: session.id,
        tenantId: p.tenantId,
        tenantName: tenant?.name,
        profile: profileClaims(session.principalType, p),
        roleNames,
        permissions,
      }),
      ttl,
    );
    signed.catch(() => undefined); // awaited below; a failed write must not leave it unhandled
    const idToken = idTokenAudience === undefined ? undefined : signIdToken(session, p, idTokenAudience, ttl);
    idToken?.catch(() => undefined);
    const rtId = timeOrderedId(at);
    const refresh = generateSecret('rt', rtId);
    const rtExpires = Math.min(at + config.refreshTokenTtl * 1000, session.expiresAt);
    const row = { id: rtId, hash: digest(refresh), sessionId: session.id, createdAt: at, expiresAt: rtExpires, usedAt: null };
    await store.write(async (tx) => {
      await alsoWrite?.(tx);
      await tx.sessions.addRefreshToken(row);
      if (grant === 'refresh_token') {
        const actor: Ctx = { ...ctx, principal: { ...who.principal, sessionId: session.id } };
        await tx.audit.append(auditEvent(deps, actor, session.tenantId, AUDIT.SESSION_REFRESHED, { type: 'session', id: session.id }));
      }
    });
    const accessToken = await signed;
    usage.mark(session.principalType, session.principalId, now());
    onIssued(grant);
    return {
      access_token: accessToken,
      expires_in: ttl,
      // from the instant the token was made, rounded up: a fresh session answers the configured idle lifetime exactly
      refresh_expires_in: Math.max(0, Math.ceil((rtExpires - at) / 1000)),
      refresh_token: refresh,
      token_type: 'bearer',
      'not-before-policy': 0,
      session_state: session.id,
      scope: idToken ? `openid ${SCOPE}` : SCOPE,
      ...(idToken ? { id_token: await idToken } : {}),
    };
  }

  /** The OpenID Connect ID token (Core §2): who signed in, for which client, when; `typ: ID` so it never passes as an access token. */
  function signIdToken(session: Session, p: { name: string; user?: User }, audience: string, ttl: number): Promise<string> {
    return deps.keys.sign(
      idTokenClaims({
        principalId: session.principalId,
        audience,
        sessionId: session.id,
        sessionCreatedAt: session.createdAt,
        profile: profileClaims(session.principalType, p),
      }),
      ttl,
    );
  }

  /** A new session and what writes it (with its login audit records), for issue() to write with the refresh token. */
  function openSession(
    ctx: Ctx,
    type: PrincipalType,
    id: string,
    tenantId: string,
    firstUse: boolean,
  ): { session: Session; write: (tx: Store) => Promise<void> } {
    const session: Session = {
      id: timeOrderedId(),
      principalType: type,
      principalId: id,
      tenantId,
      createdAt: now(),
      expiresAt: now() + config.sessionMaxTtl * 1000,
      revokedAt: null,
      clientAddress: ctx.clientAddress,
    };
    const actor: Ctx = { ...ctx, principal: { type, id, name: '', tenantId, sessionId: session.id, platformAdmin: false } };
    const write = async (tx: Store) => {
      await tx.sessions.insert(session);
      await tx.audit.append(
        auditEvent(deps, actor, tenantId, type === 'user' ? AUDIT.USER_LOGIN_SUCCEEDED : AUDIT.SESSION_CREATED, {
          type: 'session',
          id: session.id,
        }),
      );
      if (firstUse && type === 'api_key')
        await tx.audit.append(auditEvent(deps, actor, tenantId, AUDIT.API_KEY_FIRST_USED, { type: 'api_key', id }));
    };
    return { session, write };
  }

  /**
   * client_id: `<tenant name>-><key name>` (case-insensitive), the key id, or a bare key name when
   * unique. Security: one store query of the same cost whether or not the key exists.
   */
  function findClient(clientId: string): Promise<{ key: ApiKeyWithSecret; tenant: Tenant } | undefined> {
    const id = clientId.trim();
    if (isUuid(id)) return store.apiKeys.findForClient({ id: id.toLowerCase() });
    return store.apiKeys.findForClient(parseApiKeyClientId(id) ?? { keyName: id });
  }

  /** A verified API key, with what issuing for it needs and the cache generation it was read under. */
  interface VerifiedClient {
    client: OpenedClient;
    secretDigest: string;
    stamp: number;
  }

  /**
   * An API key as an OAuth client (client_secret_basic / client_secret_post): throttled, audited on
   * failure and answered alike for an unknown key, a wrong secret and an expired key.
   */
  async function authenticateClient(ctx: Ctx, clientId: string, secret: string): Promise<VerifiedClient> {
    const secretDigest = digest(secret);
    // These credentials verified before (and nothing about the key changed since): nothing to read.
    const opened = clients.get(clientId, secretDigest);
    if (opened && safeEqual(opened.key.secretHash, secretDigest) && !isExpired(opened.key.expiresAt, now())) {
      await succeeded(await attempt(ctx, 'client', clientId, opened.key.id));
      return { client: opened, secretDigest, stamp: clients.stamp };
    }
    const stamp = clients.stamp;
    // A mistyped secret fails its checksum before any store lookup (that depends only on what was sent).
    const found = isWellFormedSecret(secret, 'ak') ? await findClient(clientId) : undefined;
    const key = found?.key;
    const a = await attempt(ctx, 'client', clientId, key?.id);
    // One digest compare whether or not the key exists.
    const matches = safeEqual(key?.secretHash ?? DUMMY_DIGEST, secretDigest);
    if (!key || !matches || isExpired(key.expiresAt, now())) {
      return rejected(ctx, a, 'api_key', key, 'OAUTH_INVALID_CLIENT');
    }
    await succeeded(a);
    const roles = await roleService.rolesOf('api_key', key.id, key.tenantId);
    return { client: { key, tenant: found.tenant, roles }, secretDigest, stamp };
  }

  /**
   * A client that presents a secret must authenticate, and the ID token is for it (as it named
   * itself). Security: an unauthenticated client_id is only a name anyone may send, so the ID
   * token of a public client is always for `latch`, never for a client that did not prove itself.
   */
  async function audienceOf(ctx: Ctx, scope: string | undefined, client: ClientCredentials | undefined): Promise<string | undefined> {
    if (client?.clientSecret === undefined) return wantsIdToken(scope) ? PUBLIC_CLIENT_ID : undefined;
    await authenticateClient(ctx, client.clientId, client.clientSecret);
    return wantsIdToken(scope) ? client.clientId.trim() : undefined;
  }

  async function clientLogin(ctx: Ctx, clientId: string, secret: string): Promise<TokenResponse> {
    const { client, secretDigest, stamp } = await authenticateClient(ctx, clientId, secret);
    const { key } = client;
    const { session, write } = openSession(ctx, 'api_key', key.id, key.tenantId, key.lastUsedAt === null);
    const principal: Principal = {
      type: 'api_key',
      id: key.id,
      name: key.name,
      tenantId: key.tenantId,
      sessionId: null,
      platformAdmin: false,
    };
    const answer = await issue(ctx, session, 'client_credentials', { principal, tenant: client.tenant, roles: client.roles }, write);
    // Used now: its first use is recorded (and audited) already; the key is remembered as opened once its session is committed.
    clients.set(
      stamp,
      clientId,
      secretDigest,
      key.lastUsedAt === null ? { ...client, key: { ...key, lastUsedAt: session.createdAt } } : client,
    );
    return answer;
  }

  async function passwordLogin(ctx: Ctx, username: string, password: string, audience?: string): Promise<TokenResponse> {
    // An API key's client id + secret also works in the password grant.
    if (isWellFormedSecret(password, 'ak')) return clientLogin(ctx, username, password);
    const user = await store.users.findForLogin(username.trim());
    const a = await attempt(ctx, 'user', username, user?.id);
    // One argon2id verification whether or not the user exists (an unknown one against a dummy hash).
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
    if (!user || !ok || !isUserActive(user)) {
      return rejected(ctx, a, 'user', user, 'OAUTH_INVALID_USER_CREDENTIALS');
    }
    await succeeded(a);
    const { session, write } = openSession(ctx, 'user', user.id, user.tenantId, user.lastUsedAt === null);
    return issue(ctx, session, 'password', await loadSubject(session), write, audience);
  }

  async function refresh(ctx: Ctx, token: string, audience?: string): Promise<TokenResponse> {
    const key = refreshTokenKey(token);
    if (!key) throw new AppError('OAUTH_INVALID_REFRESH_TOKEN');
    const r = await store.write((tx) => tx.sessions.consumeRefreshToken(key, now()));
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
    return issue(ctx, r.session, 'refresh_token', await loadSubject(r.session), undefined, audience);
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
      if (g.grant === 'client_credentials') return clientLogin(ctx, g.clientId, g.clientSecret);
      const audience = await audienceOf(ctx, g.scope, g.client);
      if (g.grant === 'password') return passwordLogin(ctx, g.username, g.password, audience);
      return refresh(ctx, g.refreshToken, audience);
    },

    authenticateClient,

    /** Logout by refresh token or by the caller's own session; unknown tokens are ignored (RFC 7009). */
    async logout(ctx: Ctx, refreshToken: string | undefined): Promise<void> {
      const key = refreshToken === undefined ? undefined : refreshTokenKey(refreshToken);
      if (key) {
        const r = await store.sessions.consumeRefreshToken(key, now());
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
