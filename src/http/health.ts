import type { App } from './types.js';
import type { Services } from '../services/index.js';
import type { Metrics } from './plugins/metrics.js';

/** /healthz (process alive), /readyz (store reachable, signing key loaded), /metrics (Prometheus). */
export function registerHealthRoutes(app: App, s: Services, metrics: Metrics) {
  const cfg = { auth: 'none' as const };
  app.get('/healthz', { config: cfg, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: cfg, schema: { hide: true } }, async () => ({ status: 'ready', ...(await s.system.ready()) }));
  app.get('/metrics', { config: cfg, schema: { hide: true } }, async (_req, reply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
