import type { PrincipalType } from './types.js';
import { apiKeyClientId } from './ids.js';

/**
 * The claims of the JWTs the token endpoint issues, shaped as Keycloak shapes them (EI clients and
 * az read them). Signing adds `iss`, `iat` and `exp`; the order of the claims here is the order in
 * the token.
 */

/** The scopes every token is granted. */
export const SCOPE = 'profile email';
/** The public client of password and refresh grants made without client credentials (the CLI, the console, scripts). */
export const PUBLIC_CLIENT_ID = 'latch';

/** What an access token says, gathered by the session service. */
export interface AccessTokenFacts {
  /** A fresh id for this token. */
  jti: string;
  principalType: PrincipalType;
  principalId: string;
  principalName: string;
  sessionId: string;
  tenantId: string;
  /** Undefined when the tenant is gone (then the claim is left out). */
  tenantName: string | undefined;
  /** The OpenID profile claims of the principal. */
  profile: Record<string, string | undefined>;
  roleNames: string[];
  permissions: string[];
}

export interface AccessTokenClaims {
  [claim: string]: unknown;
  jti: string;
  sub: string;
  typ: 'Bearer';
  aud: 'account';
  azp: string;
  sid: string;
  session_state: string;
  acr: '1';
  scope: string;
  realm_access: { roles: string[] };
  tenant_id: string;
  tenant_name: string | undefined;
  permissions: string[];
  api_key_id?: string;
}

/**
 * An access token's claims. `azp` is the client the token was issued to: an API key's client id
 * (`<tenant>-><key>`, lower-cased), otherwise the public client; API keys also carry their id.
 */
export function accessTokenClaims(f: AccessTokenFacts): AccessTokenClaims {
  const isKey = f.principalType === 'api_key';
  return {
    jti: f.jti,
    sub: f.principalId,
    typ: 'Bearer',
    aud: 'account',
    azp: isKey ? apiKeyClientId(f.tenantName ?? '', f.principalName) : PUBLIC_CLIENT_ID,
    sid: f.sessionId,
    session_state: f.sessionId,
    acr: '1',
    scope: SCOPE,
    ...f.profile,
    realm_access: { roles: f.roleNames },
    tenant_id: f.tenantId,
    tenant_name: f.tenantName,
    permissions: f.permissions,
    ...(isKey ? { api_key_id: f.principalId } : {}),
  };
}

/** What an ID token says. */
export interface IdTokenFacts {
  principalId: string;
  /** The client that asked for it (`aud` and `azp`). */
  audience: string;
  sessionId: string;
  /** When the session began (epoch ms): `auth_time`, in seconds. */
  sessionCreatedAt: number;
  profile: Record<string, string | undefined>;
}

/** The OpenID Connect ID token's claims (Core §2): who signed in, for which client, when; `typ: ID` so it never passes as an access token. */
export function idTokenClaims(f: IdTokenFacts): Record<string, unknown> {
  return {
    sub: f.principalId,
    aud: f.audience,
    azp: f.audience,
    typ: 'ID',
    sid: f.sessionId,
    auth_time: Math.floor(f.sessionCreatedAt / 1000),
    acr: '1',
    ...f.profile,
  };
}
