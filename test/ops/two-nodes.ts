// Two real Latch nodes on one PostgreSQL schema: node A in the test's process, node B a separate
// `node` process (./cluster-node.ts), both with the same master key. For the cluster tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { startServer, type Server } from '../../src/main.js';
import { PG_URL, pgSchema, silentLogger, testConfig } from '../harness.js';

/** The issuer both nodes share (README, cluster): tokens of one node verify on the other. */
export const CLUSTER_ISSUER = 'https://latch.cluster.test';

export interface TwoNodes {
  /** Node A, in this process. */
  a: Server;
  /** Node B's base URL. */
  bUrl: string;
}

/** Starts both nodes before the file's tests and stops them (and drops the schema) after. */
export function twoNodes(): TwoNodes {
  const masterKey = randomBytes(32).toString('base64');
  const { schema, drop } = pgSchema();
  const nodes = {} as TwoNodes;
  let b: ChildProcess | undefined;

  function startNodeB(): Promise<string> {
    const script = fileURLToPath(new URL('./cluster-node.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: {
        ...process.env,
        LATCH_DATABASE_URL: PG_URL,
        TEST_PG_SCHEMA: schema,
        LATCH_MASTER_KEY: masterKey,
        LATCH_ISSUER: CLUSTER_ISSUER,
        LATCH_ADMIN_PASSWORD: 'admin-password-1',
        LATCH_DATA_DIR: '/tmp/latch-test-unused',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    b = child;
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => reject(new Error(`node B exited with ${code}: ${err}`)));
    });
  }

  beforeAll(async () => {
    nodes.a = await startServer(testConfig({ LATCH_PORT: '0', LATCH_ISSUER: CLUSTER_ISSUER }, masterKey), {
      target: { kind: 'postgres', url: PG_URL, schema },
      log: silentLogger(),
      print: () => undefined,
    });
    nodes.bUrl = await startNodeB();
  }, 60_000);

  afterAll(async () => {
    if (b && b.exitCode === null) {
      const exited = new Promise((r) => b!.once('exit', r));
      b.kill('SIGTERM');
      await exited;
    }
    await nodes.a?.close();
    await drop();
  });
  return nodes;
}

/** One HTTP call: `token` is sent as a Bearer token, `auth` as the Authorization header verbatim. */
export async function call(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; auth?: string; tenant?: string; body?: unknown } = {},
) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.auth) headers.authorization = opts.auth;
  if (opts.tenant) headers['x-tenant-id'] = opts.tenant;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

/** Polls until `fn` is true or `ms` have passed; answers whether it became true. */
export async function within(ms: number, fn: () => Promise<boolean>): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}
