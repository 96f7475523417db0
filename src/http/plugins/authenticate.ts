import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../domain/types.js';
import type { Access } from '../../services/access.js';
import type { Services } from '../../services/index.js';
import type { Metrics } from './metrics.js';
import { AppError } from '../../errors/app-error.js';
import { isUuid } from '../../domain/ids.js';

type RouteConfig = FastifyRequest['routeOptions']['config'];

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
export function authenticateHook(s: Services, metrics: Metrics, opts: { tenantFrom?: (req: FastifyRequest) => string | undefined } = {}) {
  const { clock } = s.system;
  const invalid = () => {
    metrics.authFailures.inc({ reason: 'invalid_token' });
    return new AppError('AUTH_INVALID_TOKEN', {}, { headers: { 'WWW-Authenticate': 'Bearer realm="latch", error="invalid_token"' } });
  };

  /** Membership and permission from an Access; a denial is counted and audited, then thrown. */
  function decide(req: FastifyRequest, cfg: RouteConfig, tenantId: string, a: Access | null): void {
    try {
      req.access = s.access.check(a, tenantId, cfg.permission ?? null);
    } catch (e) {
      if (e instanceof AppError) {
        metrics.authFailures.inc({ reason: e.code === 'PERMISSION_DENIED' ? 'permission' : 'tenant' });
        // Denials are audited in the tenant asked for, when it exists.
        if (a) s.access.denied(req.ctx, a.tenant.id, { route: `${req.method} ${cfg.url}`, code: e.code });
      }
      throw e;
    }
    req.tenantId = req.access.tenant.id;
  }

  function afterToken(req: FastifyRequest, cfg: RouteConfig, p: Principal | null): Promise<void> | void {
    if (!p) throw invalid();
    req.principal = p;
    req.ctx.principal = p;
    s.usage.mark(p.type, p.id, clock.now());
    if (cfg.platformAdmin && !p.platformAdmin) throw new AppError('PLATFORM_ADMIN_REQUIRED');
    if (!cfg.tenantScoped) return;
    const raw = opts.tenantFrom ? opts.tenantFrom(req) : req.headers['x-tenant-id'];
    const given = typeof raw === 'string' ? raw.trim() : undefined;
    if (!given || !isUuid(given)) throw new AppError('TENANT_HEADER_INVALID');
    const tenantId = given.toLowerCase();
    const a = s.access.accessCached(p, tenantId);
    if (a !== undefined) return decide(req, cfg, tenantId, a);
    return s.access.access(p, tenantId).then((x) => decide(req, cfg, tenantId, x));
  }

  function run(req: FastifyRequest): Promise<void> | void {
    req.ctx = { principal: null, requestId: req.id, clientAddress: req.clientAddress };
    // Read once: Fastify builds a new routeOptions object on every access.
    const cfg: RouteConfig = req.routeOptions.config;
    if (cfg.auth === 'none' || cfg.url === undefined) return;
    const token = bearerToken(req);
    if (!token) {
      if (cfg.auth === 'optional') return;
      metrics.authFailures.inc({ reason: 'missing' });
      throw new AppError('AUTH_MISSING', {}, { headers: { 'WWW-Authenticate': 'Bearer realm="latch"' } });
    }
    const p = s.access.authenticateCached(token);
    if (p !== undefined) return afterToken(req, cfg, p);
    return s.access.authenticate(token).then((x) => afterToken(req, cfg, x));
  }

  // Callback style: when everything is cached (the hot path) the check completes without a
  // promise; only a cache miss goes asynchronous.
  return function authenticate(req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
    let pending: Promise<void> | void;
    try {
      pending = run(req);
    } catch (e) {
      return done(e as Error);
    }
    if (pending) pending.then(() => done(), done);
    else done();
  };
}
