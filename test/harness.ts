import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger, startServer, type Server } from '../src/main.js';
import type { StoreTarget } from '../src/store/open.js';
import type { Clock } from '../src/deps.js';
import type { TokenResponse } from '../src/schemas/oauth.js';

export const PG_URL = process.env.LATCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A clock the test moves by hand: expiry is deterministic, no waiting. */
export class TestClock implements Clock {
  constructor(public t = Date.UTC(2030, 0, 1)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * The logger of every server a test starts: the production logger (redaction and serializers) at
 * trace level, written to the run's log directory, which test/log-scan/global-setup.ts scans for
 * secrets after the whole run. Silent when run without that setup.
 */
export function testLogger(): Logger {
  const dir = process.env.LATCH_TEST_LOG_DIR;
  if (!dir) return pino({ level: 'silent' });
  return createLogger('trace', pino.destination({ dest: `${dir}/${process.pid}.log`, append: true, sync: true }));
}

export const silentLogger = testLogger;

/** A writable stream that keeps every byte written to it (for log assertions). */
export class Capture extends Writable {
  chunks: string[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

export const randomName = (prefix = 't') => `${prefix}_${randomBytes(6).toString('hex')}`;

/** A fresh PostgreSQL schema name plus a function dropping it. Fails (never skips) without PostgreSQL. */
export function pgSchema(): { schema: string; drop: () => Promise<void> } {
  const schema = randomName('t');
  return {
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface Req {
  token?: string;
  tenant?: string;
  body?: unknown;
  headers?: Record<string, string>;
  remoteAddress?: string;
  query?: Record<string, string>;
}

/** What the token endpoint answers: the server's one definition. */
export type TokenPair = TokenResponse;

export interface TestApp {
  server: Server;
  app: Server['app'];
  clock: TestClock;
  config: Config;
  /** The tenant created on first start, where the admin holds Tenant Admin and EI Admin. */
  defaultTenantId: string;
  admin: { username: string; password: string; id: string };
  /** Lines the server printed (URL, one-time password). */
  printed: string[];
  /** A (cached) access token of the platform administrator. */
  adminToken(): Promise<string>;
  req(method: InjectOptions['method'], url: string, r?: Req): Promise<LightMyRequestResponse>;
  token(body: Record<string, unknown>, r?: Omit<Req, 'body'>): Promise<LightMyRequestResponse>;
  login(username: string, password: string, r?: Omit<Req, 'body'>): Promise<TokenPair>;
  keyLogin(clientId: string, secret: string, r?: Omit<Req, 'body'>): Promise<TokenPair>;
  /** A new top-level tenant; the admin is its Tenant Admin (and EI Admin when `ei` is set). */
  createTenant(name?: string, opts?: { ei?: boolean }): Promise<{ id: string; name: string }>;
  createOrg(parentId: string, name?: string): Promise<{ id: string; name: string }>;
  createUser(
    tenantId: string,
    roles: string[],
    opts?: { username?: string; password?: string },
  ): Promise<{ id: string; username: string; password: string }>;
  createApiKey(
    tenantId: string,
    roles: string[],
    opts?: { name?: string; token?: string },
  ): Promise<{ id: string; name: string; secret: string; clientId: string }>;
  createRole(tenantId: string, permissions: string[], name?: string): Promise<{ id: string; name: string }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  dialect?: 'sqlite' | 'postgres';
  clock?: TestClock;
  log?: Logger;
  env?: Record<string, string>;
  /** Share a PostgreSQL schema (several servers on one database). */
  target?: StoreTarget;
  masterKey?: string;
}

export function testConfig(env: Record<string, string> = {}, masterKey = randomBytes(32).toString('base64')): Config {
  return loadConfig({
    LATCH_DATA_DIR: '/tmp/latch-test-unused',
    LATCH_MASTER_KEY: masterKey,
    LATCH_ADMIN_PASSWORD: 'admin-password-1',
    LATCH_ADMIN_USERNAME: 'admin',
    ...env,
  });
}

function expectStatus(res: LightMyRequestResponse, status: number, what: string): void {
  if (res.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${res.statusCode} ${res.body}`);
}

/** Starts a complete server exactly as `latch serve` does, without listening; requests go through app.inject(). */
export async function makeTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const clock = opts.clock ?? new TestClock();
  const dialect = opts.dialect ?? 'sqlite';
  let drop: (() => Promise<void>) | undefined;
  let target: StoreTarget;
  if (opts.target) target = opts.target;
  else if (dialect === 'postgres') {
    const s = pgSchema();
    drop = s.drop;
    target = { kind: 'postgres', url: PG_URL, schema: s.schema };
  } else target = { kind: 'sqlite', file: ':memory:' };
  const config = testConfig(opts.env, opts.masterKey);
  const printed: string[] = [];
  const server = await startServer(config, {
    listen: false,
    target,
    log: opts.log ?? silentLogger(),
    print: (l) => printed.push(l),
    clock,
  });
  const app = server.app;
  const adminUser = (await server.deps.store.users.findForLogin(config.adminUsername))!;
  const admin = { username: config.adminUsername, password: config.adminPassword!, id: adminUser.id };
  let adminTok: string | undefined;
  let counter = 0;

  const req: TestApp['req'] = (method, url, r = {}) => {
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    if (r.token) headers.authorization = `Bearer ${r.token}`;
    if (r.tenant) headers['x-tenant-id'] = r.tenant;
    return app.inject({
      method,
      url,
      headers,
      query: r.query,
      remoteAddress: r.remoteAddress,
      ...(r.body === undefined
        ? {}
        : typeof r.body === 'string' || Buffer.isBuffer(r.body)
          ? { payload: r.body }
          : { payload: r.body as object }),
    });
  };
  const token: TestApp['token'] = (body, r = {}) => req('POST', '/iam/auth/token', { ...r, body });
  const login: TestApp['login'] = async (username, password, r) => {
    const res = await token({ username, password }, r);
    expectStatus(res, 200, `login ${username}`);
    return res.json() as TokenPair;
  };
  const keyLogin: TestApp['keyLogin'] = async (clientId, secret, r) => {
    const res = await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }, r);
    expectStatus(res, 200, `client_credentials ${clientId}`);
    return res.json() as TokenPair;
  };
  const adminToken = async () => (adminTok ??= (await login(admin.username, admin.password)).access_token);
  const uniq = (p: string) => `${p}-${process.pid}-${++counter}-${randomBytes(3).toString('hex')}`;

  const t: TestApp = {
    server,
    app,
    clock,
    config,
    printed,
    admin,
    adminToken,
    req,
    token,
    login,
    keyLogin,
    defaultTenantId: adminUser.tenantId,
    async createTenant(name = uniq('tenant'), o = {}) {
      const res = await req('POST', '/iam/tenants', { token: await adminToken(), body: { name } });
      expectStatus(res, 201, 'create tenant');
      const id = (res.json() as { id: string }).id;
      if (o.ei)
        expectStatus(
          await req('PUT', `/iam/users/${admin.id}/roles/EI%20Admin`, { token: await adminToken(), tenant: id }),
          200,
          'assign EI Admin',
        );
      return { id, name };
    },
    async createOrg(parentId, name = uniq('org')) {
      const res = await req('POST', '/iam/orgs', { token: await adminToken(), tenant: parentId, body: { name } });
      expectStatus(res, 201, 'create org');
      return { id: (res.json() as { id: string }).id, name };
    },
    async createUser(tenantId, roles, o = {}) {
      const username = o.username ?? uniq('user');
      const password = o.password ?? `pw-${randomBytes(8).toString('hex')}`;
      const res = await req('POST', '/iam/users', { token: await adminToken(), tenant: tenantId, body: { username, password, roles } });
      expectStatus(res, 201, 'create user');
      return { id: (res.json() as { id: string }).id, username, password };
    },
    async createApiKey(tenantId, roles, o = {}) {
      const name = o.name ?? uniq('key');
      const res = await req('POST', '/iam/api-keys', { token: o.token ?? (await adminToken()), tenant: tenantId, body: { name, roles } });
      expectStatus(res, 201, 'create api key');
      const b = res.json() as { id: string; name: string; secret: string; clientId: string };
      return { id: b.id, name: b.name, secret: b.secret, clientId: b.clientId };
    },
    async createRole(tenantId, permissions, name = uniq('role')) {
      const res = await req('POST', '/iam/roles', { token: await adminToken(), tenant: tenantId, body: { name, permissions } });
      expectStatus(res, 201, 'create role');
      return { id: (res.json() as { id: string }).id, name };
    },
    async close() {
      try {
        await server.close();
      } finally {
        await drop?.();
      }
    },
  };
  return t;
}
