import type { FastifyRequest } from 'fastify';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import type { Metrics } from '../../plugins/metrics.js';
import type { CentralCaller } from '../../../services/central-tokens.js';
import { AppError } from '../../../errors/app-error.js';
import { CENTRAL_API_VERSIONS, centralLabelForHost, type CentralPermission } from '../../../domain/central.js';
import { checkApiVersion } from '../../../domain/api-versions.js';
import { CentralErrorSchema, centralErrorHandler, centralNotFound } from './errors.js';
import { registerApiTokenRoutes } from './api-tokens.js';
import { registerDirectoryRoutes } from './directory.js';
import { ApiTokenSchema, OrganizationSchema, RoleSchema } from './views.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The app and caller of an IoT Central data-plane request (set by the face's hook). */
    central: CentralCaller | null;
  }
}

export const CENTRAL_PREFIX = '/central/:appId/api';

/**
 * Host-addressed requests (`{label}.{central suffix}`, any port) are served by the same routes as
 * `/central/{label}/api/…`: Fastify's rewriteUrl maps one onto the other before routing.
 */
export function centralRewriteUrl(suffix: string) {
  return (req: { url?: string; headers: Record<string, string | string[] | undefined> }): string => {
    const url = req.url ?? '/';
    const host = req.headers.host;
    const label = centralLabelForHost(suffix, typeof host === 'string' ? host : undefined);
    return label && !url.startsWith('/central/') ? `/central/${encodeURIComponent(label)}${url}` : url;
  };
}

/**
 * The IoT Central data-plane face (spec/iot-central-api-tokens.md): /central/{appId}/api/… and the
 * same under the app's host name. Check order: app (404 NotFound) → credential (401
 * Unauthenticated) → api-version (400 BadRequest) → permission (403 Forbidden) → body (400).
 * Every error is Central's `{"error":{code,message,requestId,time}}` with x-ms-error-code.
 */
export async function registerCentralFace(app: App, s: Services, metrics: Metrics) {
  await app.register(
    async (face) => {
      for (const schema of [CentralErrorSchema, ApiTokenSchema, RoleSchema, OrganizationSchema]) face.addSchema(schema);
      face.decorateRequest('central', null);
      face.setErrorHandler(centralErrorHandler);
      face.setNotFoundHandler(centralNotFound);
      // Callback style, not async: no promise per answer.
      face.addHook('onSend', (req, reply, payload, done) => {
        reply.header('x-ms-request-id', req.id);
        const type = reply.getHeader('content-type');
        if (typeof type === 'string' && type.startsWith('application/json')) reply.header('content-type', 'application/json');
        done(null, payload);
      });
      /** What follows the credential: api-version (400), then the route's permission (403). */
      const admit = (req: FastifyRequest, c: CentralCaller, perm: CentralPermission, route: string): void => {
        req.central = c;
        const v = checkApiVersion((req.query as Record<string, unknown> | undefined)?.['api-version'], CENTRAL_API_VERSIONS);
        if (!v.ok) throw new AppError('CENTRAL_API_VERSION_INVALID', { version: v.version, supported: CENTRAL_API_VERSIONS.join(', ') });
        s.centralTokens.authorize(c, perm, `${req.method} ${route}`);
      };
      // Callback style: a caller verified from memory (the hot path) is admitted without a promise.
      face.addHook('onRequest', (req: FastifyRequest, _reply, done: (err?: Error) => void) => {
        req.ctx = { principal: null, requestId: req.id, clientAddress: req.clientAddress };
        // Read once: Fastify builds a new routeOptions object on every access.
        const cfg = req.routeOptions.config;
        const perm = cfg.centralPermission;
        if (!perm) return done();
        const appId = (req.params as { appId: string }).appId;
        const finish = (c: CentralCaller) => {
          try {
            admit(req, c, perm, cfg.url);
          } catch (e) {
            return done(e as Error);
          }
          done();
        };
        const hot = s.centralTokens.authenticateCached(req.ctx, appId, req.headers.authorization);
        if (hot) return finish(hot);
        s.centralTokens.authenticate(req.ctx, appId, req.headers.authorization).then(finish, (e: unknown) => {
          if (e instanceof AppError && e.code === 'CENTRAL_UNAUTHENTICATED')
            metrics.authFailures.inc({ reason: `central_${String(e.params.reason ?? 'invalid')}` });
          done(e as Error);
        });
      });
      registerApiTokenRoutes(face, s);
      registerDirectoryRoutes(face, s);
    },
    { prefix: CENTRAL_PREFIX },
  );
}
