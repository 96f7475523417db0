import type { Principal, PrincipalType, User } from '../domain/types.js';
import { isUserActive } from '../domain/principals.js';
import type { Store } from '../store/port.js';

/** What authentication and token issuance know about a principal. */
export interface PrincipalState {
  principal: Principal;
  /** API keys expire (check with domain `isExpired` against the clock); users do not. */
  expiresAt: number | null;
  /** The user's profile, for token claims; absent for API keys. */
  user?: User;
}

/**
 * The one principal loader, for authentication (cached) and token issuance (read fresh): a user
 * that exists and is active, or an API key that exists; null otherwise.
 */
export async function loadPrincipal(store: Store, type: PrincipalType, id: string): Promise<PrincipalState | null> {
  switch (type) {
    case 'user': {
      const u = await store.users.get(id);
      if (!u || !isUserActive(u)) return null;
      return {
        principal: { type, id, name: u.username, tenantId: u.tenantId, sessionId: null, platformAdmin: u.platformAdmin },
        expiresAt: null,
        user: u,
      };
    }
    case 'api_key': {
      const key = await store.apiKeys.getAny(id);
      if (!key) return null;
      return {
        principal: { type, id, name: key.name, tenantId: key.tenantId, sessionId: null, platformAdmin: false },
        expiresAt: key.expiresAt,
      };
    }
    default:
      // a principal type without a loader fails tsc here
      return unknownType(type);
  }
}

const unknownType = (type: never): never => {
  throw new Error(`no loader for principal type ${String(type)}`);
};

/**
 * The OpenID profile claims (Core §5.1) of a principal, as access tokens, ID tokens and userinfo
 * carry them: API keys are Keycloak service accounts; absent profile fields are left out.
 */
export function profileClaims(type: PrincipalType, p: { name: string; user?: User }): Record<string, string | undefined> {
  if (type === 'api_key') return { preferred_username: `service-account-${p.name.toLowerCase()}` };
  return {
    preferred_username: p.name,
    ...(p.user
      ? {
          email: p.user.email ?? undefined,
          given_name: p.user.firstName ?? undefined,
          family_name: p.user.lastName ?? undefined,
          name: [p.user.firstName, p.user.lastName].filter(Boolean).join(' ') || undefined,
        }
      : {}),
  };
}
