import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one app instance. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'latch_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  // One labelled child per (method, route template, status), found by a string key: prom-client's
  // inc(labels) hashes a label object on every call, a measurable share of a cheap request.
  const children = new Map<string, { inc(): void }>();
  return {
    registry,
    requests,
    countRequest(method: string, route: string, status: number): void {
      const k = `${method} ${status} ${route}`;
      let c = children.get(k);
      if (!c) children.set(k, (c = requests.labels(method, route, String(status))));
      c.inc();
    },
    authFailures: new Counter({
      name: 'latch_auth_failures_total',
      help: 'Rejected credentials by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    tokensIssued: new Counter({
      name: 'latch_tokens_issued_total',
      help: 'Access tokens issued by grant type',
      labelNames: ['grant'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
