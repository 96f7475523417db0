import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Server } from '../../src/main.js';
import { PG_URL, pgSchema, silentLogger, testConfig } from '../harness.js';

/**
 * IoT Central API tokens across two server processes on one PostgreSQL (node B is a separate
 * `node` process, test/ops/cluster-node.ts): create on A → use on B → delete on A → refused on B.
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
  a = await startServer(testConfig({ LATCH_PORT: '0' }, masterKey), { target: { kind: 'postgres', url: PG_URL, schema }, log: silentLogger(), print: () => undefined });
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

async function call(base: string, method: string, path: string, auth?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

async function within(ms: number, fn: () => Promise<boolean>): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const V = '?api-version=2022-07-31';
const OPERATOR = 'ae2c9854-393b-4f97-8c42-479d70ce626e';

describe('IoT Central API tokens on two server processes sharing PostgreSQL', () => {
  it('an Operator token made on A reads on B, gets 403 on apiTokens there, and is refused on B right after its delete on A', async () => {
    const admin = `Bearer ${(await call(a.url, 'POST', '/iam/auth/token', undefined, { username: 'admin', password: 'admin-password-1' })).body.access_token as string}`;
    const tenant = (await call(a.url, 'GET', '/iam/users/me', admin)).body.tenant_id as string;
    const created = await call(a.url, 'PUT', `/subscriptions/${tenant}/resourceGroups/rg/providers/Microsoft.IoTCentral/iotApps/cluster-app?api-version=2021-06-01`, admin, { location: 'westus', sku: { name: 'ST1' } });
    expect(created.status).toBe(201);
    const appId = created.body.properties.applicationId as string;

    const made = await call(a.url, 'PUT', `/central/${appId}/api/apiTokens/cluster-operator${V}`, admin, { roles: [{ role: OPERATOR }] });
    expect(made.status).toBe(200);
    const token = made.body.token as string;
    // B verifies and caches it (twice: the second from memory)
    for (let i = 0; i < 2; i++) expect((await call(bUrl, 'GET', `/central/cluster-app/api/roles${V}`, token)).status).toBe(200);
    expect((await call(bUrl, 'GET', `/central/cluster-app/api/organizations${V}`, token)).status).toBe(200);
    const denied = await call(bUrl, 'GET', `/central/cluster-app/api/apiTokens${V}`, token);
    expect([denied.status, denied.body.error?.code]).toEqual([403, 'Forbidden']);

    expect((await call(a.url, 'DELETE', `/central/${appId}/api/apiTokens/cluster-operator${V}`, admin)).status).toBe(204);
    expect((await call(a.url, 'GET', `/central/cluster-app/api/roles${V}`, token)).status).toBe(401);
    const started = Date.now();
    expect(await within(1000, async () => (await call(bUrl, 'GET', `/central/cluster-app/api/roles${V}`, token)).status === 401)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    const refused = await call(bUrl, 'GET', `/central/cluster-app/api/roles${V}`, token);
    expect(refused.body.error.code).toBe('Unauthenticated');
  });
});
