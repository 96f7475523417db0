import type { Scenario } from '../harness.js';
import { load } from '../harness.js';

/** The reference every ratio is taken against: bare Fastify, one GET route, small JSON. */
export const baseline: Scenario = {
  name: 'baseline: bare Fastify GET /hello',
  description: 'Fastify 5 with no plugins and no hooks; one route answering {"hello":"world"}.',
  async run(ctx) {
    const r = await load(ctx.settings, { url: `${ctx.baselineUrl}/hello` });
    return { name: this.name, rps: r.rps, latencyMs: r.latencyMs, note: 'reference' };
  },
};
