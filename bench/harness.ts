/**
 * The benchmark harness: servers in child processes, load from autocannon in this process, and
 * what is read from /proc about each server (CPU time, RSS).
 *
 * Every server the bench measures (bare Fastify, Latch, node-oidc-provider) runs in a process of
 * its own, started and stopped here; the load generator is the only thing in the bench process,
 * so it never shares an event loop with what it measures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import autocannon from 'autocannon';

export class BenchFailure extends Error {}

export interface Proc {
  name: string;
  url: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 of its readiness URL. */
  startMs: number;
  /** CPU time (user + system, every thread) the process has used so far, in ms. */
  cpuMs(): number;
  /** Resident set size now, in bytes. */
  rssBytes(): number;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of /proc/<pid>/stat, in ms (the fields after the parenthesised command name). */
function procCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function procRssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Spawns a server and waits until `readyPath` answers 200 (polled every 10 ms), or fails with the
 * tail of what it wrote to stderr. Its stdout (access logs, at the level it is configured with)
 * goes to /dev/null, as a production log shipper would take it off the process.
 */
export async function spawnServer(opts: {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  readyPath: string;
  timeoutMs?: number;
  cwd?: string;
}): Promise<Proc> {
  const url = `http://127.0.0.1:${opts.port}`;
  const started = performance.now();
  const child: ChildProcess = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve();
    }),
  );
  const deadline = started + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (exited !== undefined) throw new BenchFailure(`${opts.name} exited (${exited}) before it was ready:\n${stderr}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new BenchFailure(`${opts.name} not ready at ${url}${opts.readyPath} after ${opts.timeoutMs ?? 60_000} ms:\n${stderr}`);
    }
    const ok = await fetch(`${url}${opts.readyPath}`, { signal: AbortSignal.timeout(1000) }).then(
      async (r) => (await r.arrayBuffer(), r.status === 200),
      () => false,
    );
    if (ok) break;
    await sleep(10);
  }
  const startMs = performance.now() - started;
  const pid = child.pid!;
  return {
    name: opts.name,
    url,
    pid,
    startMs,
    cpuMs: () => procCpuMs(pid),
    rssBytes: () => procRssBytes(pid),
    async stop() {
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
}

export interface BenchSettings {
  connections: number;
  durationSec: number;
  warmupSec: number;
}

export interface HttpLoad {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Status every response must have (default 200). */
  expectStatus?: number;
}

export interface Measurement {
  /** Requests per second (autocannon's mean of its per-second samples). */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** The server process's CPU time per request, in µs (all its threads; /proc utime + stime). */
  cpuUs: number;
}

/** Drives `server` with autocannon after a warm-up; fails on any status but `expectStatus`, any error or timeout. */
export async function load(settings: BenchSettings, server: Proc, req: HttpLoad): Promise<Measurement> {
  const opts: autocannon.Options = {
    url: req.url,
    method: req.method ?? 'GET',
    headers: req.headers ?? {},
    body: req.body,
    connections: settings.connections,
  };
  if (settings.warmupSec > 0) await run({ ...opts, duration: settings.warmupSec }, req, true);
  const cpu0 = server.cpuMs();
  const r = await run({ ...opts, duration: settings.durationSec }, req);
  const cpu = server.cpuMs() - cpu0;
  return {
    rps: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    cpuUs: (cpu * 1000) / Math.max(1, r.requests.total),
  };
}

async function run(opts: autocannon.Options, req: HttpLoad, warmUp = false): Promise<autocannon.Result> {
  const r = await autocannon(opts);
  const expect = req.expectStatus ?? 200;
  const failures: string[] = [];
  if (r.errors > 0) failures.push(`${r.errors} connection errors`);
  if (r.timeouts > 0) failures.push(`${r.timeouts} timeouts`);
  // A short warm-up may end before a slow first answer; the measured run must have some.
  if (r['2xx'] === 0 && !warmUp) failures.push('no 2xx response at all');
  const stats = (r as { statusCodeStats?: Record<string, { count?: number }> }).statusCodeStats ?? {};
  const other = Object.entries(stats).filter(([code, s]) => Number(code) !== expect && (s.count ?? 0) > 0);
  if (other.length) failures.push(`responses other than ${expect}: ${other.map(([code, s]) => `${s.count}× ${code}`).join(', ')}`);
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

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

/** The machine, for the printed report and the docs. */
export function machine(): { cpu: string; cores: number; memory: string; node: string; os: string } {
  const cpus = os.cpus();
  return {
    cpu: [...new Set(cpus.map((c) => c.model.trim()))].join(', ') || 'unknown',
    cores: cpus.length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}
