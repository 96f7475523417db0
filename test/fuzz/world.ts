import pino from 'pino';
import { signSas } from '../../src/domain/sas.js';
import { CENTRAL_API_VERSIONS, CENTRAL_ARM_API_VERSIONS } from '../../src/domain/central.js';
import { DPS_API_VERSIONS, HUB_API_VERSIONS } from '../../src/http/faces/arm/index.js';
import { Capture, makeTestApp, type TestApp } from '../harness.js';
import { ROLES } from '../faces/central/helpers.js';
import type { Vocabulary } from './schema.js';

/** The address the world's own logins come from: fuzzed token requests never come from it, so its throttle stays clean. */
const WORLD_ADDRESS = '10.255.255.1';
const VICTIMS = 3;

/**
 * A populated server for the fuzzer: the credentials that reach handlers (admin and API-key
 * bearer tokens, a Central API token, hub and DPS SAS tokens), the values that fill path
 * parameters (resources the fuzzer may delete: never the ones the credentials belong to), the
 * vocabulary valid bodies draw from, and the error lines the server logs.
 */
export interface World {
  dialect: 'sqlite' | 'postgres';
  t: TestApp;
  tenant: string;
  foreignTenant: string;
  /** Valid `Authorization` values by kind; kept valid by `refresh` when a request revoked one. */
  auth: { admin: string; apiKey: string; central: string; hubSas: string; dpsSas: string; basicClient: string };
  hosts: { hub: string; dps: string; central: string };
  /** Path-parameter name → values that name something that exists (or existed: the fuzzer deletes them). */
  fixtures: (op: string, param: string) => string[];
  /** Valid bodies of operations whose schema says little (the token endpoint's `Record<string, unknown>`). */
  samples: Record<string, unknown[]>;
  vocab: Vocabulary;
  /** Error-level log lines written since the last call. */
  drainLog(): string[];
  /** Re-mints the bearer tokens (after a logout, a session or key deletion, a signing-key rotation). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export async function makeWorld(dialect: 'sqlite' | 'postgres'): Promise<World> {
  const capture = new Capture();
  const t = await makeTestApp({ dialect, log: pino({ level: 'error' }, capture) });
  const from = { remoteAddress: WORLD_ADDRESS };
  const tenant = (await t.createTenant(undefined, { ei: true })).id;
  const foreignTenant = (await t.createTenant(undefined, { ei: true })).id;
  const adminTok = async () => (await t.login(t.admin.username, t.admin.password, from)).access_token;
  let admin = await adminTok();
  const ok = async (what: string, p: Promise<{ statusCode: number; body: string }>) => {
    const r = await p;
    if (r.statusCode >= 300) throw new Error(`fuzz world: ${what}: ${r.statusCode} ${r.body}`);
    return JSON.parse(r.body || '{}') as Record<string, any>;
  };
  const IOT_ROLES = ['Tenant Admin', 'EI Admin', 'IoT Contributor'];
  const credKey = await t.createApiKey(tenant, IOT_ROLES, { name: 'fz-cred-key', token: admin });
  const keyTok = async () => (await t.keyLogin(credKey.clientId, credKey.secret, from)).access_token;
  let apiKey = await keyTok();

  // ARM: one hub and one DPS the SAS credentials belong to, and victims the fuzzer may delete
  const arm = (collection: string, name: string, version: string) =>
    `/subscriptions/${tenant}/resourceGroups/fzrg/providers/Microsoft.Devices/${collection}/${name}?api-version=${version}`;
  const iotBody = { location: 'westus', sku: { name: 'S1', capacity: 1 } };
  const hub = await ok('hub', t.req('PUT', arm('IotHubs', 'fzcredhub', HUB_API_VERSIONS[1]), { token: admin, body: iotBody }));
  const dps = await ok('dps', t.req('PUT', arm('provisioningServices', 'fzcreddps', DPS_API_VERSIONS[1]), { token: admin, body: iotBody }));
  const victimHubs = Array.from({ length: VICTIMS }, (_, i) => `fzhub${i}`);
  const victimDps = Array.from({ length: VICTIMS }, (_, i) => `fzdps${i}`);
  for (const n of victimHubs) await ok('victim hub', t.req('PUT', arm('IotHubs', n, HUB_API_VERSIONS[1]), { token: admin, body: iotBody }));
  for (const n of victimDps)
    await ok('victim dps', t.req('PUT', arm('provisioningServices', n, DPS_API_VERSIONS[1]), { token: admin, body: iotBody }));
  const ownerSas = async (collection: string, name: string, version: string, host: string) => {
    const keys = await ok('listkeys', t.req('POST', arm(collection, name, version).replace('?', '/listkeys?'), { token: admin }));
    const owner = (keys.value as { keyName: string; primaryKey: string }[])[0]!;
    return signSas({
      resourceUri: host,
      key: owner.primaryKey,
      keyName: owner.keyName,
      expiry: Math.floor(t.clock.now() / 1000) + 10 * 365 * 86400,
    });
  };
  const hosts = { hub: hub.properties.hostName as string, dps: dps.properties.serviceOperationsHostName as string, central: '' };
  const hubSas = await ownerSas('IotHubs', 'fzcredhub', HUB_API_VERSIONS[1], hosts.hub);
  const dpsSas = await ownerSas('provisioningServices', 'fzcreddps', DPS_API_VERSIONS[1], hosts.dps);

  // Central: the app and API token the credential belongs to; victim apps, tokens and organizations
  const centralArm = (name: string) =>
    `/subscriptions/${tenant}/resourceGroups/fzrg/providers/Microsoft.IoTCentral/iotApps/${name}?api-version=${CENTRAL_ARM_API_VERSIONS[1]}`;
  const appBody = { location: 'westus', sku: { name: 'ST1' } };
  const app = await ok('central app', t.req('PUT', centralArm('fzcredapp'), { token: admin, body: appBody }));
  const victimApps = Array.from({ length: VICTIMS }, (_, i) => `fzapp${i}`);
  for (const n of victimApps) await ok('victim app', t.req('PUT', centralArm(n), { token: admin, body: appBody }));
  const appId = app.properties.applicationId as string;
  const subdomain = app.properties.subdomain as string;
  hosts.central = `${subdomain}.${t.config.centralHostSuffix}`;
  const central = (method: 'PUT' | 'GET', path: string, body?: unknown) =>
    t.req(method, `/central/${appId}/api/${path}?api-version=${CENTRAL_API_VERSIONS[0]}`, {
      headers: { authorization: `Bearer ${admin}` },
      ...(body ? { body } : {}),
    });
  const centralToken = (await ok('central token', central('PUT', 'apiTokens/fzcredtoken', { roles: [{ role: ROLES.admin }] })))
    .token as string;
  const victimTokens = Array.from({ length: VICTIMS }, (_, i) => `fztoken${i}`);
  const victimOrgs = Array.from({ length: VICTIMS }, (_, i) => `fzorg${i}`);
  for (const o of victimOrgs) await ok('central org', central('PUT', `organizations/${o}`, {}));
  for (const k of victimTokens) await ok('victim token', central('PUT', `apiTokens/${k}`, { roles: [{ role: ROLES.operator }] }));

  // iam / EI: victims for every kind of path parameter
  const users: { id: string; username: string; password: string }[] = [];
  const sessions: string[] = [];
  for (let i = 0; i < VICTIMS; i++) {
    const u = await t.createUser(tenant, ['Operator']);
    users.push(u);
    sessions.push((await t.login(u.username, u.password, from)).session_state);
  }
  const keys: { id: string; name: string; secret: string; clientId: string }[] = [];
  for (let i = 0; i < VICTIMS; i++) keys.push(await t.createApiKey(tenant, ['Operator'], { token: admin }));
  const roles: { id: string; name: string }[] = [];
  for (let i = 0; i < VICTIMS; i++) roles.push(await t.createRole(tenant, ['Asset Management']));
  const orgs: { id: string; name: string }[] = [];
  for (let i = 0; i < VICTIMS; i++) orgs.push(await t.createOrg(tenant));
  const eiBody = (name: string) => ({ name, connectionType: 'MQTT' });
  const assetTypes: string[] = [];
  const agents: string[] = [];
  for (let i = 0; i < VICTIMS; i++) {
    const req = { token: admin, tenant };
    assetTypes.push((await ok('asset type', t.req('POST', '/nbapi/ei/v1/assetTypes', { ...req, body: eiBody(`fz-at-${i}`) }))).id);
    agents.push((await ok('agent', t.req('POST', '/nbapi/ei/v1/agents', { ...req, body: { name: `fz-agent-${i}` } }))).id);
  }

  const byParam: Record<string, string[]> = {
    subscriptionId: [tenant],
    resourceGroupName: ['fzrg'],
    keyName: ['iothubowner', 'provisioningserviceowner', 'service', 'registryRead'],
    appId: [appId, subdomain],
    tokenId: victimTokens,
    organizationId: victimOrgs,
    roleId: Object.values(ROLES),
    userId: users.map((u) => u.id),
    role: [...roles.flatMap((r) => [r.id, r.name]), 'Operator', 'EI Admin'],
    key: keys.flatMap((k) => [k.id, k.name]),
    assetTypeId: assetTypes,
    agentId: agents,
  };
  const fixtures = (op: string, param: string): string[] => {
    if (param === 'resourceName') return op.includes('IoTCentral') ? victimApps : victimHubs;
    if (param === 'provisioningServiceName') return victimDps;
    if (param === 'id') return op.includes('/sessions/') ? sessions : orgs.map((o) => o.id);
    return byParam[param] ?? [];
  };
  const victimLogin = users[0]!;
  const samples: Record<string, unknown[]> = {};
  for (const path of ['/iam/auth/token', '/nbapi/iam/v1/auth/token'])
    samples[`POST ${path}`] = [
      { username: victimLogin.username, password: victimLogin.password },
      { grant_type: 'password', username: victimLogin.username, password: 'wrong-password' },
      { grant_type: 'client_credentials', client_id: keys[0]!.clientId, client_secret: keys[0]!.secret },
      { grant_type: 'client_credentials', client_id: keys[0]!.clientId, client_secret: 'x' },
      { grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token' },
      { grant_type: 'authorization_code', code: 'x' },
    ];
  const vocab: Vocabulary = {
    strings: [
      tenant,
      foreignTenant,
      'westus',
      'S1',
      'F1',
      'ST1',
      'ST2',
      'MQTT',
      'RegistryRead, ServiceConnect',
      'EnrollmentRead',
      'Operator',
      'EI Admin',
      'Asset Management',
      'Access Control',
      ...HUB_API_VERSIONS,
      ...DPS_API_VERSIONS,
      ...CENTRAL_API_VERSIONS,
      ...CENTRAL_ARM_API_VERSIONS,
      ...Object.values(ROLES),
      ...victimOrgs,
      'fz-new-name',
    ],
  };
  const auth = {
    admin: `Bearer ${admin}`,
    apiKey: `Bearer ${apiKey}`,
    central: centralToken,
    hubSas,
    dpsSas,
    basicClient: `Basic ${Buffer.from(`${keys[1]!.clientId}:${keys[1]!.secret}`).toString('base64')}`,
  };
  capture.chunks.length = 0;
  return {
    dialect,
    t,
    tenant,
    foreignTenant,
    auth,
    hosts,
    fixtures,
    samples,
    vocab,
    drainLog() {
      const lines = capture.text.split('\n').filter(Boolean);
      capture.chunks.length = 0;
      return lines;
    },
    async refresh() {
      admin = await adminTok();
      apiKey = await keyTok();
      auth.admin = `Bearer ${admin}`;
      auth.apiKey = `Bearer ${apiKey}`;
    },
    close: () => t.close(),
  };
}
