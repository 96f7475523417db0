import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TokenCredential } from '@azure/core-auth';
import { loadConfig, type Config } from '../../../src/config.js';
import { startServer, type Server } from '../../../src/main.js';
import { testLogger } from '../../harness.js';
import { selfSigned } from '../../../src/crypto/tls.js';
import type { StoreTarget } from '../../../src/store/open.js';

export const PG_URL = process.env.LATCH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export type Dialect = 'sqlite' | 'postgres';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** A plain https request trusting `ca` (the SDKs cover the happy paths; this covers the wire details). */
export function request(
  url: string,
  opts: { ca: Buffer; method?: string; headers?: Record<string, string>; body?: unknown; servername?: string },
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const req = https.request(
      url,
      {
        method: opts.method ?? 'GET',
        ca: opts.ca,
        servername: opts.servername,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export interface ArmTestServer {
  server: Server;
  url: string;
  ca: Buffer;
  config: Config;
  tenantId: string;
  adminToken: string;
  /** Token for a username/password from the real token endpoint. */
  token(username: string, password: string): Promise<string>;
  /** A TokenCredential whose getToken calls the real token endpoint. */
  credential(username: string, password: string): TokenCredential;
  /** Creates a user in `tenantId` holding `roles` (admin acting). */
  user(tenantId: string, username: string, roles: string[]): Promise<{ username: string; password: string }>;
  sdkOptions: { endpoint: string; tlsOptions: { ca: string }; retryOptions: { maxRetries: number }; credentialScopes: string[] };
  close(): Promise<void>;
}

export const ADMIN_PASSWORD = 'admin-password-for-tests';

/** Starts Latch over https (self-signed CA from src/crypto/tls.ts) on a free port, on SQLite or in a PostgreSQL schema of its own. */
export async function startArmServer(dialect: Dialect, env: Record<string, string> = {}): Promise<ArmTestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-arm-'));
  const config = loadConfig({
    LATCH_DATA_DIR: dir,
    LATCH_PORT: '0',
    LATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LATCH_LOG_LEVEL: 'silent',
    ...env,
  });
  const tls = selfSigned(path.join(dir, 'tls'));
  const schema = `arm_test_${randomBytes(6).toString('hex')}`;
  const target: StoreTarget =
    dialect === 'sqlite' ? { kind: 'sqlite', file: path.join(dir, 'latch.db') } : { kind: 'postgres', url: PG_URL, schema };
  const server = await startServer(config, { https: tls, target, print: () => undefined, log: testLogger() });
  const url = server.url.replace('127.0.0.1', 'localhost');
  const ca = tls.ca!;

  async function token(username: string, password: string): Promise<string> {
    const r = await request(`${url}/iam/auth/token`, { ca, method: 'POST', body: { username, password } });
    if (r.status !== 200) throw new Error(`token: ${r.status} ${r.text}`);
    return r.json.access_token as string;
  }
  const adminToken = await token('admin', ADMIN_PASSWORD);
  const tenants = await request(`${url}/iam/tenants`, { ca, headers: { authorization: `Bearer ${adminToken}` } });
  const tenantId = tenants.json.value[0].id as string;

  return {
    server,
    url,
    ca,
    config,
    tenantId,
    adminToken,
    token,
    credential: (username, password) => ({
      getToken: async () => ({ token: await token(username, password), expiresOnTimestamp: Date.now() + 240_000 }),
    }),
    async user(tid, username, roles) {
      const password = 'user-password-' + randomBytes(6).toString('hex');
      const r = await request(`${url}/iam/users`, {
        ca,
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'x-tenant-id': tid },
        body: { username, password, roles },
      });
      if (r.status !== 201) throw new Error(`user: ${r.status} ${r.text}`);
      return { username, password };
    },
    sdkOptions: {
      endpoint: url,
      tlsOptions: { ca: ca.toString() },
      retryOptions: { maxRetries: 0 },
      credentialScopes: [`${url}/.default`],
    },
    async close() {
      await server.close();
      if (dialect === 'postgres') {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        try {
          await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } finally {
          await c.end();
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every item of a paged SDK iterator (the SDK follows nextLink). */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The error an SDK call fails with (RestError: statusCode, code, message); fails the test if it succeeds. */
export async function sdkError(p: Promise<unknown>): Promise<{ statusCode?: number; code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { statusCode?: number; code?: string; message: string };
  }
  throw new Error('expected the SDK call to fail');
}
