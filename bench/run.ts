/**
 * npm run bench — Latch against its peers, every server in its own process, in one run.
 *
 *   npm run bench [-- --duration 8 --rounds 3 --warmup 2 --connections 50 --sizes 1k,100k,1M
 *                     --no-scale --no-main --scale-rounds 3 --source --no-build --no-write
 *                     --log-level info --ledger --strict]
 *
 * 1. Main section: Latch (built dist, `node dist/cli/index.js serve`, SQLite in a temp data dir),
 *    the bare Fastify route (bench/servers/bare.ts, the same body as Latch's authorized GET) and
 *    node-oidc-provider (bench/servers/oidc.ts, client_credentials, ES256 JWT access tokens), each
 *    a child process. Every scenario of bench/scenarios.ts runs once per round, rounds
 *    interleaved, autocannon in this process; medians and ratios of medians against the peer.
 * 2. Scale section, per size: a fresh Latch set up through the API, stopped, seeded with N stored
 *    credentials through the store's bulk path (bench/seed.ts), started again (cold start to
 *    /readyz timed), then token issuance and the authorized GET in interleaved rounds, and its RSS.
 * 3. The report: printed, written into docs/performance.md between markers (--no-write: not), and
 *    the chart docs/performance-scale.svg.
 * --ledger runs the cost ledger (bench/ledger.ts, its own script) after the main section, with the
 * same --duration/--warmup/--connections/--rounds, when that file exists.
 * Exit status 1 when a scenario fails; with --strict also when a target is missed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateMasterKey } from '../src/crypto/envelope.js';
import {
  BenchFailure,
  freePort,
  load,
  loadAverage,
  machine,
  spawnServer,
  type BenchSettings,
  type Measurement,
  type Proc,
} from './harness.js';
import { clientToken, setupLatch, startLatch, type LatchStart } from './latch.js';
import { chartSvg, markdown, sizeLabel, summarize, writeDocs, type Report, type ScaleRow, type Verdict } from './report.js';
import {
  COMPARISONS,
  REFERENCES,
  SCALE_SCENARIOS,
  SCALE_TARGETS,
  SCENARIOS,
  scenario,
  type Env,
  type OidcClient,
  type Scenario,
} from './scenarios.js';
import { seedCredentials } from './seed.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOC = path.join(ROOT, 'docs/performance.md');
const CHART = 'performance-scale.svg';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', short: 'c', default: '50' },
    duration: { type: 'string', short: 'd', default: '8' },
    warmup: { type: 'string', short: 'w', default: '2' },
    rounds: { type: 'string', default: '3' },
    'scale-rounds': { type: 'string' },
    sizes: { type: 'string', default: '1k,100k,1M' },
    'no-scale': { type: 'boolean', default: false },
    'no-main': { type: 'boolean', default: false },
    source: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'info' },
    ledger: { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});

function positive(name: string, v: string | undefined, integer = false): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new BenchFailure(`bad --${name}: ${v}`);
  return n;
}

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (!m) throw new BenchFailure(`bad size in --sizes: ${s} (e.g. 1k,100k,1M)`);
  return Math.round(Number(m[1]) * (m[2]!.toLowerCase() === 'k' ? 1e3 : m[2]!.toLowerCase() === 'm' ? 1e6 : 1));
}

const settings: BenchSettings = {
  connections: positive('connections', values.connections, true),
  durationSec: positive('duration', values.duration),
  warmupSec: positive('warmup', values.warmup),
};
const rounds = Math.max(1, positive('rounds', values.rounds, true));
const scaleRounds = Math.max(1, positive('scale-rounds', values['scale-rounds'] ?? values.rounds, true));
const sizes = values['no-scale']
  ? []
  : values
      .sizes!.split(',')
      .map(parseSize)
      .sort((a, b) => a - b);
const say = (s = '') => console.log(s);
const only = values.only?.split(',').map((id) => id.trim());
for (const id of only ?? []) if (!SCENARIOS.some((s) => s.id === id)) throw new BenchFailure(`bad --only: no scenario ${id}`);
/** The main section's scenarios (--only: those named, in the usual order). */
const mainScenarios = only ? SCENARIOS.filter((s) => only.includes(s.id)) : SCENARIOS;

function latchStart(dataDir: string, masterKey: string): LatchStart {
  return { root: ROOT, dataDir, masterKey, source: values.source!, logLevel: values['log-level']! };
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'latch-bench-'));

