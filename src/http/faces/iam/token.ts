import { MAX_CREDENTIAL_TEXT } from '../../../domain/text.js';
import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import type { ClientCredentials, Grant } from '../../../services/sessions.js';
import { AppError } from '../../../errors/app-error.js';
import type { ErrorCode } from '../../../errors/catalog.js';
import { errorLanguageOf, errorMessage, toAppError } from '../../errors.js';
import { access } from '../../route.js';
import { NoBody } from '../../schemas/common.js';
import { TokenResponseSchema } from '../../../schemas/oauth.js';

/** RFC 6749 §5.2 error codes, Keycloak's choices (spec/ei-iam.md §2.5). */
export const OAUTH_ERROR: Partial<Record<ErrorCode, string>> = {
  OAUTH_INVALID_REQUEST: 'invalid_request',
  VALIDATION_FAILED: 'invalid_request',
  BODY_INVALID_JSON: 'invalid_request',
  UNSUPPORTED_MEDIA_TYPE: 'invalid_request',
  BODY_TOO_LARGE: 'invalid_request',
  TEXT_INVALID: 'invalid_request',
  BODY_TOO_DEEP: 'invalid_request',
  OAUTH_UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  OAUTH_INVALID_CLIENT: 'invalid_client',
  OAUTH_CLIENT_SECRET_MISSING: 'unauthorized_client',
  OAUTH_INVALID_USER_CREDENTIALS: 'invalid_grant',
  OAUTH_INVALID_REFRESH_TOKEN: 'invalid_grant',
  OAUTH_REFRESH_TOKEN_EXPIRED: 'invalid_grant',
  OAUTH_REFRESH_TOKEN_REUSED: 'invalid_grant',
  OAUTH_SESSION_NOT_ACTIVE: 'invalid_grant',
  OAUTH_THROTTLED: 'temporarily_unavailable',
  // logout and userinfo with a bad bearer token (RFC 6750 §3.1); without it a 401 said server_error
  AUTH_INVALID_TOKEN: 'invalid_token',
  // no bearer token and no refresh token: nothing names a session (RFC 6750 §3.1 gives no code for a missing one)
  AUTH_MISSING: 'invalid_request',
};

/** Client-authentication failures (RFC 6749 §5.2): a client that used HTTP Basic is challenged for it. */
const CLIENT_AUTH_FAILED = new Set<ErrorCode>(['OAUTH_INVALID_CLIENT', 'OAUTH_CLIENT_SECRET_MISSING']);
const BASIC_CHALLENGE = 'Basic realm="latch"';

export const OAuthErrorSchema = Type.Object({ error: Type.String(), error_description: Type.String() }, { $id: 'OAuthError' });

const OAUTH_ERROR_REF = Type.Ref(OAuthErrorSchema.$id!);

export function oauthErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const e = toAppError(err);
  if (e.status >= 500) req.log.error({ err }, 'token request failed');
  const basic = CLIENT_AUTH_FAILED.has(e.code) && hasBasic(req);
  return reply
    .code(e.status)
    .headers(basic ? { ...e.headers, 'WWW-Authenticate': BASIC_CHALLENGE } : e.headers)
    .send({ error: OAUTH_ERROR[e.code] ?? 'server_error', error_description: errorMessage(e, errorLanguageOf(req, reply)) });
}

const TokenBody = Type.Record(Type.String(), Type.Unknown(), {
  description: 'JSON or application/x-www-form-urlencoded: grant_type, username, password, client_id, client_secret, refresh_token',
});

function field(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || v.length > MAX_CREDENTIAL_TEXT)
    throw new AppError('OAUTH_INVALID_REQUEST', { detail: `Invalid parameter: ${name}` });
  return v;
}

/** RFC 6749 §2.3.1 form-encodes Basic credentials; a malformed escape is taken literally (never a 500). */
function formDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const hasBasic = (req: FastifyRequest) => typeof req.headers.authorization === 'string' && /^basic /i.test(req.headers.authorization);

/** HTTP Basic client authentication (RFC 6749 §2.3.1), as Keycloak accepts it; a malformed one fails as invalid_client. */
function basicClient(req: FastifyRequest): { id: string; secret: string } | undefined {
  if (!hasBasic(req)) return undefined;
  const decoded = Buffer.from(req.headers.authorization!.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) throw new AppError('OAUTH_INVALID_CLIENT');
  return { id: formDecode(decoded.slice(0, i)), secret: formDecode(decoded.slice(i + 1)) };
}

const bodyOf = (req: FastifyRequest) =>
  (req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {}) as Record<string, unknown>;

