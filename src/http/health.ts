import type { App } from './types.js';
import type { Deps } from '../deps.js';
import type { Metrics } from './plugins/metrics.js';
import { AppError } from '../errors/app-error.js';

/** /healthz (process alive), /readyz (store reachable, signing key loaded), /metrics (Prometheus). */
export function registerHealthRoutes(app: App, deps: Deps, metrics: Metrics) {
  const cfg = { auth: 'none' as const };
  app.get('/healthz', { config: cfg, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: cfg, schema: { hide: true } }, async () => {
    try {
      await deps.store.ping();
    } catch (cause) {
      throw new AppError('UNAVAILABLE', {}, { cause });
    }
    if (!deps.keys.currentKid) throw new AppError('UNAVAILABLE');
    return { status: 'ready', store: deps.store.dialect };
  });
  app.get('/metrics', { config: cfg, schema: { hide: true } }, async (_req, reply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()));
}
