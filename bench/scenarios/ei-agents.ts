import type { Scenario } from '../harness.js';
import { load } from '../harness.js';

/** The headline figure: an authorized EI northbound read, every request authenticated and authorized. */
export const eiAgents: Scenario = {
  name: 'latch: GET /nbapi/ei/v1/agents (Bearer + x-tenant-id)',
  description:
    'API-key access token (EI Admin), x-tenant-id of its tenant: verify JWT (cached) → principal/session (cached) → ' +
    "access (cached) → handler, which lists the tenant's agents from SQLite (list + count). Every response must be 200.",
  async run(ctx) {
    const r = await load(ctx.settings, {
      url: `${ctx.latchUrl}/nbapi/ei/v1/agents`,
      headers: { authorization: `Bearer ${ctx.accessToken}`, 'x-tenant-id': ctx.tenantId },
      expectStatus: 200,
    });
    return { name: this.name, rps: r.rps, latencyMs: r.latencyMs, serverUs: r.serverUs, note: 'target ≥ 0.80× baseline' };
  },
};
