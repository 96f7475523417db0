import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Server } from '../../src/main.js';
import { PG_URL, pgSchema, silentLogger, testConfig } from '../harness.js';

/**
 * Two real server processes on one PostgreSQL: node A runs in this process, node B is a separate
 * `node` process. Revocation on A must reach B within 1 s (DESIGN: LISTEN/NOTIFY invalidation).
 */
const masterKey = randomBytes(32).toString('base64');
const { schema, drop } = pgSchema();
let a: Server;
let b: ChildProcess | undefined;
let bUrl: string;

function startNodeB(): Promise<string> {
  const script = fileURLToPath(new URL('./cluster-node.ts', import.meta.url));
  b = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, LATCH_DATABASE_URL: PG_URL, TEST_PG_SCHEMA: schema, LATCH_MASTER_KEY: masterKey, LATCH_ADMIN_PASSWORD: 'admin-password-1', LATCH_DATA_DIR: '/tmp/latch-test-unused' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    b!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    b!.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    b!.on('exit', (code) => reject(new Error(`node B exited with ${code}: ${err}`)));
  });
}

beforeAll(async () => {
  const config = testConfig({ LATCH_PORT: '0' }, masterKey);
  a = await startServer(config, { target: { kind: 'postgres', url: PG_URL, schema }, log: silentLogger(), print: () => undefined });
  bUrl = await startNodeB();
}, 60_000);

afterAll(async () => {
  if (b && b.exitCode === null) {
    const exited = new Promise((r) => b!.once('exit', r));
    b.kill('SIGTERM');
    await exited;
  }
  await a?.close();
  await drop();
});

async function call(base: string, method: string, path: string, opts: { token?: string; tenant?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.tenant) headers['x-tenant-id'] = opts.tenant;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Polls until `fn` is true or `ms` have passed; answers whether it became true. */
async function within(ms: number, fn: () => Promise<boolean>): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('two server processes on one PostgreSQL', () => {
  it('both nodes serve the same data; the verification key is shared', async () => {
    expect(bUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const login = await call(a.url, 'POST', '/iam/auth/token', { body: { username: 'admin', password: 'admin-password-1' } });
    expect(login.status).toBe(200);
    const me = await call(bUrl, 'GET', '/iam/users/me', { token: login.body.access_token as string });
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('admin');
  });

  it('a key deleted on A: its token is rejected on B within 1 s', async () => {
    const adminTok = (await call(a.url, 'POST', '/iam/auth/token', { body: { username: 'admin', password: 'admin-password-1' } })).body.access_token as string;
    const tenant = ((await call(a.url, 'GET', '/iam/users/me', { token: adminTok })).body.tenant_id) as string;
    const key = await call(a.url, 'POST', '/iam/api-keys', { token: adminTok, tenant, body: { name: 'cluster-key', roles: ['EI Admin'] } });
    expect(key.status).toBe(201);
    const tok = await call(a.url, 'POST', '/iam/auth/token', { body: { grant_type: 'client_credentials', client_id: key.body.clientId, client_secret: key.body.secret } });
    const accessToken = tok.body.access_token as string;
    // B has verified and cached the token and its principal
    expect((await call(bUrl, 'GET', '/nbapi/ei/v1/agents', { token: accessToken, tenant })).status).toBe(200);
    expect((await call(bUrl, 'GET', '/nbapi/ei/v1/agents', { token: accessToken, tenant })).status).toBe(200);

    expect((await call(a.url, 'DELETE', '/iam/api-keys/cluster-key', { token: adminTok, tenant })).status).toBe(204);
    expect((await call(a.url, 'GET', '/nbapi/ei/v1/agents', { token: accessToken, tenant })).status).toBe(401);
    const rejected = await within(1000, async () => (await call(bUrl, 'GET', '/nbapi/ei/v1/agents', { token: accessToken, tenant })).status === 401);
    expect(rejected).toBe(true);
    // and the refresh token is dead on B too
    const r = await call(bUrl, 'POST', '/iam/auth/token', { body: { grant_type: 'refresh_token', refresh_token: tok.body.refresh_token } });
    expect(r.status).toBe(400);
  });

  it('a role removed on A: the user loses access on B within 1 s', async () => {
    const adminTok = (await call(a.url, 'POST', '/iam/auth/token', { body: { username: 'admin', password: 'admin-password-1' } })).body.access_token as string;
    const tenant = ((await call(a.url, 'GET', '/iam/users/me', { token: adminTok })).body.tenant_id) as string;
    const u = await call(a.url, 'POST', '/iam/users', { token: adminTok, tenant, body: { username: 'cluster-user', password: 'cluster-password', roles: ['Operator'] } });
    const tok = (await call(bUrl, 'POST', '/iam/auth/token', { body: { username: 'cluster-user', password: 'cluster-password' } })).body.access_token as string;
    expect((await call(bUrl, 'GET', '/nbapi/ei/v1/agents', { token: tok, tenant })).status).toBe(200);
    expect((await call(a.url, 'DELETE', `/iam/users/${u.body.id as string}/roles/Operator`, { token: adminTok, tenant })).status).toBe(204);
    expect(await within(1000, async () => (await call(bUrl, 'GET', '/nbapi/ei/v1/agents', { token: tok, tenant })).status === 403)).toBe(true);
  });
});
