/**
 * Latch as the bench runs it: its own process (`node dist/cli/index.js serve`, the built,
 * production-like start; or the source through tsx with --source), SQLite in a temporary data dir
 * as shipped (WAL, every commit flushed before its answer), the configured log level (default `info`: access logs on),
 * and what the scenarios need made through the HTTP API as a user would: an administrator's
 * token, an API key holding EI Admin and its access token, an IoT hub with 16 shared access
 * policies and a SAS token of one, an IoT Central app and an Administrator API token.
 */
import path from 'node:path';
import { signSas } from '../src/domain/sas.js';
import { BenchFailure, freePort, spawnServer, type Proc } from './harness.js';

export const ADMIN_PASSWORD = 'bench-admin-password-0123456789';
const ARM_HUB_API = '2023-06-30';
const HUB_NAME = 'latch-bench-hub';
const POLICY_COUNT = 16;
const SIGNING_POLICY = 'bench-policy-07';
const RIGHTS = ['RegistryWrite, ServiceConnect, DeviceConnect', 'ServiceConnect', 'DeviceConnect', 'RegistryRead', 'RegistryWrite'];
const CENTRAL_APP = 'latch-bench-central';
const CENTRAL_ADMINISTRATOR = 'ca310b8d-2f4a-44e0-a36e-957c202cd8d4';

export interface LatchStart {
  root: string;
  dataDir: string;
  masterKey: string;
  /** Run the TypeScript source through tsx instead of the built dist/. */
  source: boolean;
  logLevel: string;
}

export function startLatch(s: LatchStart, timeoutMs = 120_000): Promise<Proc> {
  return freePort().then((port) =>
    spawnServer({
      name: 'latch',
      command: process.execPath,
      args: s.source
        ? ['--import', 'tsx', path.join(s.root, 'src/cli/index.ts'), 'serve']
        : [path.join(s.root, 'dist/cli/index.js'), 'serve'],
      cwd: s.root,
      env: {
        LATCH_HOST: '127.0.0.1',
        LATCH_PORT: String(port),
        LATCH_DATA_DIR: s.dataDir,
        LATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LATCH_MASTER_KEY: s.masterKey,
        LATCH_LOG_LEVEL: s.logLevel,
        NODE_ENV: 'production',
      },
      port,
      readyPath: '/readyz',
      timeoutMs,
    }),
  );
}

/** What setup made, used by the scenarios. */
export interface LatchFixture {
  tenantId: string;
  adminToken: string;
  apiKey: { id: string; clientId: string; secret: string };
  accessToken: string;
  /** The body the authorized GET /nbapi/ei/v1/agents answers (the bare route answers the same). */
  agentsBody: string;
  hub: { hostName: string; sasToken: string };
  /** Path (no origin: a restarted Latch listens on another port) and Authorization header. */
  central: { path: string; token: string };
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new BenchFailure(`${what}: HTTP ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

async function token(url: string, body: Record<string, string>, what: string): Promise<string> {
  const res = await fetch(`${url}/iam/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await json<{ access_token: string }>(res, what)).access_token;
}

/** A new access token for an API key (client_credentials): one made at setup expires while a large store is seeded. */
export function clientToken(url: string, apiKey: { clientId: string; secret: string }): Promise<string> {
  return token(url, { grant_type: 'client_credentials', client_id: apiKey.clientId, client_secret: apiKey.secret }, 'client_credentials');
}

