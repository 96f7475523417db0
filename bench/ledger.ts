/**
 * The cost ledger of an authorized request (issue 10): from a bare Fastify app to the whole of
 * Latch, one layer added at a time, each variant a server in its own child process, all measured
 * in the same run, interleaved (round 1: every variant, round 2: every variant, …), so the
 * machine's drift hits all alike. Every variant answers the same request — `GET
 * /nbapi/ei/v1/agents` with a Bearer token and `x-tenant-id` — with the same body.
 *
 *   npx tsx bench/ledger.ts [--rounds 3] [--duration 3] [--connections 50] [--only <substring>]
 *
 * Per variant: the median req/s and the median server CPU µs per request (the child's user +
 * system time from /proc over the requests it served: load generator excluded, unlike req/s on a
 * shared 2-core machine), and what the layer added over the one before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { createLogger, startServer } from '../src/main.js';
import { requestId, stackHooks } from '../src/http/app.js';
import { securityHeaders } from '../src/http/plugins/security-headers.js';
import { createMetrics } from '../src/http/plugins/metrics.js';
import { authenticateHook } from '../src/http/plugins/authenticate.js';
import { lazyChildLogger } from '../src/http/plugins/lazy-logger.js';
import { EI_PERMISSIONS } from '../src/domain/permissions.js';
import { access } from '../src/http/route.js';
import type { App } from '../src/http/types.js';
import { registerEiRoutes } from '../src/http/faces/ei/index.js';
import { EiErrorSchema, eiErrorHandler } from '../src/http/faces/iam/errors.js';
import { schemaCompilers } from '../src/http/validation.js';

const PATH = '/nbapi/ei/v1/agents';
const PASSWORD = 'ledger-admin-password-1';

/** The layers, cumulative: variant i has layers 1..i. The last is Latch itself (startServer). */
const LAYERS = [
  'bare Fastify, same route and body',
  '+ logger at info (pino to /dev/null, lazy request loggers, one access line per request)',
  '+ request id (x-request-id or a UUID)',
  '+ security headers and the path/query text rule (one onRequest hook)',
  '+ metrics (request counter and duration histogram)',
  '+ authentication hook (Bearer token, cached verification)',
  '+ tenant and permission check (x-tenant-id, EI permission)',
  '+ the route schema (header and query validation, response serializer) and the real handler (ei.listAgents)',
  'Latch (startServer: every plugin, face and route)',
] as const;

type Arg = { rounds: number; duration: number; connections: number; only?: string };

function args(): Arg {
  const a: Arg = { rounds: 3, duration: 3, connections: 50 };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '--rounds') a.rounds = Number(v[++i]);
    else if (v[i] === '--duration' || v[i] === '-d') a.duration = Number(v[++i]);
    else if (v[i] === '--connections' || v[i] === '-c') a.connections = Number(v[++i]);
    else if (v[i] === '--only') a.only = v[++i];
  }
  return a;
}

// ---------------------------------------------------------------- child: one variant

/** Latch, to get a token and services; listens only for the last variant. */
async function startLatch(dataDir: string, listen: boolean, log: pino.Logger) {
  const config = loadConfig({
    LATCH_PORT: '0',
    LATCH_HOST: '127.0.0.1',
    LATCH_DATA_DIR: dataDir,
    LATCH_ADMIN_PASSWORD: PASSWORD,
    LATCH_LOG_LEVEL: 'info',
  });
  const server = await startServer(config, { log, print: () => undefined, listen });
  const inject = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, token?: string, tenant?: string) => {
    const res = await server.app.inject({
      method,
      url,
      payload: body as Record<string, unknown>,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(tenant ? { 'x-tenant-id': tenant } : {}) },
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as Record<string, unknown>;
  };
  const login = await inject('POST', '/iam/auth/token', { grant_type: 'password', username: 'admin', password: PASSWORD });
  const admin = login.access_token as string;
  const me = await inject('GET', '/iam/users/me', undefined, admin);
  const tenantId = me.tenant_id as string;
  const key = await inject('POST', '/iam/api-keys', { name: 'ledger', roles: ['EI Admin'] }, admin, tenantId);
  const tok = await inject('POST', '/iam/auth/token', {
    grant_type: 'client_credentials',
    client_id: key.clientId as string,
    client_secret: key.secret as string,
  });
  return { server, token: tok.access_token as string, tenantId };
}

