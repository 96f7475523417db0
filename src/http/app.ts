import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerOptions, ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import Fastify, { LogController, type FastifyError, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../services/index.js';
import type { App } from './types.js';
import { createMetrics, type Metrics } from './plugins/metrics.js';
import { authenticateHook } from './plugins/authenticate.js';
import { forwardedClientAddress } from './client-address.js';
import { EiErrorSchema, eiErrorHandler, eiNotFound } from './faces/iam/errors.js';
import { OAuthErrorSchema, registerTokenRoutes } from './faces/iam/token.js';
import { registerOAuthRoutes } from './faces/iam/oauth.js';
import { registerApiKeyRoutes } from './faces/iam/api-keys.js';
import { registerUserRoutes } from './faces/iam/users.js';
import { registerRoleRoutes } from './faces/iam/roles.js';
import { registerTenantRoutes } from './faces/iam/tenants.js';
import { registerMeRoute } from './faces/iam/me.js';
import { registerKeyRoutes } from './faces/iam/keys.js';
import { registerEiRoutes } from './faces/ei/index.js';
import { registerHealthRoutes } from './health.js';
import { registerArmFace } from './faces/arm/index.js';
import { registerDataPlaneFace } from './faces/data-plane/index.js';
import { centralRewriteUrl, registerCentralFace } from './faces/central/index.js';
import { armErrors } from './faces/arm/errors.js';
import { centralErrorHandler, centralNotFound } from './faces/central/errors.js';
import { authErrorResponse, renameKeys, trackRoutes } from './route.js';
import { ApiKeySchema, OrgSchema, RoleSchema, SessionSchema, UserSchema } from './faces/iam/views.js';
import { schemaCompilers, type SchemaCompilers } from './validation.js';
import { lazyChildLogger } from './plugins/lazy-logger.js';
import { registerInputGuards, urlTextError } from './plugins/input-guard.js';
import { clientErrorHandler } from './plugins/client-errors.js';
import { securityHeaders } from './plugins/security-headers.js';
import cors from '@fastify/cors';
import { registerConsole } from './console.js';

/** Fields never written to a log line, whatever logs them. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers["x-access-token"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  // each secret-bearing field at the top level and one level down (pino's `*.x` matches only the latter)
  ...[
    'password',
    'client_secret',
    'refresh_token',
    'access_token',
    'secret',
    'primaryKey',
    'secondaryKey',
    'token',
    'sas',
    'connectionString',
  ].flatMap((f) => [f, `*.${f}`]),
];

/**
 * LATCH_TRUST_PROXY as Fastify's `trustProxy`. Fastify treats a bare hop count as "trust nothing"
 * (it cannot check the immediate peer), so a hop count is spelled out: the socket peer and the
 * next n-1 entries of X-Forwarded-For are proxies. Safe only when clients cannot reach the
 * server except through those proxies (README); an address list checks each hop instead.
 */
function trustProxyFn(tp: number | string[] | undefined): FastifyServerOptions['trustProxy'] {
  if (tp === undefined) return false;
  if (typeof tp === 'number') return (_addr: string, hop: number) => hop < tp;
  return tp;
}

/** The request id: the caller's `x-request-id` / `x-ms-client-request-id` when well-formed, else a new UUID. */
export const requestId = (req: IncomingMessage): string => {
  const given = req.headers['x-request-id'] ?? req.headers['x-ms-client-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
};

/**
 * The root hooks every request runs (exported for bench/ledger.ts, which adds them one at a time):
 * onRequest sets the security headers (one precomputed object) and applies the input rule to path
 * and query (a regex test on the URL when it cannot break it); onResponse counts the request,
 * records its duration and writes the access line (when the logger is at info).
 */
export function stackHooks(headers: Record<string, string>, metrics: Metrics | undefined, logger: Logger | undefined) {
  const accessLog = logger?.isLevelEnabled('info') ? accessLine(logger) : undefined;
  return {
    onRequest(req: FastifyRequest, reply: FastifyReply, done: (err?: FastifyError) => void): void {
      reply.headers(headers);
      done(urlTextError(req));
    },
    onResponse(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
      const route = req.routeOptions.url ?? 'unmatched';
      const ms = reply.elapsedTime;
      metrics?.observeRequest(req.method, route, reply.statusCode, ms);
      accessLog?.(req.id, req.method, route, reply.statusCode, Math.round(ms));
      done();
    },
    /** The access lines not yet written (on close). */
    flush: () => accessLog?.flush(),
  };
}

/** Writes one access line; `flush` writes at once the lines still waiting for the end of their turn. */
export type AccessLine = ((reqId: string, method: string, route: string, status: number, ms: number) => void) & { flush: () => void };

/**
 * The access line, written straight to the logger's destination: the same JSON, in the same key
 * order, that pino writes for `info({ reqId, method, route, status, ms }, 'request')` with
 * Latch's logger options (numeric level, epoch-ms time, the root bindings), without pino's
 * per-call work — its redaction pass over the line (about 10 µs with our wildcard paths) and its
 * generic serialisation (about 3 µs more), the largest costs of a cheap request. Safe for this
 * line only: its fields are fixed, none can hold a secret, and every string is JSON-quoted
 * (method and route pattern once each); everything else is logged through `logger`. A logger set
 * up otherwise (custom time, message key or log formatter) writes the line itself.
 */
export function accessLine(logger: Logger): AccessLine {
  const own = logger as unknown as Record<symbol, unknown>;
  const stream = own[pino.symbols.streamSym] as pino.DestinationStream | undefined;
  // the root bindings (pid, hostname) as pino keeps them: ',"pid":1,"hostname":"h"'
  const chindings = own[pino.symbols.chindingsSym];
  const formatters = own[pino.symbols.formattersSym] as { level?: (label: string, n: number) => object; log?: unknown } | undefined;
  const standard =
    own[pino.symbols.timeSym] === pino.stdTimeFunctions.epochTime &&
    own[pino.symbols.messageKeySym] === 'msg' &&
    logger.levels.values.info === 30 &&
    !formatters?.log &&
    JSON.stringify(formatters?.level?.('info', 30)) === '{"level":30}';
  if (!stream || typeof chindings !== 'string' || !standard)
    return Object.assign(
      (reqId: string, method: string, route: string, status: number, ms: number) =>
        logger.info({ reqId, method, route, status, ms }, 'request'),
      { flush: () => undefined },
    );
  const quoted = new Map<string, string>();
  const q = (text: string) => {
    let v = quoted.get(text);
    if (v === undefined) {
      v = JSON.stringify(text);
      if (quoted.size < 1000) quoted.set(text, v);
    }
    return v;
  };
  // The lines of one turn of the event loop go to the destination in one write (setImmediate):
  // its own work per write is most of a line's cost (about 3 µs a request under load). A line
  // waits no longer than the rest of its turn; close() writes what is left.
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!pending) return;
    const lines = pending;
    pending = '';
    stream.write(lines);
  };
  return Object.assign(
    (reqId: string, method: string, route: string, status: number, ms: number) => {
      pending += `{"level":30,"time":${Date.now()}${chindings},"reqId":${JSON.stringify(reqId)},"method":${q(method)},"route":${q(route)},"status":${status},"ms":${ms},"msg":"request"}\n`;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    { flush },
  );
}

const noStoreHeaders = (_req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, p: unknown) => void) => {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  done(null, payload);
};

