/**
 * The benchmark harness: scenarios, load generation and in-process timing.
 *
 * A scenario is a named measurement returning {name, rps, note}. HTTP scenarios drive a server
 * with autocannon running in a worker thread (so the load generator does not share the
 * servers' event loop); in-process scenarios time a function in a tight loop. Add a scenario by
 * writing a `Scenario` in bench/scenarios/ and listing it in bench/scenarios/index.ts.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { Server } from '../src/main.js';

export interface ScenarioResult {
  name: string;
  /** Requests (or operations) per second. */
  rps: number;
  note: string;
  /** Mean latency in ms (HTTP scenarios). */
  latencyMs?: number;
  /**
   * Server CPU per request in µs: the main thread's event-loop active time (both servers run on
   * it; the load generator runs in a worker thread) over the requests served. Unlike req/s it
   * does not depend on how much CPU the load generator took from the same two cores.
   */
  serverUs?: number;
  /** Compared with the baseline in the printed table; default true for HTTP scenarios. */
  compare?: boolean;
}

export interface BenchSettings {
  connections: number;
  durationSec: number;
  warmupSec: number;
  /** In-process scenarios: how long to time each. */
  inProcessMs: number;
}

/** What setup prepared, shared by every scenario. */
export interface BenchContext {
  settings: BenchSettings;
  /** The bare Fastify baseline: GET `${baselineUrl}/hello`. */
  baselineUrl: string;
  /** Latch on SQLite in a temp data dir. */
  latch: Server;
  latchUrl: string;
  /** Latch's data dir (SQLite file latch.db, master key). */
  dataDir: string;
  tenantId: string;
  /** An API key holding EI Admin in `tenantId`. */
  apiKey: { id: string; name: string; clientId: string; secret: string };
  /** An access token of that API key (client_credentials). */
  accessToken: string;
  /** The admin user's access token (password grant). */
  adminToken: string;
  /** Scenarios may stash things for later ones (e.g. an ARM hub they created). */
  state: Map<string, unknown>;
}

export interface Scenario {
  name: string;
  /** Shown under the table; what the scenario measures. */
  description: string;
  /** Diagnostic scenarios help locate costs; they are listed after the headline figures. */
  diagnostic?: boolean;
  run(ctx: BenchContext): Promise<ScenarioResult>;
}

export interface HttpLoad {
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  headers?: Record<string, string>;
  body?: string;
  /** Status every response must have (default: any 2xx). */
  expectStatus?: number;
}

export class BenchFailure extends Error {}

/** Runs autocannon (one worker thread) against one request, after a warm-up; fails on any non-2xx (or any status but expectStatus). */
export async function load(
  settings: BenchSettings,
  req: HttpLoad,
): Promise<{ rps: number; latencyMs: number; requests: number; serverUs: number }> {
  const opts = {
    url: req.url,
    method: req.method ?? 'GET',
    headers: req.headers ?? {},
    body: req.body,
    connections: settings.connections,
    workers: 1,
  } as autocannon.Options & { workers: number };
  if (settings.warmupSec > 0) await run({ ...opts, duration: settings.warmupSec }, req);
  const elu = performance.eventLoopUtilization();
  const r = await run({ ...opts, duration: settings.durationSec }, req);
  const busyMs = performance.eventLoopUtilization(elu).active;
  return {
    rps: r.requests.average,
    latencyMs: r.latency.average,
    requests: r.requests.total,
    serverUs: (busyMs * 1000) / Math.max(1, r.requests.total),
  };
}

async function run(opts: autocannon.Options, req: HttpLoad): Promise<autocannon.Result> {
  const r = await autocannon(opts);
  const failures: string[] = [];
  if (r.non2xx > 0) failures.push(`${r.non2xx} non-2xx responses`);
  if (r.errors > 0) failures.push(`${r.errors} connection errors`);
  if (r.timeouts > 0) failures.push(`${r.timeouts} timeouts`);
  if (r['2xx'] === 0) failures.push('no 2xx response at all');
  if (req.expectStatus !== undefined) {
    const stats = (r as { statusCodeStats?: Record<string, { count?: number }> }).statusCodeStats ?? {};
    const other = Object.entries(stats).filter(([code, s]) => Number(code) !== req.expectStatus && (s.count ?? 0) > 0);
    if (other.length)
      failures.push(`responses other than ${req.expectStatus}: ${other.map(([code, s]) => `${s.count}× ${code}`).join(', ')}`);
  }
  if (failures.length) {
    // Show what the server actually answers, so the failure explains itself.
    const sample = await fetch(req.url, { method: req.method ?? 'GET', headers: req.headers, body: req.body })
      .then(async (res) => `${res.status} ${(await res.text()).slice(0, 300)}`)
      .catch((e: unknown) => String(e));
    throw new BenchFailure(
      `${opts.method ?? 'GET'} ${req.url}: ${failures.join(', ')} (of ${r.requests.total}); a sample request answers: ${sample}`,
    );
  }
  return r;
}

/** Times `fn` in a loop for about `ms` milliseconds after a short warm-up; operations per second. */
export async function opsPerSecond(fn: () => unknown, ms: number): Promise<{ ops: number; usPerOp: number }> {
  const isAsync = (v: unknown): v is Promise<unknown> => typeof (v as Promise<unknown> | null)?.then === 'function';
  const loop = async (until: number) => {
    let n = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.round(until * 1e6));
    let now = start;
    while (now < end) {
      for (let i = 0; i < 100; i++) {
        const v = fn();
        if (isAsync(v)) await v;
      }
      n += 100;
      now = process.hrtime.bigint();
    }
    return { n, ns: Number(now - start) };
  };
  await loop(Math.min(500, ms / 4));
  const { n, ns } = await loop(ms);
  return { ops: (n * 1e9) / ns, usPerOp: ns / n / 1e3 };
}

/** The 1-minute load average, and a warning when other work competes for the CPUs. */
export function loadNote(): string {
  const [one] = os.loadavg();
  const cores = os.cpus().length;
  return `load average ${one!.toFixed(2)} on ${cores} cores${one! > cores * 0.5 ? ' — WARNING: the machine is busy, figures will be low and noisy' : ''}`;
}

export function machine(): string[] {
  const cpus = os.cpus();
  const models = [...new Set(cpus.map((c) => c.model.trim()))].join(', ') || 'unknown';
  return [
    `CPU: ${models}`,
    `cores: ${cpus.length} (available parallelism ${os.availableParallelism?.() ?? cpus.length})`,
    `memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `Node: ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.release()} ${os.arch()}`,
  ];
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The result table, with each figure's ratio to the baseline. */
export function table(results: ScenarioResult[], baseline: ScenarioResult): string {
  const rows = results.map((r) => [
    r.name,
    fmt(r.rps),
    r.compare === false ? '—' : `${(r.rps / baseline.rps).toFixed(2)}×`,
    r.latencyMs === undefined ? '—' : r.latencyMs.toFixed(2),
    r.serverUs === undefined ? '—' : r.serverUs.toFixed(1),
    r.serverUs === undefined || baseline.serverUs === undefined || r.compare === false
      ? '—'
      : `${(baseline.serverUs / r.serverUs).toFixed(2)}×`,
    r.note,
  ]);
  const head = ['scenario', 'req/s', 'vs baseline', 'mean ms', 'server µs/req', 'capacity vs baseline', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = (i: number) => i >= 1 && i <= 5;
  const line = (cells: string[]) =>
    '| ' + cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ') + ' |';
  return [
    line(head),
    '| ' + widths.map((w, i) => (numeric(i) ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ') + ' |',
    ...rows.map(line),
  ].join('\n');
}
