import { Counter, Registry, collectDefaultMetrics, type Metric } from 'prom-client';

/** Request-duration buckets in seconds: 0.5 ms to 10 s. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

interface Series {
  labels: { method: string; route: string; status: string };
  /** Observations per bucket (not cumulative); the last is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

function observe(s: Series, seconds: number): void {
  let i = 0;
  while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++;
  s.counts[i]!++;
  s.sum += seconds;
  s.count++;
}

/**
 * `latch_http_request_duration_seconds`, a Prometheus histogram by method, route pattern and
 * status. prom-client's Histogram validates and hashes the label set on every observe, even
 * through a labelled child; here a request adds to the plain arrays of its series (found once by
 * string key, like the counter's children) and the exposition is built only when /metrics is
 * scraped, in the shape prom-client's registry formats (buckets cumulative, `+Inf`, `_sum`, `_count`).
 */
class RouteDurations {
  readonly name = 'latch_http_request_duration_seconds';
  readonly help = 'HTTP request duration by route pattern and status (seconds, until the response is written)';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly all: Series[] = [];

  series(method: string, route: string, status: string): Series {
    const s: Series = {
      labels: { method, route, status },
      counts: new Array<number>(DURATION_BUCKETS.length + 1).fill(0),
      sum: 0,
      count: 0,
    };
    this.all.push(s);
    return s;
  }

  get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const s of this.all) {
      let cumulative = 0;
      DURATION_BUCKETS.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ labels: { ...s.labels, le }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    for (const s of this.all) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}

/**
 * `latch_http_requests_total` by method, route pattern and status: the `_count` of each duration
 * series (the same requests), read when /metrics is scraped, so a request adds to no counter of
 * its own (prom-client's labelled counter hashes and validates its labels on every inc).
 */
class RouteRequests {
  readonly name = 'latch_http_requests_total';
  readonly help = 'HTTP requests by route and status';
  readonly type = 'counter';
  readonly aggregator = 'sum';
  constructor(private readonly durations: RouteDurations) {}

  get() {
    const values = this.durations.all.map((s) => ({ labels: s.labels, value: s.count }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** Zeroed with the durations it reads. */
  reset(): void {}
}

/** Prometheus metrics of one app instance. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const durations = new RouteDurations();
  registry.registerMetric(new RouteRequests(durations) as unknown as Metric);
  registry.registerMetric(durations as unknown as Metric);
  // One series per (method, route template, status), found by a string key: prom-client's
  // inc(labels) / observe(labels) hash a label object on every call, a measurable share of a
  // cheap request. `route` is always a route pattern (or 'unmatched'), never a raw URL.
  const series = new Map<string, Series>();
  return {
    registry,
    durations,
    /** Counts one answered request and records its duration (`ms`, as Fastify's reply.elapsedTime). */
    observeRequest(method: string, route: string, status: number, ms: number): void {
      const k = `${method} ${status} ${route}`;
      let s = series.get(k);
      if (!s) series.set(k, (s = durations.series(method, route, String(status))));
      observe(s, ms / 1000);
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
