import type { Scenario } from '../harness.js';
import { load } from '../harness.js';

/** The reference every ratio is taken against: bare Fastify, one GET route, small JSON. */
export const baseline: Scenario = {
  name: 'baseline: bare Fastify GET /hello',
  description: 'Fastify 5 with no plugins and no hooks; one route answering {"hello":"world"}.',
  async run(ctx) {
    const r = await load(ctx.settings, { url: `${ctx.baselineUrl}/hello` });
    return { name: this.name, rps: r.rps, latencyMs: r.latencyMs, serverUs: r.serverUs, note: 'reference' };
  },
};

/**
 * The same bare route, sent exactly the request the authorized scenario sends (a ~1 KB bearer
 * token and x-tenant-id, which bare Fastify ignores): parsing those bytes, on both ends of the one
 * machine, is not Latch's work, so the hot-path target is taken against this.
 */
export const baselineSameRequest: Scenario = {
  name: 'baseline: bare Fastify GET /hello, same request headers',
  description: 'As the baseline, but each request carries the Authorization and x-tenant-id headers of the authorized scenario.',
  async run(ctx) {
    const r = await load(ctx.settings, {
      url: `${ctx.baselineUrl}/hello`,
      headers: { authorization: `Bearer ${ctx.accessToken}`, 'x-tenant-id': ctx.tenantId },
    });
    return { name: this.name, rps: r.rps, latencyMs: r.latencyMs, serverUs: r.serverUs, note: 'reference for the hot-path target' };
  },
};
