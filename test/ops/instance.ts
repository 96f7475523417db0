// A populated Latch instance and the checks that it survived (master-key rotation, backup/restore):
// users, API keys, hubs with policies, an IoT Central app with an API token, a live session, and a
// JWT signed before — each checked again on another server over the same (or a restored) store.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApp } from '../harness.js';
import { createCentralApp, createToken, central, ROLES } from '../faces/central/helpers.js';

export const hubPath = (tenant: string, name: string) =>
  `/subscriptions/${tenant}/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/${name}`;
const HUB_API = 'api-version=2023-06-30';

export interface Policy {
  keyName: string;
  rights: string;
  primaryKey: string;
  secondaryKey: string;
}

export const sasKey = () => randomBytes(32).toString('base64');

export async function putHub(t: TestApp, tenant: string, name: string, policies?: Policy[]) {
  return t.req('PUT', `${hubPath(tenant, name)}?${HUB_API}`, {
    token: await t.adminToken(),
    body: {
      location: 'westus',
      sku: { name: 'S1', capacity: 1 },
      ...(policies ? { properties: { authorizationPolicies: policies } } : {}),
    },
  });
}

export async function listKeys(t: TestApp, tenant: string, name: string): Promise<Policy[]> {
  const res = await t.req('POST', `${hubPath(tenant, name)}/listkeys?${HUB_API}`, { token: await t.adminToken() });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { value: Policy[] }).value;
}

export interface Populated {
  tenant: string;
  user: { username: string; password: string };
  apiKey: { clientId: string; secret: string };
  hubs: Record<string, Policy[]>;
  central: { appId: string; token: string };
  /** Issued before: must still verify (its signing key survives) and refresh. */
  session: { access: string; refresh: string };
}

/** Fills the instance through its faces, as a user would. */
export async function populate(t: TestApp, hubs = 3): Promise<Populated> {
  const tenant = t.defaultTenantId;
  const user = await t.createUser(tenant, ['EI Admin']);
  const key = await t.createApiKey(tenant, ['EI Admin']);
  const out: Populated['hubs'] = {};
  for (let i = 0; i < hubs; i++) {
    const name = `hub-${randomBytes(4).toString('hex')}`;
    const res = await putHub(t, tenant, name);
    expect(res.statusCode, res.body).toBe(201);
    out[name] = await listKeys(t, tenant, name);
  }
  const app = await createCentralApp(t);
  const token = await createToken(t, app.id, `tok-${randomBytes(3).toString('hex')}`, [{ role: ROLES.admin }]);
  const s = await t.login(user.username, user.password);
  return {
    tenant,
    user: { username: user.username, password: user.password },
    apiKey: { clientId: key.clientId, secret: key.secret },
    hubs: out,
    central: { appId: app.id, token },
    session: { access: s.access_token, refresh: s.refresh_token },
  };
}

/** Everything `populate` made still works on `t` (another server on the same or a restored store). */
export async function expectIntact(t: TestApp, p: Populated, o: { refresh?: boolean } = {}): Promise<void> {
  expect((await t.token({ username: p.user.username, password: p.user.password })).statusCode).toBe(200);
  const k = await t.token({ grant_type: 'client_credentials', client_id: p.apiKey.clientId, client_secret: p.apiKey.secret });
  expect(k.statusCode, k.body).toBe(200);
  for (const [name, policies] of Object.entries(p.hubs)) expect(await listKeys(t, p.tenant, name)).toEqual(policies);
  const me = await t.req('GET', '/iam/users/me', { token: p.session.access });
  expect(me.statusCode, 'a JWT signed before still verifies').toBe(200);
  const c = await central(t, 'GET', p.central.appId, 'apiTokens', { auth: p.central.token });
  expect(c.statusCode, c.body).toBe(200);
  if (o.refresh !== false) {
    const r = await t.token({ grant_type: 'refresh_token', refresh_token: p.session.refresh });
    expect(r.statusCode, r.body).toBe(200);
  }
}
