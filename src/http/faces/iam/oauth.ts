import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import { MAX_CREDENTIAL_TEXT } from '../../../domain/text.js';
import { AppError } from '../../../errors/app-error.js';
import { access, errorResponses } from '../../route.js';
import { OAuthErrorSchema, clientOf } from './token.js';

const TokenParamBody = Type.Record(Type.String(), Type.Unknown(), {
  description:
    'application/x-www-form-urlencoded (or JSON): token, token_type_hint (access_token or refresh_token, optional: the form tells them apart), client_id and client_secret unless sent with HTTP Basic',
});

const IntrospectionSchema = Type.Object(
  {
    active: Type.Boolean(),
    token_type: Type.Optional(Type.String({ description: '"Bearer" (access token) or "Refresh"' })),
    scope: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String()),
    username: Type.Optional(Type.String()),
    sub: Type.Optional(Type.String()),
    aud: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
    iss: Type.Optional(Type.String()),
    jti: Type.Optional(Type.String()),
    sid: Type.Optional(Type.String()),
    iat: Type.Optional(Type.Integer()),
    exp: Type.Optional(Type.Integer()),
    tenant_id: Type.Optional(Type.String()),
  },
  {
    description:
      'RFC 7662 §2.2: only `active: false` for a token that is unknown, expired, revoked, of a deleted principal or of another tenant',
  },
);

const UserInfoSchema = Type.Object({
  sub: Type.String(),
  preferred_username: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  given_name: Type.Optional(Type.String()),
  family_name: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  tenant_id: Type.String(),
});

/** The `token` parameter of introspection and revocation (RFC 7662 §2.1, RFC 7009 §2.1). */
function tokenParam(req: FastifyRequest): string {
  const b = (req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {}) as Record<string, unknown>;
  const v = b.token;
  if (typeof v !== 'string' || v === '' || v.length > MAX_CREDENTIAL_TEXT)
    throw new AppError('OAUTH_INVALID_REQUEST', { detail: 'Missing parameter: token' });
  return v;
}

/** Security of the client-authenticated endpoints: an API key's client id and secret (Basic, or in the body). */
const CLIENT_SECURITY = [{ oauthClient: [] }];

/** Introspection, revocation and userinfo (OAuth error envelope), Keycloak's paths under /iam/auth. */
export function registerOAuthRoutes(app: App, s: Services) {
  const open = access({ auth: 'none' });
  app.post(
    '/iam/auth/token/introspect',
    {
      config: { ...open.config, noStore: true },
      schema: {
        ...open.schemaExtras,
        operationId: 'introspectToken',
        tags: ['iam'],
        summary: 'Token introspection (RFC 7662): whether an access or refresh token is active, for an API key as the client',
        security: CLIENT_SECURITY,
        body: TokenParamBody,
        response: {
          200: IntrospectionSchema,
          ...errorResponses(
            OAuthErrorSchema,
            'OAUTH_INVALID_REQUEST',
            'OAUTH_INVALID_CLIENT',
            'OAUTH_CLIENT_SECRET_MISSING',
            'OAUTH_THROTTLED',
          ),
        },
      },
    },
    async (req) => {
      const client = clientOf(req);
      return s.oauth.introspect(req.ctx, client, tokenParam(req));
    },
  );
  app.post(
    '/iam/auth/revoke',
    {
      config: { ...open.config, noStore: true },
      schema: {
        ...open.schemaExtras,
        operationId: 'revokeToken',
        tags: ['iam'],
        summary:
          'Token revocation (RFC 7009): a refresh token ends its session; an access token ends its session too. Unknown tokens answer 200',
        // a public client needs no credentials (the token is the proof); credentials sent must authenticate
        security: [{}, ...CLIENT_SECURITY],
        body: TokenParamBody,
        response: {
          200: Type.Null({ description: 'Revoked, or nothing to revoke' }),
          ...errorResponses(OAuthErrorSchema, 'OAUTH_INVALID_REQUEST', 'OAUTH_INVALID_CLIENT', 'OAUTH_THROTTLED'),
        },
      },
    },
    async (req, reply) => {
      const client = clientOf(req);
      await s.oauth.revoke(req.ctx, client, tokenParam(req));
      // an empty 200, as Keycloak answers (RFC 7009 §2.2: the client ignores the body)
      return (reply as FastifyReply).code(200).send();
    },
  );
  const user = access({});
  for (const method of ['GET', 'POST'] as const) {
    app.route({
      method,
      url: '/iam/auth/userinfo',
      config: { ...user.config, noStore: true },
      schema: {
        ...user.schemaExtras,
        operationId: method === 'GET' ? 'getUserInfo' : 'postUserInfo',
        tags: ['iam'],
        summary: 'OpenID Connect userinfo: sub and the profile claims of the bearer token',
        response: { 200: UserInfoSchema, ...errorResponses(OAuthErrorSchema, 'AUTH_MISSING', 'AUTH_INVALID_TOKEN') },
      },
      handler: async (req) => s.oauth.userinfo(req.principal!),
    });
  }
}
