import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Request-duration buckets in seconds: 0.5 ms to 10 s. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

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
  const durations = new Histogram({
    name: 'latch_http_request_duration_seconds',
    help: 'HTTP request duration by route pattern and status (seconds, until the response is written)',
    labelNames: ['method', 'route', 'status'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  // One pair of labelled children per (method, route template, status), found by a string key:
  // prom-client's inc(labels) / observe(labels) hash a label object on every call, a measurable
  // share of a cheap request. `route` is always a route pattern (or 'unmatched'), never a raw URL.
  const children = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();
  return {
    registry,
    requests,
    durations,
    /** Counts one answered request and records its duration (`ms`, as Fastify's reply.elapsedTime). */
    observeRequest(method: string, route: string, status: number, ms: number): void {
      const k = `${method} ${status} ${route}`;
      let c = children.get(k);
      if (!c) {
        const labels = [method, route, String(status)] as const;
        children.set(k, (c = { count: requests.labels(...labels), duration: durations.labels(...labels) }));
      }
      c.count.inc();
      c.duration.observe(ms / 1000);
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
