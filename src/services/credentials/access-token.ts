import type { Principal } from '../../domain/types.js';
import type { AccessService } from '../access.js';
import type { UsageRecorder } from '../usage.js';

/**
 * Latch's own access tokens (`Authorization: Bearer <JWT>`, or the legacy `x-access-token`),
 * issued to users and API keys by the token endpoint. Verified by signature once, then from the
 * verified-token cache; the principal and session come from the caches every node invalidates.
 * Revoked by deleting the principal or revoking the session (a `principal` / `session`
 * invalidation on the bus, so every node refuses within a second). Yields a user or API-key
 * principal; its scope is the tenant the face asks for (access.ts computes the access there).
 */
export function accessTokenKind(access: AccessService, usage: UsageRecorder) {
  return {
    kind: 'access_token' as const,
    /** Revocation (principal, session) and every change of what it yields (access, roles, tenants, keys). */
    invalidatedBy: ['principal', 'session', 'access', 'roles', 'tenants', 'signing_keys', 'all'] as const,
    /** The Authorization scheme of this kind's wire form. */
    recognise: (authorization: string): boolean => /^bearer /i.test(authorization),
    token: (authorization: string): string => authorization.slice(7).trim(),
    /** From memory without a promise: the principal, null when refused, undefined when not cached. */
    verifyCached: (token: string): Principal | null | undefined => access.authenticateCached(token),
    verify: (token: string): Promise<Principal | null> => access.authenticate(token),
    /** Last use: per user or API key, a Map write; the recorder flushes. */
    markUse: (p: Principal, now: number): void => usage.mark(p.type, p.id, now),
  };
}

export type AccessTokenKind = ReturnType<typeof accessTokenKind>;
