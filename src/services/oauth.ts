import type { Ctx, Deps } from '../deps.js';
import type { Principal } from '../domain/types.js';
import { AppError } from '../errors/app-error.js';
import { isWellFormedSecret } from '../crypto/secrets.js';
import { apiKeyClientId } from '../domain/ids.js';
import { isExpired, isSessionActive } from '../domain/principals.js';
import type { AccessService } from './access.js';
import { refreshTokenKey, type ClientCredentials, type SessionService } from './sessions.js';
import { PUBLIC_CLIENT_ID, SCOPE } from '../domain/tokens.js';
import { profileClaims } from './principals.js';

/** RFC 7662 §2.2: `active` alone when the token is not active for this client. */
export type Introspection = { active: false } | ({ active: true } & Record<string, unknown>);

const INACTIVE: Introspection = { active: false };

/**
 * Introspection (RFC 7662), revocation (RFC 7009) and userinfo (OpenID Connect Core §5.3) over
 * the session machinery: a token is active exactly when it authenticates a request, so revoking,
 * logging out and deleting the principal show at once, on every node (the same caches and bus).
 */
export function oauthService(deps: Deps, access: AccessService, sessions: SessionService) {
  const { store, clock } = deps;

  /** An API key authenticating as a client; a secret is required. */
  function client(ctx: Ctx, c: ClientCredentials | undefined) {
    if (!c) throw new AppError('OAUTH_INVALID_CLIENT');
    if (c.clientSecret === undefined) throw new AppError('OAUTH_CLIENT_SECRET_MISSING');
    return sessions.authenticateClient(ctx, c.clientId, c.clientSecret);
  }

  async function clientIdOf(p: { type: Principal['type']; name: string; tenantId: string }): Promise<string> {
    if (p.type !== 'api_key') return PUBLIC_CLIENT_ID;
    return apiKeyClientId((await access.chain(p.tenantId))?.[0]?.name ?? '', p.name);
  }

  async function introspectRefresh(token: string, tenantId: string): Promise<Introspection> {
    const key = refreshTokenKey(token);
    const found = key && (await store.sessions.findRefreshToken(key));
    const nowMs = clock.now();
    if (!found || found.token.usedAt !== null || isExpired(found.token.expiresAt, nowMs)) return INACTIVE;
    const { session } = found;
    if (!isSessionActive(session, nowMs) || session.tenantId !== tenantId) return INACTIVE;
    const state = await access.principalState(session.principalType, session.principalId);
    if (!state || isExpired(state.expiresAt, nowMs)) return INACTIVE;
    const p = { ...state.principal, user: state.user };
    return {
      active: true,
      token_type: 'Refresh',
      scope: SCOPE,
      client_id: await clientIdOf(p),
      username: profileClaims(p.type, p).preferred_username,
      sub: session.principalId,
      sid: session.id,
      iss: deps.keys.issuer,
      iat: Math.floor(found.token.createdAt / 1000),
      exp: Math.floor(found.token.expiresAt / 1000),
      tenant_id: session.tenantId,
    };
  }

  /** The client a live access token was issued to: an API key's id, or the public client; undefined when not live. */
  async function accessTokenClient(token: string): Promise<string | undefined> {
    const p = (await access.activeToken(token))?.principal;
    return p && (p.type === 'api_key' ? p.id : PUBLIC_CLIENT_ID);
  }

  /** The client a refresh token's session was issued to (spent tokens included: revoking one ends its family). */
  async function refreshTokenClient(token: string): Promise<string | undefined> {
    const key = refreshTokenKey(token);
    const s = key && (await store.sessions.findRefreshToken(key))?.session;
    return s ? (s.principalType === 'api_key' ? s.principalId : PUBLIC_CLIENT_ID) : undefined;
  }

  return {
    /**
     * Whether `token` is active, for an API key authenticating as the client. Tenant = realm: a
     * client sees the tokens of its own tenant only; any other token is `active: false`.
     */
    async introspect(ctx: Ctx, credentials: ClientCredentials | undefined, token: string): Promise<Introspection> {
      const { key } = (await client(ctx, credentials)).client;
      if (isWellFormedSecret(token, 'rt')) return introspectRefresh(token, key.tenantId);
      const r = await access.activeToken(token);
      if (!r || r.principal.tenantId !== key.tenantId) return INACTIVE;
      const c = r.claims;
      return {
        active: true,
        token_type: 'Bearer',
        scope: c.scope,
        client_id: c.azp,
        username: c.preferred_username,
        sub: c.sub,
        aud: c.aud,
        iss: c.iss,
        jti: c.jti,
        sid: c.sid,
        iat: c.iat,
        exp: c.exp,
        tenant_id: r.principal.tenantId,
      };
    },

    /**
     * Revokes a refresh token (its session ends) or an access token (its session ends, so its
     * refresh token too, as RFC 7009 §2.1 allows). Unknown, expired and already revoked tokens
     * answer alike. RFC 7009 §2.1: a confidential client (an API key sending its secret, which
     * must authenticate) revokes only tokens issued to it, and is told so for another's (400
     * invalid_request, as node-oidc-provider answers); a public client (no secret) revokes the
     * public client's tokens by presenting them, as logout does, and nothing else (an empty 200).
     */
    async revoke(ctx: Ctx, credentials: ClientCredentials | undefined, token: string): Promise<void> {
      const caller = credentials?.clientSecret !== undefined ? (await client(ctx, credentials)).client.key.id : undefined;
      const refresh = isWellFormedSecret(token, 'rt');
      const issuedTo = refresh ? await refreshTokenClient(token) : await accessTokenClient(token);
      if (issuedTo === undefined) return;
      if (issuedTo !== (caller ?? PUBLIC_CLIENT_ID)) {
        if (caller === undefined) return;
        throw new AppError('OAUTH_INVALID_REQUEST', { detail: 'client is not authorized to revoke the presented token' });
      }
      if (refresh) return sessions.logout(ctx, token);
      const r = await access.activeToken(token);
      if (!r) return;
      await sessions.logout({ ...ctx, principal: r.principal }, undefined);
      access.forgetToken(token);
    },

    /** The caller's OpenID claims: `sub` and the profile claims of the granted scopes (profile, email). */
    async userinfo(p: Principal): Promise<{ sub: string; tenant_id: string; [claim: string]: string | undefined }> {
      const state = await access.principalState(p.type, p.id);
      return { sub: p.id, ...profileClaims(p.type, { name: p.name, user: state?.user }), tenant_id: p.tenantId };
    },
  };
}

export type OAuthService = ReturnType<typeof oauthService>;
