import type { FastifyRequest } from 'fastify';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import type { Metrics } from '../../plugins/metrics.js';
import type { CentralCaller } from '../../../services/central-tokens.js';
import type { Admission } from '../../../services/credentials/index.js';
import { AppError } from '../../../errors/app-error.js';
import { CENTRAL_API_VERSIONS, centralLabelForHost } from '../../../domain/central.js';
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
      /** Central's api-version check, between the credential (401) and the permission (403). */
      const apiVersionOf = (req: FastifyRequest) => () => {
        const v = checkApiVersion((req.query as Record<string, unknown> | undefined)?.['api-version'], CENTRAL_API_VERSIONS);
        if (v.ok) return undefined;
        return { code: 'CENTRAL_API_VERSION_INVALID' as const, params: { version: v.version, supported: CENTRAL_API_VERSIONS.join(', ') } };
      };
      const ACCEPTS = ['central_api_token', 'access_token'] as const;
      /** The admission's answer: the caller, or the refusal in Central's envelope (counted when it has a metric label). */
      const admitted = (req: FastifyRequest, r: Admission<CentralCaller>): Error | undefined => {
        if (r.ok) {
          req.central = r;
          return undefined;
        }
        if (r.metric !== null) metrics.authFailures.inc({ reason: r.metric });
        return new AppError(r.code!, r.params);
      };
      // Callback style: a caller verified from memory (the hot path) is admitted without a promise.
      face.addHook('onRequest', (req: FastifyRequest, _reply, done: (err?: Error) => void) => {
        req.ctx = { principal: null, requestId: req.id, clientAddress: req.clientAddress };
        // Read once: Fastify builds a new routeOptions object on every access.
        const cfg = req.routeOptions.config;
        const perm = cfg.centralPermission;
        if (!perm) return done();
        const appId = (req.params as { appId: string }).appId;
        const presented = s.credentials.recognise(req.headers.authorization, ACCEPTS);
        const r = s.access.admit(
          presented,
          { face: 'central', app: appId, permission: perm, route: `${req.method} ${cfg.url}`, precheck: apiVersionOf(req) },
          req.ctx,
        );
        if (!(r instanceof Promise)) return done(admitted(req, r));
        r.then((x) => done(admitted(req, x)), done);
      });
      registerApiTokenRoutes(face, s);
      registerDirectoryRoutes(face, s);
    },
    { prefix: CENTRAL_PREFIX },
  );
}
