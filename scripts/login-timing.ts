/**
 * Does a failed login take longer for a principal that exists? (issue 19 §4; docs/reliability.md)
 *
 * Starts `latch serve` in its own process (SQLite in a temp dir, and PostgreSQL in a fresh database),
 * then sends failed logins over real HTTP in shuffled order: a known API key with a wrong secret
 * against an unknown key, both `<tenant>-><key>`; with `--users`, a known user with a wrong password
 * against an unknown user. Each request comes from a fresh client address (X-Forwarded-For, the
 * server trusting loopback) so no throttle is reached. Prints the medians and P(known slower): the
 * probability that a known sample is slower than an unknown one (Mann-Whitney, ties count half);
 * 0.50 means the two cannot be told apart by their times.
 *
 *   npx tsx scripts/login-timing.ts [--samples 2000] [--store sqlite|postgres|both] [--users]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, spawnServer } from '../bench/harness.js';
import { generateSecret } from '../src/crypto/secrets.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PG_URL = process.env.LATCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ADMIN_PASSWORD = 'timing-admin-password';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const SAMPLES = Number(arg('samples') ?? 2000);
const STORES = (arg('store') ?? 'both') === 'both' ? ['sqlite', 'postgres'] : [arg('store')!];
const USERS = process.argv.includes('--users');

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let address = 0;
/** A client address no other request used: 10.0.0.0/8 has room for 16M. */
const freshAddress = () => {
  const n = ++address;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

function post(
  base: string,
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; ms: number; body: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = http.request(
      `${base}${url}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, ms: Number(process.hrtime.bigint() - start) / 1e6, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function json(
  base: string,
  method: string,
  url: string,
  token: string,
  tenant: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'x-tenant-id': tenant, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** P(a random known sample is slower than a random unknown one), ties counted half. */
function pSlower(known: number[], unknown: number[]): number {
  const all = [...known.map((v) => ({ v, k: true })), ...unknown.map((v) => ({ v, k: false }))].sort((a, b) => a.v - b.v);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]!.v === all[i]!.v) j++;
    const rank = (i + 1 + j) / 2;
    for (let m = i; m < j; m++) if (all[m]!.k) rankSum += rank;
    i = j;
  }
  const u = rankSum - (known.length * (known.length + 1)) / 2;
  return u / (known.length * unknown.length);
}

function shuffled<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomBytes(4).readUInt32LE() % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Interleaves `n` known and `n` unknown attempts in random order (after `warm` of each); answers their times. */
async function measure(n: number, warm: number, known: () => Promise<number>, unknown: () => Promise<number>) {
  for (let i = 0; i < warm; i++) {
    await known();
    await unknown();
  }
  const times = { known: [] as number[], unknown: [] as number[] };
  for (const kind of shuffled([...Array<'known'>(n).fill('known'), ...Array<'unknown'>(n).fill('unknown')]))
    times[kind].push(await (kind === 'known' ? known : unknown)());
  return times;
}

async function run(store: string): Promise<string[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-timing-'));
  const db = `latch_timing_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  if (store === 'postgres') {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
  }
  const port = await freePort();
  const server = await spawnServer({
    name: `latch (${store})`,
    command: process.execPath,
    args: ['--import', 'tsx', path.join(ROOT, 'src/cli/index.ts'), 'serve'],
    cwd: ROOT,
    env: {
      LATCH_PORT: String(port),
      LATCH_DATA_DIR: dataDir,
      LATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LATCH_TRUST_PROXY: 'loopback',
      LATCH_LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      ...(store === 'postgres' ? { LATCH_DATABASE_URL: PG_URL.replace(/\/[^/]*$/, `/${db}`) } : {}),
    },
    port,
    readyPath: '/readyz',
    timeoutMs: 120_000,
  });
  try {
    const base = server.url;
    const login = JSON.parse((await post(base, '/iam/auth/token', { username: 'admin', password: ADMIN_PASSWORD })).body) as {
      access_token: string;
    };
    const me = await json(base, 'GET', '/iam/users/me', login.access_token, '');
    const tenant = me.tenant_id as string;
    const tenantName = (me.roles as { tenant_name: string }[])[0]!.tenant_name;
    const key = await json(base, 'POST', '/iam/api-keys', login.access_token, tenant, { name: 'timing-key', roles: ['Operator'] });
    const attempt = async (body: unknown, expect: number) => {
      const r = await post(base, '/iam/auth/token', body, { 'x-forwarded-for': freshAddress() });
      if (r.status !== expect) throw new Error(`expected ${expect}, got ${r.status} ${r.body}`);
      return r.ms;
    };
    const client = (id: string) => () =>
      attempt({ grant_type: 'client_credentials', client_id: id, client_secret: generateSecret('ak') }, 401);
    const keys = await measure(SAMPLES, 200, client(key.clientId as string), client(`${tenantName}->no-such-key`));
    const rows = [
      `| ${store}: known key + wrong secret / unknown key (\`<tenant>-><key>\`) | ${SAMPLES} + ${SAMPLES} | ${median(keys.known).toFixed(3)} / ${median(keys.unknown).toFixed(3)} ms | ${pSlower(keys.known, keys.unknown).toFixed(3)} |`,
    ];
    if (USERS) {
      await json(base, 'POST', '/iam/users', login.access_token, tenant, {
        username: 'timing-user',
        password: 'timing-user-password',
        roles: ['Operator'],
      });
      const user = (name: string) => () => attempt({ username: name, password: 'wrong-password' }, 401);
      const n = Math.min(SAMPLES, 400);
      const users = await measure(n, 20, user('timing-user'), user('no-such-user'));
      rows.push(
        `| ${store}: known user + wrong password / unknown user | ${n} + ${n} | ${median(users.known).toFixed(3)} / ${median(users.unknown).toFixed(3)} ms | ${pSlower(users.known, users.unknown).toFixed(3)} |`,
      );
    }
    return rows;
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (store === 'postgres') {
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
    }
  }
}

const rows: string[] = [];
for (const store of STORES) rows.push(...(await run(store)));
agent.destroy();
console.log(`${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'} · Node ${process.version}`);
console.log('| failed login | samples | median known / unknown | P(known slower) |');
console.log('| --- | --- | --- | --- |');
for (const r of rows) console.log(r);
