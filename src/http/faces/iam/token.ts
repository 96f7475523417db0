import { MAX_CREDENTIAL_TEXT } from '../../../domain/text.js';
import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import type { Grant } from '../../../services/sessions.js';
import { AppError } from '../../../errors/app-error.js';
import type { ErrorCode } from '../../../errors/catalog.js';
import { toAppError } from '../../errors.js';
import { access } from '../../route.js';
import { NoBody } from '../../schemas/common.js';
import { TokenResponseSchema } from '../../../schemas/oauth.js';

/** RFC 6749 §5.2 error codes, Keycloak's choices (spec/ei-iam.md §2.5). */
const OAUTH_ERROR: Partial<Record<ErrorCode, string>> = {
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
  // logout with a bad bearer token (RFC 6750 §3.1); without it a 401 said server_error
  AUTH_INVALID_TOKEN: 'invalid_token',
};

export const OAuthErrorSchema = Type.Object({ error: Type.String(), error_description: Type.String() }, { $id: 'OAuthError' });

export function oauthErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const e = toAppError(err);
  if (e.status >= 500) req.log.error({ err }, 'token request failed');
  return reply
    .code(e.status)
    .headers(e.headers)
    .send({ error: OAUTH_ERROR[e.code] ?? 'server_error', error_description: e.expose ? e.message : 'Internal server error' });
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

/** HTTP Basic client authentication (RFC 6749 §2.3.1), as Keycloak accepts it. */
function basicClient(req: FastifyRequest): { id: string; secret: string } | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string' || !/^basic /i.test(h)) return undefined;
  const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { id: formDecode(decoded.slice(0, i)), secret: formDecode(decoded.slice(i + 1)) };
}

export function parseGrant(req: FastifyRequest): Grant {
  const body = (req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {}) as Record<string, unknown>;
  const username = field(body, 'username');
  const password = field(body, 'password');
  const basic = basicClient(req);
  let grant = field(body, 'grant_type');
  if (!grant && username !== undefined && password !== undefined) grant = 'password';
  if (!grant) throw new AppError('OAUTH_INVALID_REQUEST', { detail: 'Missing form parameter: grant_type' });
  switch (grant) {
    case 'password':
      if (username === undefined) throw new AppError('OAUTH_INVALID_REQUEST', { detail: 'Missing parameter: username' });
      if (password === undefined) throw new AppError('OAUTH_INVALID_USER_CREDENTIALS');
      return { grant, username, password };
    case 'client_credentials': {
      const clientId = field(body, 'client_id') ?? basic?.id;
      const clientSecret = field(body, 'client_secret') ?? basic?.secret;
      if (clientId === undefined) throw new AppError('OAUTH_INVALID_CLIENT');
      if (clientSecret === undefined) throw new AppError('OAUTH_CLIENT_SECRET_MISSING');
      return { grant, clientId, clientSecret };
    }
    case 'refresh_token': {
      const refreshToken = field(body, 'refresh_token');
      if (refreshToken === undefined) throw new AppError('OAUTH_INVALID_REQUEST', { detail: 'No refresh token' });
      return { grant, refreshToken };
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
          response: { 200: TokenResponseSchema, 400: OAuthErrorSchema, 401: OAuthErrorSchema, 429: OAuthErrorSchema },
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
        response: { 204: NoBody('Session ended'), 401: OAuthErrorSchema },
      },
    },
    async (req, reply) => {
      // No body schema: a bare `POST` with only the bearer token is the common call, and a body schema rejects an absent body.
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
      await s.sessions.logout(req.ctx, typeof body.refresh_token === 'string' ? body.refresh_token : undefined);
      return reply.code(204).send();
    },
  );
}
