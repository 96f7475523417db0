import { Type, type Static } from '@sinclair/typebox';

/**
 * The token endpoint's answer (Keycloak AccessTokenResponse, spec/ei-iam.md §2.3): the server
 * route serializes with it, the CLI client and the tests read it.
 */
export const TokenResponseSchema = Type.Object({
  access_token: Type.String(),
  expires_in: Type.Integer(),
  refresh_expires_in: Type.Integer(),
  refresh_token: Type.String(),
  token_type: Type.Literal('bearer'),
  'not-before-policy': Type.Integer(),
  session_state: Type.String(),
  scope: Type.String(),
  id_token: Type.Optional(Type.String({ description: 'OpenID Connect ID token: only when the request asked for scope=openid' })),
});
export type TokenResponse = Static<typeof TokenResponseSchema>;