function storeBytes(dataDir: string): number {
  return ['latch.db', 'latch.db-wal'].reduce((n, f) => n + (fs.statSync(path.join(dataDir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
}

function line(s: Scenario, m: Measurement): string {
  return `    ${s.id.padEnd(11)} ${Math.round(m.rps).toString().padStart(7)} req/s  p50 ${m.p50Ms.toFixed(1).padStart(6)} ms  p99 ${m.p99Ms.toFixed(1).padStart(6)} ms  ${Math.round(m.cpuUs).toString().padStart(6)} µs CPU/req`;
}

/** A server of bench/servers/ in its own process (through tsx), on a free port, ready when `readyPath` answers 200. */
async function peerServer(name: string, file: string, readyPath: string, env: Record<string, string>): Promise<Proc> {
  const port = await freePort();
  return spawnServer({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', path.join(ROOT, 'bench/servers', file)],
    cwd: ROOT,
    env: { ...env, BENCH_PORT: String(port), NODE_ENV: 'production' },
    port,
    readyPath,
  });
}

async function mainSection(report: Report): Promise<void> {
  const dataDir = tempDir();
  const floorDir = tempDir();
  const procs: Proc[] = [];
  try {
    const latch = await startLatch(latchStart(dataDir, generateMasterKey()));
    procs.push(latch);
    const fx = await setupLatch(latch.url);
    const bare = await peerServer('bare Fastify', 'bare.ts', '/readyz', { BENCH_BODY: fx.agentsBody });
    procs.push(bare);
    const oidcClient: OidcClient = { clientId: 'bench-client', secret: randomBytes(24).toString('base64url'), scope: 'api:read' };
    const oidc = await peerServer('node-oidc-provider', 'oidc.ts', '/.well-known/openid-configuration', {
      BENCH_CLIENT_ID: oidcClient.clientId,
      BENCH_CLIENT_SECRET: oidcClient.secret,
      BENCH_SCOPE: oidcClient.scope,
    });
    procs.push(oidc);
    const floor = await peerServer('floor', 'floor.ts', '/readyz', {
      BENCH_BODY: fx.agentsBody,
      BENCH_TOKEN: fx.accessToken,
      BENCH_TENANT: fx.tenantId,
      BENCH_CLIENT_ID: fx.apiKey.clientId,
      BENCH_CLIENT_SECRET: fx.apiKey.secret,
      BENCH_DIR: floorDir,
    });
    procs.push(floor);
    const env: Env = { servers: { latch, bare, oidc, floor }, fx, oidc: oidcClient };
    say(
      `  latch ${latch.url} (pid ${latch.pid}), bare ${bare.url} (pid ${bare.pid}), node-oidc-provider ${oidc.url} (pid ${oidc.pid}), floor ${floor.url} (pid ${floor.pid})`,
    );

    // Sanity before load: each request answers 200 (an access token from the peer is an ES256 JWT).
    for (const s of mainScenarios) {
      const req = s.request(env);
      if (req.headers?.host) continue; // fetch cannot set Host; autocannon's run checks every status
      const res = await fetch(req.url, { method: req.method ?? 'GET', headers: req.headers, body: req.body });
      const text = await res.text();
      if (res.status !== 200)
        throw new BenchFailure(`${s.id}: ${req.method ?? 'GET'} ${req.url} answers ${res.status} ${text.slice(0, 300)}`);
      if (s.id.endsWith('token')) {
        const header = JSON.parse(
          Buffer.from((JSON.parse(text) as { access_token: string }).access_token.split('.')[0]!, 'base64url').toString(),
        );
        if ((header as { alg?: string }).alg !== 'ES256')
          throw new BenchFailure(`${s.id}: access token is not ES256: ${JSON.stringify(header)}`);
      }
    }

    const all = new Map<string, Measurement[]>(mainScenarios.map((s) => [s.id, []]));
    for (let round = 1; round <= rounds; round++) {
      say(`  round ${round}/${rounds} (load average ${loadAverage()})`);
      for (const s of mainScenarios) {
        const server = env.servers[s.server]!;
        const m = await load(settings, server, s.request(env));
        all.get(s.id)!.push(m);
        say(line(s, m));
      }
    }
    report.main = mainScenarios.map((s) => ({ scenario: s, summary: summarize(all.get(s.id)!) }));
    const by = new Map(report.main.map((x) => [x.scenario.id, x.summary]));
    for (const c of REFERENCES) {
      const x = by.get(c.id);
      const peer = by.get(c.peer);
      if (x && peer) report.references.push(`${c.label}: ${(x.rps / peer.rps).toFixed(2)}× (p99 ${(x.p99Ms / peer.p99Ms).toFixed(2)}×)`);
    }
    for (const c of COMPARISONS) {
      const x = by.get(c.id);
      const peer = by.get(c.peer);
      if (!x || !peer) continue;
      const ratio = x.rps / peer.rps;
      report.verdicts.push({
        label: c.label,
        value: `${ratio.toFixed(2)}× (${Math.round(x.rps)} against ${Math.round(peer.rps)} req/s; p99 ${(x.p99Ms / peer.p99Ms).toFixed(2)}×)`,
        target: `≥ ${c.minRatio}×`,
        ok: ratio >= c.minRatio,
      });
    }
    if (values.ledger) ledger();
  } finally {
    for (const p of procs.reverse()) await p.stop();
    for (const dir of [dataDir, floorDir]) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The cost ledger is its own script (bench/ledger.ts); run it with this run's settings when it exists. */
function ledger(): void {
  const file = path.join(ROOT, 'bench/ledger.ts');
  if (!fs.existsSync(file)) {
    say('  --ledger: bench/ledger.ts does not exist yet; skipped');
    return;
  }
  say('');
  say('  cost ledger (bench/ledger.ts):');
  const args = [
    '--duration',
    String(settings.durationSec),
    '--warmup',
    String(settings.warmupSec),
    '--connections',
    String(settings.connections),
  ];
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...args, '--rounds', String(rounds)], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new BenchFailure(`bench/ledger.ts exited ${r.status}`);
}

async function scaleSize(size: number): Promise<ScaleRow> {
  const dataDir = tempDir();
  const masterKey = generateMasterKey();
  let latch: Proc | undefined;
  try {
    latch = await startLatch(latchStart(dataDir, masterKey));
    const fx = await setupLatch(latch.url);
    await latch.stop();
    latch = undefined;
    const before = storeBytes(dataDir);
    process.stdout.write(`  ${sizeLabel(size)}: seeding … `);
    const seed = await seedCredentials({ dbFile: path.join(dataDir, 'latch.db'), masterKey, keyId: fx.apiKey.id, count: size });
    const bytesPerCredential = (storeBytes(dataDir) - before) / (seed.apiKeys + seed.policies);
    say(
      `${seed.apiKeys} API keys, ${seed.policies} policies in ${(seed.ms / 1000).toFixed(1)} s, ${Math.round(bytesPerCredential)} bytes per credential`,
    );
    latch = await startLatch(latchStart(dataDir, masterKey));
    const rssIdleBytes = latch.rssBytes();
    say(`    cold start to /readyz ${Math.round(latch.startMs)} ms, RSS ${(rssIdleBytes / 2 ** 20).toFixed(0)} MB`);
    // The setup's access token (5 min) may have expired while a large store was seeded.
    const env: Env = {
      servers: { latch },
      fx: { ...fx, accessToken: await clientToken(latch.url, fx.apiKey) },
      oidc: { clientId: '', secret: '', scope: '' },
    };
    const all = new Map<string, Measurement[]>(SCALE_SCENARIOS.map((id) => [id, []]));
    for (let round = 1; round <= scaleRounds; round++) {
      for (const id of SCALE_SCENARIOS) {
        const s = scenario(id);
        const m = await load(settings, latch, s.request(env));
        all.get(id)!.push(m);
        say(line(s, m));
      }
    }
    const rssLoadedBytes = latch.rssBytes();
    return {
      size,
      seed,
      bytesPerCredential,
      coldStartMs: latch.startMs,
      rssIdleBytes,
      rssLoadedBytes,
      results: Object.fromEntries([...all].map(([id, ms]) => [id, summarize(ms)])),
    };
  } finally {
    await latch?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function scaleVerdicts(rows: ScaleRow[]): Verdict[] {
  const out: Verdict[] = [];
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first && last && last.size > first.size) {
    for (const id of SCALE_SCENARIOS) {
      const a = first.results[id]!;
      const b = last.results[id]!;
      const drop = a.rps / b.rps;
      const cost = b.cpuUs / a.cpuUs;
      out.push({
        label: `${id} from ${sizeLabel(first.size)} to ${sizeLabel(last.size)} credentials`,
        value: `req/s ${sizeLabel(first.size)} ÷ ${sizeLabel(last.size)} = ${drop.toFixed(2)}×, CPU µs/req ${sizeLabel(last.size)} ÷ ${sizeLabel(first.size)} = ${cost.toFixed(2)}×, p99 ${(b.p99Ms / a.p99Ms).toFixed(2)}×`,
        target: `≤ ${SCALE_TARGETS.maxGrowth}× for req/s and CPU`,
        ok: drop <= SCALE_TARGETS.maxGrowth && cost <= SCALE_TARGETS.maxGrowth,
      });
    }
  }
  const at100k = rows.find((r) => r.size === 100_000);
  if (at100k)
    out.push({
      label: 'RSS of Latch with 100k credentials, after load',
      value: `${(at100k.rssLoadedBytes / 2 ** 20).toFixed(0)} MB`,
      target: `≤ ${SCALE_TARGETS.maxRssBytesAt100k / 2 ** 20} MB`,
      ok: at100k.rssLoadedBytes <= SCALE_TARGETS.maxRssBytesAt100k,
    });
  const at1M = rows.find((r) => r.size === 1_000_000);
  if (at1M)
    out.push({
      label: 'cold start to /readyz with 1M credentials (SQLite)',
      value: `${Math.round(at1M.coldStartMs)} ms`,
      target: `≤ ${SCALE_TARGETS.maxColdStartMsAt1M} ms`,
      ok: at1M.coldStartMs <= SCALE_TARGETS.maxColdStartMsAt1M,
    });
  return out;
}

async function main(): Promise<number> {
  const started = performance.now();
  const m = machine();
  const report: Report = {
    machine: m,
    startedAt: new Date(),
    totalSec: 0,
    loadBefore: loadAverage(),
    loadAfter: '',
    settings: {
      ...settings,
      rounds,
      latchStart: values.source ? 'from source (`node --import tsx src/cli/index.ts serve`)' : 'built (`node dist/cli/index.js serve`)',
      logLevel: values['log-level']!,
    },
    main: [],
    verdicts: [],
    references: [],
    scale: [],
    scaleSettings: { rounds: scaleRounds },
  };
  say('Latch benchmark');
  say(
    `  ${m.cpu}, ${m.cores} cores, ${m.memory}, Node ${m.node}, ${m.os}; load average ${report.loadBefore}; ${report.startedAt.toISOString()}`,
  );
  say(
    `  autocannon in this process, ${settings.connections} connections, ${settings.durationSec} s after ${settings.warmupSec} s warm-up, ${rounds} interleaved rounds; sizes ${sizes.map(sizeLabel).join(', ') || 'none'}`,
  );
  if (!values.source && !values['no-build']) {
    say('  building dist/ (tsc -p tsconfig.json) …');
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')], {
      stdio: 'inherit',
    });
  }
  say('');
  if (!values['no-main']) {
    say('Main: every scenario against its peer');
    await mainSection(report);
    say('');
  }
  if (sizes.length) {
    say('Scale: stored credentials');
    for (const size of sizes) report.scale.push(await scaleSize(size));
    report.verdicts.push(...scaleVerdicts(report.scale));
    say('');
  }
  report.loadAfter = loadAverage();
  report.totalSec = (performance.now() - started) / 1000;

  const labels = Object.fromEntries(
    SCENARIOS.map((s) => [s.id, s.id === 'token' ? 'token issuance' : s.id === 'agents' ? 'authorized GET' : s.id]),
  );
  const chart = report.scale.length > 1 ? await chartSvg(report.scale, labels) : undefined;
  say(markdown(report));
  say('');
  if (!values['no-write']) {
    if (chart) fs.writeFileSync(path.join(ROOT, 'docs', CHART), chart);
    await writeDocs(DOC, markdown(report, report.scale.length > 1 ? CHART : undefined));
    say(`  wrote docs/performance.md${chart ? ` and docs/${CHART}` : ''}`);
  }
  const missed = report.verdicts.filter((v) => !v.ok);
  if (missed.length) say(`  ${missed.length} target(s) missed${values.strict ? ' (--strict: exit 1)' : ''}`);
  return values.strict && missed.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof BenchFailure ? `bench failed: ${e.message}` : e);
    process.exitCode = 1;
  },
);