/** A fresh API key holding EI Admin, and its client_credentials access token. */
export async function makeApiKey(url: string, adminToken: string, tenantId: string, name: string) {
  const key = await json<{ id: string; clientId: string; secret: string }>(
    await fetch(`${url}/iam/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'x-tenant-id': tenantId, 'content-type': 'application/json' },
      body: JSON.stringify({ name, roles: ['EI Admin'] }),
    }),
    'POST /iam/api-keys',
  );
  const accessToken = await token(
    url,
    { grant_type: 'client_credentials', client_id: key.clientId, client_secret: key.secret },
    'client_credentials',
  );
  return { apiKey: { id: key.id, clientId: key.clientId, secret: key.secret }, accessToken };
}

/** Logs in as the administrator (password grant) and answers the admin's token and tenant id. */
export async function adminLogin(url: string): Promise<{ adminToken: string; tenantId: string }> {
  const adminToken = await token(url, { username: 'admin', password: ADMIN_PASSWORD }, 'admin login');
  const me = await json<{ tenant_id: string }>(
    await fetch(`${url}/iam/users/me`, { headers: { authorization: `Bearer ${adminToken}` } }),
    'GET /iam/users/me',
  );
  return { adminToken, tenantId: me.tenant_id };
}

export async function setupLatch(url: string): Promise<LatchFixture> {
  const { adminToken, tenantId } = await adminLogin(url);
  const { apiKey, accessToken } = await makeApiKey(url, adminToken, tenantId, 'bench-key');
  const agentsBody = JSON.stringify(
    await json(
      await fetch(`${url}/nbapi/ei/v1/agents`, { headers: { authorization: `Bearer ${accessToken}`, 'x-tenant-id': tenantId } }),
      'GET /nbapi/ei/v1/agents',
    ),
  );

  // An IoT hub with 16 policies (keys generated by Latch), one policy's SAS token.
  const bearer = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const resource = `${url}/subscriptions/${tenantId}/resourceGroups/bench-rg/providers/Microsoft.Devices/IotHubs/${HUB_NAME}`;
  const authorizationPolicies = Array.from({ length: POLICY_COUNT }, (_, i) => ({
    keyName: `bench-policy-${String(i).padStart(2, '0')}`,
    rights: RIGHTS[i % RIGHTS.length]!,
  }));
  const created = await json<{ properties: { hostName: string } }>(
    await fetch(`${resource}?api-version=${ARM_HUB_API}`, {
      method: 'PUT',
      headers: bearer,
      body: JSON.stringify({ location: 'westeurope', sku: { name: 'S1', capacity: 1 }, properties: { authorizationPolicies } }),
    }),
    'ARM PUT hub',
  );
  const keys = await json<{ value: { keyName: string; primaryKey: string }[] }>(
    await fetch(`${resource}/listkeys?api-version=${ARM_HUB_API}`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } }),
    'ARM POST listkeys',
  );
  const signing = keys.value.find((p) => p.keyName === SIGNING_POLICY);
  if (!signing) throw new BenchFailure(`listkeys: no policy ${SIGNING_POLICY}`);
  const hostName = created.properties.hostName;
  const sasToken = signSas({
    resourceUri: hostName,
    key: signing.primaryKey,
    keyName: signing.keyName,
    expiry: Math.floor(Date.now() / 1000) + 86_400,
  });

  // An IoT Central app and an Administrator API token.
  const app = await json<{ properties: { applicationId: string } }>(
    await fetch(
      `${url}/subscriptions/${tenantId}/resourceGroups/bench-rg/providers/Microsoft.IoTCentral/iotApps/${CENTRAL_APP}?api-version=2021-06-01`,
      { method: 'PUT', headers: bearer, body: JSON.stringify({ location: 'westeurope', sku: { name: 'ST1' } }) },
    ),
    'ARM PUT iotApps',
  );
  const appId = app.properties.applicationId;
  const made = await json<{ token: string }>(
    await fetch(`${url}/central/${appId}/api/apiTokens/bench-admin?api-version=2022-07-31`, {
      method: 'PUT',
      headers: bearer,
      body: JSON.stringify({ roles: [{ role: CENTRAL_ADMINISTRATOR }] }),
    }),
    'PUT apiTokens/bench-admin',
  );
  return {
    tenantId,
    adminToken,
    apiKey,
    accessToken,
    agentsBody,
    hub: { hostName, sasToken },
    central: { path: `/central/${appId}/api/apiTokens?api-version=2022-07-31`, token: made.token },
  };
}
