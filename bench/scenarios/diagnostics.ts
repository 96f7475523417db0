/**
 * Diagnostic scenarios: they split the headline figure into its parts, so a shortfall points at
 * what costs the most (framework stack, access check, handler's store reads).
 */
import path from 'node:path';
import Fastify from 'fastify';
import { authenticateHook } from '../../src/http/plugins/authenticate.js';
import { createMetrics } from '../../src/http/plugins/metrics.js';
import { EI_PERMISSIONS } from '../../src/domain/permissions.js';
import type { Scenario } from '../harness.js';
import { load, opsPerSecond } from '../harness.js';

export const latchHealthz: Scenario = {
  name: 'diag: latch GET /healthz (no auth)',
  description:
    "Latch's full app (request-id, metrics onResponse hook, onSend header, error handlers) on an unauthenticated route: the cost of the app's stack alone.",
  diagnostic: true,
  async run(ctx) {
    const r = await load(ctx.settings, { url: `${ctx.latchUrl}/healthz` });
    return { name: this.name, rps: r.rps, latencyMs: r.latencyMs, serverUs: r.serverUs, note: 'app stack, no auth' };
  },
};

/**
 * Latch's own access check (authenticateHook + the running server's access service) in front of
 * a route answering constant JSON, in a bare Fastify: the access check without the handler.
 */
export const authOnly: Scenario = {
  name: 'diag: bare Fastify + Latch access hook',
  description:
    'authenticateHook from src/http/plugins/authenticate.ts (same services, same token) guarding a constant-JSON route declared like GET agents.',
  diagnostic: true,
  async run(ctx) {
    const app = Fastify({ logger: false });
    app.addHook('onRequest', authenticateHook(ctx.latch.services, createMetrics()));
    app.get('/guarded', { config: { tenantScoped: true, permission: { anyOf: EI_PERMISSIONS } } as never }, async () => ({
      agents: [],
      page: 1,
      size: 50,
      total: 0,
    }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      const r = await load(ctx.settings, {
        url: `http://127.0.0.1:${port}/guarded`,
        headers: { authorization: `Bearer ${ctx.accessToken}`, 'x-tenant-id': ctx.tenantId },
        expectStatus: 200,
      });
      return { name: this.name, rps: r.rps, latencyMs: r.latencyMs, serverUs: r.serverUs, note: 'access check, no handler' };
    } finally {
      await app.close();
    }
  },
};

export const inProcessAuth: Scenario = {
  name: 'diag: in-process authenticate + authorize',
  description: 'services.access.authenticate(token) then authorize(principal, tenant, EI permission) on warm caches, in a loop.',
  diagnostic: true,
  async run(ctx) {
    const access = ctx.latch.services.access;
    const need = { anyOf: EI_PERMISSIONS };
    const r = await opsPerSecond(async () => {
      const p = await access.authenticate(ctx.accessToken);
      if (!p) throw new Error('token rejected');
      await access.authorize(p, ctx.tenantId, need);
    }, ctx.settings.inProcessMs);
    return { name: this.name, rps: r.ops, note: `${r.usPerOp.toFixed(2)} µs/op`, compare: false };
  },
};

export const inProcessListAgents: Scenario = {
  name: "diag: in-process ei.listAgents (handler's store read)",
  description:
    'services.ei.listAgents(tenant, page 1/50): what the GET agents handler does per request (Kysely over better-sqlite3: list + count).',
  diagnostic: true,
  async run(ctx) {
    const ei = ctx.latch.services.ei;
    const r = await opsPerSecond(() => ei.listAgents(ctx.tenantId, { page: 1, size: 50 }), ctx.settings.inProcessMs);
    return { name: this.name, rps: r.ops, note: `${r.usPerOp.toFixed(2)} µs/op`, compare: false };
  },
};

/**
 * The same two queries the GET agents handler runs, on the same database file, with
 * better-sqlite3 statements prepared once: what the store read costs without Kysely's
 * per-call query building and per-call prepare().
 */
export const rawSqliteListAgents: Scenario = {
  name: 'diag: in-process same queries, raw better-sqlite3, cached statements',
  description:
    'SELECT * FROM agents WHERE tenant_id=? ORDER BY creation_time, id LIMIT 50 OFFSET 0, and SELECT count(*) … WHERE tenant_id=?, statements prepared once (read-only second connection).',
  diagnostic: true,
  async run(ctx) {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path.join(ctx.dataDir, 'latch.db'), { readonly: true });
    try {
      const list = db.prepare('select * from "agents" where "tenant_id" = ? order by "creation_time", "id" limit ? offset ?');
      const count = db.prepare('select count(*) as "n" from "agents" where "tenant_id" = ?');
      const r = await opsPerSecond(() => {
        list.all(ctx.tenantId, 50, 0);
        count.get(ctx.tenantId);
      }, ctx.settings.inProcessMs);
      return { name: this.name, rps: r.ops, note: `${r.usPerOp.toFixed(2)} µs/op`, compare: false };
    } finally {
      db.close();
    }
  },
};