async function child(layer: number): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-ledger-'));
  const log = createLogger('info', pino.destination({ dest: '/dev/null', sync: false }));
  const last = layer === LAYERS.length - 1;
  const latch = await startLatch(dataDir, last, log);
  const body = await (
    await latch.server.app.inject({
      method: 'GET',
      url: PATH,
      headers: { authorization: `Bearer ${latch.token}`, 'x-tenant-id': latch.tenantId },
    })
  ).json();
  let url = latch.server.url;
  if (!last) {
    const app = Fastify({
      ...(layer >= 1
        ? { loggerInstance: log, logController: new LogController({ disableRequestLogging: true }), childLoggerFactory: lazyChildLogger }
        : { logger: false }),
      ...(layer >= 2 ? { genReqId: requestId } : {}),
    } as unknown as FastifyServerOptions) as unknown as App;
    const metrics = createMetrics();
    const hooks = stackHooks(securityHeaders(false), layer >= 4 ? metrics : undefined, layer >= 1 ? log : undefined);
    if (layer >= 3) app.addHook('onRequest', hooks.onRequest);
    if (layer >= 1) app.addHook('onResponse', hooks.onResponse);
    app.decorateRequest('principal', null);
    app.decorateRequest('tenantId', null);
    app.decorateRequest('access', null);
    app.decorateRequest('ctx', null as never);
    const s = latch.server.services;
    await app.register(async (face: FastifyInstance) => {
      const f = face as unknown as App;
      if (layer >= 5) f.addHook('onRequest', authenticateHook(s, metrics));
      const cfg = layer >= 6 ? access({ tenantScoped: true, permission: { anyOf: EI_PERMISSIONS } }).config : { auth: 'bearer' as const };
      if (layer >= 7) {
        // the real routes of the EI face: the route's own schema (header and query validation,
        // response serializer) and handler
        f.setValidatorCompiler(schemaCompilers().validatorCompiler);
        f.addSchema(EiErrorSchema);
        f.setErrorHandler(eiErrorHandler);
        registerEiRoutes(f, s);
      } else f.get(PATH, { config: cfg }, async () => body);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }
  process.stdout.write(JSON.stringify({ url, token: latch.token, tenantId: latch.tenantId }) + '\n');
}

// ---------------------------------------------------------------- parent: interleaved rounds

interface Variant {
  layer: number;
  proc: ChildProcess;
  url: string;
  headers: Record<string, string>;
  rps: number[];
  cpuUs: number[];
}

function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime (fields 14 and 15)
}
const TICK_US = 1e6 / 100; // USER_HZ

function spawnVariant(layer: number): Promise<Variant> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, 'ledger.ts'), '--child', String(layer)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`variant ${layer} exited with ${code}`)));
    readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const { url, token, tenantId } = JSON.parse(line) as { url: string; token: string; tenantId: string };
      resolve({ layer, proc, url, headers: { authorization: `Bearer ${token}`, 'x-tenant-id': tenantId }, rps: [], cpuUs: [] });
    });
  });
}

async function measure(v: Variant, a: Arg, seconds: number): Promise<{ rps: number; cpuUs: number }> {
  const before = cpuTicks(v.proc.pid!);
  const r = await autocannon({ url: v.url + PATH, headers: v.headers, connections: a.connections, duration: seconds });
  const ticks = cpuTicks(v.proc.pid!) - before;
  if (r.non2xx || r.errors || r.timeouts || !r['2xx']) throw new Error(`variant ${v.layer}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, cpuUs: (ticks * TICK_US) / r.requests.total };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function parent(): Promise<void> {
  const a = args();
  const layers = LAYERS.map((_, i) => i).filter((i) => !a.only || LAYERS[i]!.includes(a.only) || i === 0);
  const variants: Variant[] = [];
  try {
    for (const i of layers) variants.push(await spawnVariant(i));
    for (const v of variants) await measure(v, a, 1); // warm-up
    for (let r = 0; r < a.rounds; r++)
      for (const v of variants) {
        const m = await measure(v, a, a.duration);
        v.rps.push(m.rps);
        v.cpuUs.push(m.cpuUs);
      }
  } finally {
    for (const v of variants) v.proc.kill();
  }
  const bare = variants[0]!;
  const bareRps = median(bare.rps);
  console.log(
    `cost ledger, ${new Date().toISOString()}, ${os.cpus()[0]?.model} ×${os.cpus().length}, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  console.log(`${a.rounds} interleaved rounds of ${a.duration} s, ${a.connections} connections; medians\n`);
  console.log('| layer | req/s | vs bare | server CPU µs/req | added µs/req |');
  console.log('|---|---:|---:|---:|---:|');
  let prev: number | undefined;
  for (const v of variants) {
    const cpu = median(v.cpuUs);
    const rps = median(v.rps);
    console.log(
      `| ${LAYERS[v.layer]} | ${Math.round(rps).toLocaleString('en')} | ${(rps / bareRps).toFixed(2)}× | ${cpu.toFixed(1)} | ${prev === undefined ? '—' : (cpu - prev >= 0 ? '+' : '') + (cpu - prev).toFixed(1)} |`,
    );
    prev = cpu;
  }
}

const at = process.argv.indexOf('--child');
if (at >= 0) void child(Number(process.argv[at + 1]));
else
  parent().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