/**
 * The client of a request: client_secret_basic or client_secret_post (RFC 6749 §2.3.1), never
 * both (§2.3: one method per request); a client_id alone names a public client.
 */
export function clientOf(req: FastifyRequest, body: Record<string, unknown> = bodyOf(req)): ClientCredentials | undefined {
  const basic = basicClient(req);
  const id = field(body, 'client_id');
  const secret = field(body, 'client_secret');
  if (basic) {
    if (secret !== undefined || (id !== undefined && id !== basic.id))
      throw new AppError('OAUTH_INVALID_REQUEST', { detail: 'More than one client authentication method' });
    // Basic is always an attempt to authenticate: an empty secret fails as a wrong one
    return { clientId: basic.id, clientSecret: basic.secret };
  }
  if (id === undefined) {
    if (secret !== undefined) throw new AppError('OAUTH_INVALID_CLIENT');
    return undefined;
  }
  return { clientId: id, clientSecret: secret };
}

export function parseGrant(req: FastifyRequest): Grant {
  const body = bodyOf(req);
  const username = field(body, 'username');
  const password = field(body, 'password');
  const scope = field(body, 'scope');
  const client = clientOf(req, body);
  let grant = field(body, 'grant_type');
  if (!grant && username !== undefined && password !== undefined) grant = 'password';
  if (!grant) throw new AppError('OAUTH_INVALID_REQUEST', { detail: 'Missing form parameter: grant_type' });
  switch (grant) {
    case 'password':
      if (username === undefined) throw new AppError('OAUTH_INVALID_REQUEST', { detail: 'Missing parameter: username' });
      if (password === undefined) throw new AppError('OAUTH_INVALID_USER_CREDENTIALS');
      return { grant, username, password, scope, client };
    case 'client_credentials': {
      if (client === undefined) throw new AppError('OAUTH_INVALID_CLIENT');
      if (client.clientSecret === undefined) throw new AppError('OAUTH_CLIENT_SECRET_MISSING');
      return { grant, clientId: client.clientId, clientSecret: client.clientSecret };
    }
    case 'refresh_token': {
      const refreshToken = field(body, 'refresh_token');
      if (refreshToken === undefined) throw new AppError('OAUTH_INVALID_REQUEST', { detail: 'No refresh token' });
      return { grant, refreshToken, scope, client };
    }
    default:
      throw new AppError('OAUTH_UNSUPPORTED_GRANT_TYPE');
  }
}

/** POST /iam/auth/token, /nbapi/iam/v1/auth/token and /iam/auth/logout (OAuth error envelope). */
export function registerTokenRoutes(app: App, s: Services) {
  app.setErrorHandler(oauthErrorHandler);
  const open = access({ auth: 'none' });
  for (const url of ['/iam/auth/token', '/nbapi/iam/v1/auth/token']) {
    app.post(
      url,
      {
        config: { ...open.config, noStore: true },
        schema: {
          ...open.schemaExtras,
          tags: ['iam'],
          operationId: url === '/iam/auth/token' ? 'issueToken' : 'issueNbapiToken',
          summary: 'Obtain access and refresh tokens (password, client_credentials, refresh_token)',
          body: TokenBody,
          // by reference: a schema with an $id used inline breaks every Ref to it in this context (fast-json-stringify)
          response: { 200: TokenResponseSchema, 400: OAUTH_ERROR_REF, 401: OAUTH_ERROR_REF, 429: OAUTH_ERROR_REF },
        },
      },
      async (req, reply) => {
        const t = await s.sessions.token(req.ctx, parseGrant(req));
        return reply.send(t);
      },
    );
  }
  const optional = access({ auth: 'optional' });
  app.post(
    '/iam/auth/logout',
    {
      config: optional.config,
      schema: {
        ...optional.schemaExtras,
        tags: ['iam'],
        operationId: 'logout',
        summary: 'End a session: by refresh_token in the body (JSON or form), or the session of the bearer token (no body needed)',
        response: { 204: NoBody('Session ended'), 401: OAUTH_ERROR_REF },
      },
    },
    async (req, reply) => {
      // No body schema: a bare `POST` with only the bearer token is the common call, and a body schema rejects an absent body.
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
      const refreshToken = typeof body.refresh_token === 'string' ? body.refresh_token : undefined;
      // nothing names a session: 401, as any call without a credential
      if (refreshToken === undefined && !req.principal)
        throw new AppError('AUTH_MISSING', {}, { headers: { 'WWW-Authenticate': 'Bearer realm="latch"' } });
      await s.sessions.logout(req.ctx, refreshToken);
      return reply.code(204).send();
    },
  );
}
