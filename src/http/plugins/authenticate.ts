import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import type { Admission, Presented, TenantAdmitted } from '../../services/credentials/index.js';
import type { Metrics } from './metrics.js';
import { AppError } from '../../errors/app-error.js';

type RouteConfig = FastifyRequest['routeOptions']['config'];

export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h === 'string' && /^bearer /i.test(h)) return h.slice(7).trim() || undefined;
  const legacy = req.headers['x-access-token'];
  return typeof legacy === 'string' && legacy ? legacy : undefined;
}

const MISSING: Presented = { kind: null, reason: 'missing' };
const CHALLENGE = { missing: 'Bearer realm="latch"', invalid: 'Bearer realm="latch", error="invalid_token"' };

/**
 * The generic access check every face installs as its onRequest hook: parse the presented
 * credential, admit it (services/credentials: spec §5's order, token (401) → x-tenant-id (400) →
 * membership (403) → permission (403), the usage mark and the denial audit), and render a refusal
 * as the catalogued error. It reads what the route declared (config.auth / tenantScoped / permission).
 */
export function authenticateHook(s: Services, metrics: Metrics, opts: { tenantFrom?: (req: FastifyRequest) => string | undefined } = {}) {
  function admitted(req: FastifyRequest, r: Admission<TenantAdmitted>): void {
    // Set before a refusal too: the ARM envelope names the principal a 403 refused.
    req.principal = req.ctx.principal;
    if (r.ok) {
      if (r.access) {
        req.access = r.access;
        req.tenantId = r.access.tenant.id;
      }
      return;
    }
    if (r.metric !== null) metrics.authFailures.inc({ reason: r.metric });
    const challenge = r.code === 'AUTH_MISSING' ? CHALLENGE.missing : r.code === 'AUTH_INVALID_TOKEN' ? CHALLENGE.invalid : undefined;
    throw new AppError(r.code!, r.params, challenge ? { headers: { 'WWW-Authenticate': challenge } } : undefined);
  }

  function tenantOf(req: FastifyRequest, cfg: RouteConfig): string | undefined | null {
    if (!cfg.tenantScoped) return null;
    const raw = opts.tenantFrom ? opts.tenantFrom(req) : req.headers['x-tenant-id'];
    return typeof raw === 'string' ? raw : undefined;
  }

  function run(req: FastifyRequest): Promise<void> | void {
    req.ctx = { principal: null, requestId: req.id, clientAddress: req.clientAddress };
    // Read once: Fastify builds a new routeOptions object on every access.
    const cfg: RouteConfig = req.routeOptions.config;
    if (cfg.auth === 'none' || cfg.url === undefined) return;
    const token = bearerToken(req);
    if (!token && cfg.auth === 'optional') return;
    const r = s.access.admit(
      token ? { kind: 'access_token', token } : MISSING,
      {
        face: 'tenant',
        tenant: tenantOf(req, cfg),
        permission: cfg.permission ?? null,
        platformAdmin: cfg.platformAdmin === true,
        method: req.method,
        url: cfg.url,
      },
      req.ctx,
    );
    if (!(r instanceof Promise)) return admitted(req, r);
    return r.then((x) => admitted(req, x));
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
