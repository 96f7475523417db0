import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import type { Metrics } from './metrics.js';
import { AppError } from '../../errors/app-error.js';
import { auditEvent } from '../../services/audit.js';
import { AUDIT } from '../../domain/audit-events.js';
import type { Clock } from '../../deps.js';
import { isUuid } from '../../domain/ids.js';


export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h === 'string' && /^bearer /i.test(h)) return h.slice(7).trim() || undefined;
  const legacy = req.headers['x-access-token'];
  return typeof legacy === 'string' && legacy ? legacy : undefined;
}

/**
 * The generic access check every face installs as its onRequest hook. It reads what the route
 * declared (config.auth / tenantScoped / permission) and enforces spec §5's order:
 * token (401) → x-tenant-id (400) → membership (403) → permission (403).
 */
export function authenticateHook(s: Services, metrics: Metrics, clock: Clock, opts: { tenantFrom?: (req: FastifyRequest) => string | undefined } = {}) {
  return async function authenticate(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    req.ctx = { principal: null, requestId: req.id, clientAddress: req.ip };
    req.principal = null;
    req.tenantId = null;
    req.access = null;
    const cfg = req.routeOptions.config;
    if (cfg.auth === 'none' || req.routeOptions.url === undefined) return;
    const token = bearerToken(req);
    if (!token) {
      if (cfg.auth === 'optional') return;
      metrics.authFailures.inc({ reason: 'missing' });
      throw new AppError('AUTH_MISSING', {}, { headers: { 'WWW-Authenticate': 'Bearer realm="latch"' } });
    }
    const p = await s.access.authenticate(token);
    if (!p) {
      metrics.authFailures.inc({ reason: 'invalid_token' });
      throw new AppError('AUTH_INVALID_TOKEN', {}, { headers: { 'WWW-Authenticate': 'Bearer realm="latch", error="invalid_token"' } });
    }
    req.principal = p;
    req.ctx.principal = p;
    s.usage.mark(p.type, p.id, clock.now());
    if (cfg.platformAdmin && !p.platformAdmin) throw new AppError('PLATFORM_ADMIN_REQUIRED');
    if (!cfg.tenantScoped) return;
    const raw = opts.tenantFrom ? opts.tenantFrom(req) : req.headers['x-tenant-id'];
    const tenantId = typeof raw === 'string' ? raw.trim() : undefined;
    if (!tenantId || !isUuid(tenantId)) throw new AppError('TENANT_HEADER_INVALID');
    try {
      req.access = await s.access.authorize(p, tenantId.toLowerCase(), cfg.permission ?? null);
    } catch (e) {
      if (e instanceof AppError) {
        metrics.authFailures.inc({ reason: e.code === 'PERMISSION_DENIED' ? 'permission' : 'tenant' });
        const a = await s.access.access(p, tenantId.toLowerCase());
        // Denials are audited in the tenant asked for, when it exists (batched, never per-request commits).
        if (a) s.auditBuffer.push(auditEvent({ clock }, req.ctx, a.tenant.id, AUDIT.ACCESS_DENIED, null, { route: `${req.method} ${req.routeOptions.url}`, code: e.code }));
      }
      throw e;
    }
    req.tenantId = req.access.tenant.id;
  };
}
