// Rolling upgrade on PostgreSQL (docs/operations.md): a node of the previous release serves; a node
// of this release starts on the same database and runs its migrations; under steady load through
// all of it, no request fails, and what either node writes the other reads. The previous release
// is built from git (test/ops/upgrade/previous-release.ts); both nodes run `latch serve` from their
// own source tree, configured as a production cluster is (LATCH_DATABASE_URL, one master key, one issuer).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations/index.js';
import { PG_URL, pgSchema } from '../harness.js';
import { call } from './two-nodes.js';
import { PREVIOUS, previousReleaseTree } from './upgrade/previous-release.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN = { username: 'admin', password: 'admin-password-1' };

interface Node {
  url: string;
  stop(): Promise<void>;
}

/** `latch serve` from the source tree `cwd`; resolves once it listens. */
function startNode(cwd: string, env: Record<string, string>): Promise<Node> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'serve'], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Latch listening on (\S+)/.exec(out);
      if (m)
        resolve({
          url: m[1]!,
          async stop() {
            if (child.exitCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
    });
    child.once('exit', (code) => reject(new Error(`latch serve in ${cwd} exited with ${code}: ${err}`)));
  });
}

interface Load {
  ok: number;
  failed: string[];
  /** API keys created, with the node that created them. */
  keys: { clientId: string; secret: string; on: string }[];
}

/** One round of the steady load on `base`: a login, two authorized GETs, and every 3rd round an API key. */
async function round(base: string, tenant: string, n: number, load: Load): Promise<void> {
  const check = (what: string, r: { status: number; body: Record<string, any> }, status: number) => {
    if (r.status === status) load.ok++;
    else load.failed.push(`${base} ${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.status === status;
  };
  try {
    const login = await call(base, 'POST', '/iam/auth/token', { body: ADMIN });
    if (!check('login', login, 200)) return;
    const token = login.body.access_token as string;
    check('GET /iam/users/me', await call(base, 'GET', '/iam/users/me', { token }), 200);
    check('GET /iam/api-keys', await call(base, 'GET', '/iam/api-keys', { token, tenant }), 200);
    if (n % 3 === 0) {
      const name = `roll-${randomBytes(4).toString('hex')}`;
      const k = await call(base, 'POST', '/iam/api-keys', { token, tenant, body: { name, roles: ['EI Admin'] } });
      if (check('POST /iam/api-keys', k, 201))
        load.keys.push({ clientId: k.body.clientId as string, secret: k.body.secret as string, on: base });
    }
  } catch (e) {
    load.failed.push(`${base}: ${(e as Error).message}`);
  }
}

describe(`rolling upgrade from ${PREVIOUS.version} on PostgreSQL`, () => {
  const s = pgSchema();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-rolling-'));
  const nodes: Node[] = [];
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    await s.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a node of this release joins one of the previous release and migrates; under steady load no request fails, and each reads what the other wrote', async () => {
    const t0 = Date.now();
    const tree = previousReleaseTree();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`CREATE SCHEMA ${s.schema}`);
    // Both nodes as production runs them: the database in LATCH_DATABASE_URL (here with the test's schema).
    const env = {
      LATCH_DATABASE_URL: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${s.schema}`)}`,
      LATCH_MASTER_KEY: randomBytes(32).toString('base64'),
      LATCH_ISSUER: 'https://latch.rolling.test',
      LATCH_ADMIN_PASSWORD: ADMIN.password,
      LATCH_PORT: '0',
      LATCH_LOG_LEVEL: 'warn',
      LATCH_DATA_DIR: dataDir,
    };
    const old = await startNode(tree, env);
    nodes.push(old);
    const tOld = Date.now();
    const login = await call(old.url, 'POST', '/iam/auth/token', { body: ADMIN });
    const tenant = (await call(old.url, 'GET', '/iam/users/me', { token: login.body.access_token as string })).body.tenant_id as string;

    // Steady load from two workers, bounded in rounds and time; `targets` says where it goes.
    const load: Load = { ok: 0, failed: [], keys: [] };
    let targets = [old.url];
    let stop = false;
    let rounds = 0;
    const inflight = new Map<string, number>();
    const deadline = Date.now() + 150_000;
    const worker = async () => {
      while (!stop && rounds < 2000 && Date.now() < deadline) {
        const n = rounds++;
        const base = targets[n % targets.length]!;
        inflight.set(base, (inflight.get(base) ?? 0) + 1);
        await round(base, tenant, n, load);
        inflight.set(base, inflight.get(base)! - 1);
      }
    };
    const workers = Promise.all([worker(), worker()]);
    const atLeast = async (more: number) => {
      const until = rounds + more;
      while (rounds < until && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };

    await atLeast(10);
    const fresh = await startNode(ROOT, env); // runs this release's migrations while the old node serves
    nodes.push(fresh);
    const tNew = Date.now();
    const ran = (await c.query<{ name: string }>(`select name from ${s.schema}.kysely_migration order by name`)).rows.map((r) => r.name);
    expect(ran).toEqual(Object.keys(migrations));
    await atLeast(10); // the old node alone, on the migrated schema
    targets = [old.url, fresh.url];
    await atLeast(30);

    // What each node wrote, read by the other: API keys log in, users log in.
    for (const k of load.keys) {
      const other = k.on === old.url ? fresh.url : old.url;
      const r = await call(other, 'POST', '/iam/auth/token', {
        body: { grant_type: 'client_credentials', client_id: k.clientId, client_secret: k.secret },
      });
      expect(r.status, `${k.clientId} made on ${k.on}, read on ${other}: ${JSON.stringify(r.body)}`).toBe(200);
    }
    expect(new Set(load.keys.map((k) => k.on))).toEqual(new Set([old.url, fresh.url]));
    for (const [writer, reader] of [
      [old.url, fresh.url],
      [fresh.url, old.url],
    ] as const) {
      const tok = (await call(writer, 'POST', '/iam/auth/token', { body: ADMIN })).body.access_token as string;
      const username = `roll-user-${randomBytes(3).toString('hex')}`;
      const u = await call(writer, 'POST', '/iam/users', {
        token: tok,
        tenant,
        body: { username, password: 'roll-password-1', roles: ['Operator'] },
      });
      expect(u.status, JSON.stringify(u.body)).toBe(201);
      expect((await call(reader, 'POST', '/iam/auth/token', { body: { username, password: 'roll-password-1' } })).status).toBe(200);
    }

    // The old node leaves (the last step of the upgrade): drained first, as a load balancer does,
    // then stopped; the load goes on to the new one alone.
    targets = [fresh.url];
    while ((inflight.get(old.url) ?? 0) > 0) await new Promise((r) => setTimeout(r, 10));
    await old.stop();
    await atLeast(10);
    stop = true;
    await workers;
    await c.end();

    expect(load.failed).toEqual([]);
    expect(load.ok).toBeGreaterThan(150);
    console.log(
      `rolling upgrade: previous release up ${((tOld - t0) / 1000).toFixed(1)} s, this one ${((tNew - tOld) / 1000).toFixed(1)} s later; ` +
        `${rounds} rounds, ${load.ok} requests ok, ${load.keys.length} keys, total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }, 180_000);
});