/** The largest request body accepted (bytes); a larger Content-Length is answered 413, before any `100 Continue`. */
export const BODY_LIMIT = 1024 * 1024;

export interface AppOptions {
  /** A pino logger; none = silent. */
  logger?: Logger;
  https?: { cert: string | Buffer; key: string | Buffer } | null;
  /** Fastify `trustProxy` (LATCH_TRUST_PROXY): only then does `X-Forwarded-For` set the client address. */
  trustProxy?: number | string[];
  /** LATCH_REQUEST_TIMEOUT in ms: headers and body must have arrived by then (default 30 s). */
  requestTimeoutMs?: number;
  /** LATCH_CORS_ORIGINS: exact origins allowed cross-origin; none = no CORS headers at all. */
  corsOrigins?: readonly string[];
}

/** Node's own timers: headers within the request timeout (at most 10 s), checked at a quarter of it. */
function serverTimeouts(requestTimeout: number): ServerOptions {
  return {
    requestTimeout,
    headersTimeout: Math.min(requestTimeout, 10_000),
    connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(requestTimeout / 4))),
  };
}

/**
 * Builds the HTTP app: shared plugins, then one encapsulated context per face, each with its own
 * auth hook and error envelope. Never listens; main.ts and tests both use it.
 */
export async function buildApp(
  services: Services,
  opts: AppOptions = {},
): Promise<{ app: App; metrics: Metrics; schemas: SchemaCompilers }> {
  const metrics = createMetrics();
  const schemas = schemaCompilers();
  const requestTimeout = opts.requestTimeoutMs ?? 30_000;
  const headers = securityHeaders(!!opts.https);
  const arm = armErrors(services);
  // Requests no face context takes (router-level rejections, paths the router cannot match) still get the envelope of the face their path names.
  const faceErrors = (req: FastifyRequest) =>
    req.url.startsWith('/subscriptions/') || req.url === '/subscriptions'
      ? arm
      : /^\/central\/[^/?]*\/api(\/|\?|$)/.test(req.url)
        ? { handler: centralErrorHandler, notFound: centralNotFound }
        : { handler: eiErrorHandler, notFound: eiNotFound };
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    genReqId: requestId,
    bodyLimit: BODY_LIMIT,
    trustProxy: trustProxyFn(opts.trustProxy),
    // A slow client (headers or body dribbled in) is cut off with 408 once the request timeout has passed;
    // Node checks open requests every connectionsCheckingInterval, so that is kept well below the timeout.
    requestTimeout,
    connectionTimeout: 2 * requestTimeout,
    http: serverTimeouts(requestTimeout),
    ...(opts.https ? { https: { ...opts.https, ...serverTimeouts(requestTimeout) } } : {}),
    clientErrorHandler: clientErrorHandler(headers),
    return503OnClosing: true,
    // One access-log line per request (onResponse below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    // Router-level rejections (malformed percent-encoding, over-long path parameter) in the face's envelope, never Fastify's.
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => void faceErrors(req).handler(err, req, reply),
    forceCloseConnections: true,
    // {app}.<central suffix>/api/… is served as /central/{app}/api/… (faces/central).
    rewriteUrl: centralRewriteUrl(services.centralApps.hostSuffix),
    // Latch's ajv instances and route schemas compiled on their route's first request (http/validation.ts). As server
    // options, not setValidatorCompiler: a context that adds schemas of its own (ARM, Central) keeps them too.
    schemaController: { compilersFactory: { buildValidator: () => schemas.validatorCompiler, buildSerializer: schemas.buildSerializer } },
  } as unknown as FastifyServerOptions).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  trackRoutes(app);
  // Declared up front so every request object has one shape (the auth hook sets these on each).
  app.decorateRequest('principal', null);
  app.decorateRequest('tenantId', null);
  app.decorateRequest('access', null);
  app.decorateRequest('ctx', null as never);
  // Without a trusted proxy the socket peer is the client; behind one, X-Forwarded-For is parsed (http/client-address.ts).
  const behindProxy = opts.trustProxy !== undefined;
  app.decorateRequest('clientAddress', {
    getter(this: FastifyRequest) {
      return behindProxy ? forwardedClientAddress(this) : (this.ip ?? null);
    },
  });
  for (const s of [EiErrorSchema, OAuthErrorSchema, ApiKeySchema, RoleSchema, UserSchema, OrgSchema, SessionSchema]) app.addSchema(s);
  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Latch',
        version: '0.1.0',
        license: { name: 'MIT', url: 'https://spdx.org/licenses/MIT.html' },
        description:
          'Access-control plane for IoT platforms. `x-permission` on an operation is the permission it needs in the tenant of `x-tenant-id`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          sas: { type: 'apiKey', in: 'header', name: 'authorization', description: 'SharedAccessSignature sr=…&sig=…&se=…&skn=…' },
          oauthClient: {
            type: 'http',
            scheme: 'basic',
            description:
              'An API key as the OAuth client: its client id and secret (client_secret_basic, or client_id/client_secret in the body)',
          },
        },
      },
    },
    // OpenAPI 3.0 has no `propertyNames`: the document carries it as an extension; validation still uses it.
    transformObject: (doc) =>
      renameKeys('openapiObject' in doc ? doc.openapiObject : doc.swaggerObject, 'propertyNames', 'x-propertyNames'),
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (json.$id as string) ?? `def-${i}` },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // `servers`: the issuer when it is a URL (LATCH_ISSUER or the URL the server prints), else the origin the document was fetched from.
  app.get('/openapi.json', { schema: { hide: true } }, async (req) => ({
    ...app.swagger(),
    servers: [{ url: /^https?:\/\//.test(services.signingKeys.issuer) ? services.signingKeys.issuer : `${req.protocol}://${req.host}` }],
  }));

  const stack = stackHooks(headers, metrics, opts.logger);
  app.addHook('onRequest', stack.onRequest);
  // A route declaring `noStore` answers (errors too) with no-store: its body carries a secret or key.
  // Its own onSend hook, so no other route runs one.
  app.addHook('onRoute', (route) => {
    if (!(route.config as { noStore?: boolean } | undefined)?.noStore) return;
    const own = route.onSend ? (Array.isArray(route.onSend) ? route.onSend : [route.onSend]) : [];
    route.onSend = [...own, noStoreHeaders] as typeof route.onSend;
  });
  registerInputGuards(app);
  if (opts.corsOrigins?.length) await app.register(cors, { origin: [...opts.corsOrigins], credentials: false, maxAge: 600 });
  app.addHook('onResponse', stack.onResponse);
  app.addHook('onClose', (_app, done) => {
    stack.flush();
    done();
  });
  app.setErrorHandler((err: FastifyError, req, reply) => faceErrors(req).handler(err, req, reply));
  app.setNotFoundHandler((req, reply) => faceErrors(req).notFound(req, reply));

  const authenticate = authenticateHook(services, metrics);
  registerHealthRoutes(app, services, metrics);

  // iam face: token endpoint (OAuth envelope)
  await app.register(async (face) => {
    face.addHook('onRequest', authenticate);
    registerTokenRoutes(face, services);
    registerOAuthRoutes(face, services);
  });
  // iam face: management API and the EI northbound API (EI envelope)
  await app.register(async (face) => {
    face.addHook('onRequest', authenticate);
    face.setErrorHandler(eiErrorHandler);
    face.addHook('onRoute', authErrorResponse(EiErrorSchema));
    registerKeyRoutes(face, services);
    registerMeRoute(face, services);
    registerTenantRoutes(face, services);
    registerUserRoutes(face, services);
    registerRoleRoutes(face, services);
    registerApiKeyRoutes(face, services);
    registerEiRoutes(face, services);
  });
  // arm face: /subscriptions/… (ARM envelope) and the hub / DPS data plane (SAS)
  await registerArmFace(app, services, metrics);
  await registerDataPlaneFace(app, services, metrics);
  // central face: /central/{app}/api/… (Central envelope), API tokens or Bearer
  await registerCentralFace(app, services, metrics);
  // the web console (static files, a client of the faces above) at /console, and / redirecting to it
  await registerConsole(app);

  // Expect: 100-continue is answered only when the declared body fits; otherwise the route's 413 comes without a `100 Continue`.
  app.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!(Number(req.headers['content-length']) > BODY_LIMIT)) res.writeContinue();
    app.server.emit('request', req, res);
  });

  services.hooks.onTokenIssued = (grant: string) => metrics.tokensIssued.inc({ grant });
  return { app, metrics, schemas };
}
