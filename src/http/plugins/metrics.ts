import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one app instance. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({ name: 'latch_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    authFailures: new Counter({ name: 'latch_auth_failures_total', help: 'Rejected credentials by reason', labelNames: ['reason'], registers: [registry] }),
    tokensIssued: new Counter({ name: 'latch_tokens_issued_total', help: 'Access tokens issued by grant type', labelNames: ['grant'], registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
