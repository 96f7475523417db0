import { randomBytes, randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT, type AuditAction } from '../../src/domain/audit-events.js';
import { generateSecret } from '../../src/crypto/secrets.js';
import { makeTestApp, type Req, type TestApp } from '../harness.js';
import { ROLES } from '../faces/central/helpers.js';

/**
 * The audit trail as a contract: for every event of the catalogue (src/domain/audit-events.ts) a
 * case performs the action over HTTP with its own `x-request-id`, and the tenant's trail then holds
 * exactly one event of that action with that request id, with the expected actor, tenant and
 * target. A catalogue event without a case fails here (and in tsc: CASES is keyed by AuditAction),
 * so does removing any audit write, the api_key.created / api_key.shown ones included.
 */

interface Ctx {
  t: TestApp;
  admin: string;
  adminId: string;
  /** A tenant where the admin is Tenant Admin and EI Admin. */
  tenant: string;
  central: { id: string; name: string; sas: string };
}

type Principal = { type: string; id: string };
interface Expected {
  tenant: string;
  /** null: no authenticated caller (a login attempt, a refresh). */
  actor: Principal | null;
  target: Principal | null;
}
type Case = (c: Ctx, rid: string) => Promise<Expected>;

const uniq = (p: string) => `${p}${randomBytes(5).toString('hex')}`;
let ipCounter = 0;
const fresh = () => `10.33.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

function expectStatus(res: LightMyRequestResponse, status: number): LightMyRequestResponse {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode} ${res.body}`);
  return res;
}

/** A request in the tenant as the admin; `rid` (when given) is its x-request-id. */
const call = (c: Ctx, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, rid?: string, r: Req = {}) =>
  c.t.req(method, url, {
    token: c.admin,
    tenant: c.tenant,
    ...r,
    headers: { ...(rid ? { 'x-request-id': rid } : {}), ...(r.headers ?? {}) },
  });
const token = (c: Ctx, body: Record<string, unknown>, rid?: string) =>
  c.t.token(body, { remoteAddress: fresh(), headers: rid ? { 'x-request-id': rid } : {} });
const json = <T>(res: LightMyRequestResponse) => res.json() as T;

const user = (c: Ctx, roles = ['Operator']) => c.t.createUser(c.tenant, roles);
const admin = (c: Ctx): Principal => ({ type: 'user', id: c.adminId });
const role = async (c: Ctx) =>
  json<{ id: string; name: string }>(
    expectStatus(await call(c, 'POST', '/iam/roles', undefined, { body: { name: uniq('role-'), permissions: ['Asset Management'] } }), 201),
  );

// ---- ARM: hubs and provisioning services ----
type Kind = { kind: 'hub' | 'dps'; type: string; collection: string; apiVersion: string; keys: string; keyName: string };
const HUB: Kind = {
  kind: 'hub',
  type: 'iot_hub',
  collection: 'IotHubs',
  apiVersion: '2023-06-30',
  keys: 'IotHubKeys',
  keyName: 'iothubowner',
};
const DPS: Kind = {
  kind: 'dps',
  type: 'dps',
  collection: 'provisioningServices',
  apiVersion: '2022-02-05',
  keys: 'keys',
  keyName: 'provisioningserviceowner',
};
const armUrl = (c: Ctx, k: Kind, name: string, suffix = '') =>
  `/subscriptions/${c.tenant}/resourceGroups/rg/providers/Microsoft.Devices/${k.collection}/${name}${suffix}?api-version=${k.apiVersion}`;
const body = () => ({ location: 'westus', sku: { name: 'S1', capacity: 1 } });
async function resource(c: Ctx, k: Kind, rid?: string): Promise<{ name: string; target: Principal }> {
  const name = uniq(k.kind);
  expectStatus(await call(c, 'PUT', armUrl(c, k, name), rid, { body: body() }), 201);
  const r = await c.t.server.deps.store.iot.get(c.tenant, k.kind, 'rg', name);
  return { name, target: { type: k.type, id: r!.id } };
}
function armCases<A extends AuditAction>(k: Kind, events: { created: A; updated: A; deleted: A; keys: A }): Record<A, Case> {
  const expected = (c: Ctx, target: Principal): Expected => ({ tenant: c.tenant, actor: admin(c), target });
  return {
    [events.created]: async (c: Ctx, rid: string) => expected(c, (await resource(c, k, rid)).target),
    [events.updated]: async (c: Ctx, rid: string) => {
      const r = await resource(c, k);
      expectStatus(await call(c, 'PUT', armUrl(c, k, r.name), rid, { body: { ...body(), tags: { env: 'test' } } }), 200);
      return expected(c, r.target);
    },
    [events.deleted]: async (c: Ctx, rid: string) => {
      const r = await resource(c, k);
      expectStatus(await call(c, 'DELETE', armUrl(c, k, r.name), rid), 200);
      return expected(c, r.target);
    },
    [events.keys]: async (c: Ctx, rid: string) => {
      const r = await resource(c, k);
      expectStatus(await call(c, 'POST', armUrl(c, k, r.name, `/${k.keys}/${k.keyName}/listkeys`), rid), 200);
      return expected(c, r.target);
    },
  } as Record<A, Case>;
}

// ---- IoT Central ----
const CENTRAL_ARM = '2021-06-01';
const CENTRAL_API = '2022-07-31';
const appUrl = (c: Ctx, name: string) =>
  `/subscriptions/${c.tenant}/resourceGroups/rg/providers/Microsoft.IoTCentral/iotApps/${name}?api-version=${CENTRAL_ARM}`;
async function centralApp(c: Ctx, rid?: string): Promise<{ name: string; id: string }> {
  const name = uniq('capp');
  const res = expectStatus(await call(c, 'PUT', appUrl(c, name), rid, { body: { location: 'westus', sku: { name: 'ST1' } } }), 201);
  return { name, id: json<{ properties: { applicationId: string } }>(res).properties.applicationId };
}
const dp = (c: Ctx, method: 'GET' | 'PUT' | 'DELETE', path: string, rid?: string, r: { body?: unknown; auth?: string } = {}) =>
  c.t.req(method, `/central/${c.central.id}/api/${path}?api-version=${CENTRAL_API}`, {
    headers: { authorization: r.auth ?? `Bearer ${c.admin}`, ...(rid ? { 'x-request-id': rid } : {}) },
    body: r.body,
  });
const inCentral = (c: Ctx, type: string, id: string): Expected => ({
  tenant: c.tenant,
  actor: admin(c),
  target: { type, id: `${c.central.id}/${id}` },
});

const CASES: Record<AuditAction, Case> = {
  [AUDIT.TENANT_CREATED]: async (c, rid) => {
    const id = json<{ id: string }>(expectStatus(await call(c, 'POST', '/iam/tenants', rid, { body: { name: uniq('tenant-') } }), 201)).id;
    return { tenant: id, actor: admin(c), target: { type: 'tenant', id } };
  },
  [AUDIT.ORG_CREATED]: async (c, rid) => {
    const id = json<{ id: string }>(expectStatus(await call(c, 'POST', '/iam/orgs', rid, { body: { name: uniq('org-') } }), 201)).id;
    return { tenant: c.tenant, actor: admin(c), target: { type: 'tenant', id } };
  },
  [AUDIT.ORG_DELETED]: async (c, rid) => {
    const id = (await c.t.createOrg(c.tenant)).id;
    expectStatus(await call(c, 'DELETE', `/iam/orgs/${id}`, rid), 204);
    return { tenant: c.tenant, actor: admin(c), target: { type: 'tenant', id } };
  },
  [AUDIT.USER_CREATED]: async (c, rid) => {
    const body = { username: uniq('user-'), password: 'pw-0123456789', roles: ['Operator'] };
    const id = json<{ id: string }>(expectStatus(await call(c, 'POST', '/iam/users', rid, { body }), 201)).id;
    return { tenant: c.tenant, actor: admin(c), target: { type: 'user', id } };
  },
  [AUDIT.USER_DELETED]: async (c, rid) => {
    const u = await user(c);
    expectStatus(await call(c, 'DELETE', `/iam/users/${u.id}`, rid), 204);
    return { tenant: c.tenant, actor: admin(c), target: { type: 'user', id: u.id } };
  },
  [AUDIT.USER_LOGIN_SUCCEEDED]: async (c, rid) => {
    const u = await user(c);
    const sid = json<{ session_state: string }>(expectStatus(await token(c, { username: u.username, password: u.password }, rid), 200));
    return { tenant: c.tenant, actor: { type: 'user', id: u.id }, target: { type: 'session', id: sid.session_state } };
  },
  [AUDIT.USER_LOGIN_FAILED]: async (c, rid) => {
    const u = await user(c);
    expectStatus(await token(c, { username: u.username, password: 'not-the-password' }, rid), 401);
    return { tenant: c.tenant, actor: null, target: { type: 'user', id: u.id } };
  },
  [AUDIT.ROLE_CREATED]: async (c, rid) => {
    const body = { name: uniq('role-'), permissions: ['Asset Management'] };
    const id = json<{ id: string }>(expectStatus(await call(c, 'POST', '/iam/roles', rid, { body }), 201)).id;
    return { tenant: c.tenant, actor: admin(c), target: { type: 'role', id } };
  },
  [AUDIT.ROLE_UPDATED]: async (c, rid) => {
    const r = await role(c);
    expectStatus(
      await call(c, 'PATCH', `/iam/roles/${r.id}`, rid, { body: { permissions: ['Asset Management', 'Develop and Manage Data Logics'] } }),
      200,
    );
    return { tenant: c.tenant, actor: admin(c), target: { type: 'role', id: r.id } };
  },
  [AUDIT.ROLE_DELETED]: async (c, rid) => {
    const r = await role(c);
    expectStatus(await call(c, 'DELETE', `/iam/roles/${r.id}`, rid), 204);
    return { tenant: c.tenant, actor: admin(c), target: { type: 'role', id: r.id } };
  },
  [AUDIT.ROLE_ASSIGNED]: async (c, rid) => {
    const u = await user(c);
    expectStatus(await call(c, 'PUT', `/iam/users/${u.id}/roles/Asset%20Expert`, rid), 200);
    return { tenant: c.tenant, actor: admin(c), target: { type: 'user', id: u.id } };
  },
  [AUDIT.ROLE_UNASSIGNED]: async (c, rid) => {
    const u = await user(c, ['Operator', 'Asset Expert']);
    expectStatus(await call(c, 'DELETE', `/iam/users/${u.id}/roles/Asset%20Expert`, rid), 204);
    return { tenant: c.tenant, actor: admin(c), target: { type: 'user', id: u.id } };
  },
  [AUDIT.API_KEY_CREATED]: async (c, rid) => {
    const id = json<{ id: string }>(
      expectStatus(await call(c, 'POST', '/iam/api-keys', rid, { body: { name: uniq('key-'), roles: ['Operator'] } }), 201),
    ).id;
    return { tenant: c.tenant, actor: admin(c), target: { type: 'api_key', id } };
  },
  [AUDIT.API_KEY_SHOWN]: async (c, rid) => {
    const id = json<{ id: string }>(
      expectStatus(await call(c, 'POST', '/iam/api-keys', rid, { body: { name: uniq('key-'), roles: ['Operator'] } }), 201),
    ).id;
    return { tenant: c.tenant, actor: admin(c), target: { type: 'api_key', id } };
  },
  [AUDIT.API_KEY_FIRST_USED]: async (c, rid) => {
    const k = await c.t.createApiKey(c.tenant, ['Operator']);
    expectStatus(await token(c, { grant_type: 'client_credentials', client_id: k.clientId, client_secret: k.secret }, rid), 200);
    return { tenant: c.tenant, actor: { type: 'api_key', id: k.id }, target: { type: 'api_key', id: k.id } };
  },
  [AUDIT.API_KEY_DELETED]: async (c, rid) => {
    const k = await c.t.createApiKey(c.tenant, ['Operator']);
    expectStatus(await call(c, 'DELETE', `/iam/api-keys/${k.name}`, rid), 204);
    return { tenant: c.tenant, actor: admin(c), target: { type: 'api_key', id: k.id } };
  },
  [AUDIT.API_KEY_LOGIN_FAILED]: async (c, rid) => {
    const k = await c.t.createApiKey(c.tenant, ['Operator']);
    const wrong = generateSecret('ak'); // well-formed: a malformed one is refused before the key is even looked up
    expectStatus(await token(c, { grant_type: 'client_credentials', client_id: k.clientId, client_secret: wrong }, rid), 401);
    return { tenant: c.tenant, actor: null, target: { type: 'api_key', id: k.id } };
  },
  [AUDIT.SESSION_CREATED]: async (c, rid) => {
    const k = await c.t.createApiKey(c.tenant, ['Operator']);
    const r = await token(c, { grant_type: 'client_credentials', client_id: k.clientId, client_secret: k.secret }, rid);
    const sid = json<{ session_state: string }>(expectStatus(r, 200)).session_state;
    return { tenant: c.tenant, actor: { type: 'api_key', id: k.id }, target: { type: 'session', id: sid } };
  },
  [AUDIT.SESSION_REFRESHED]: async (c, rid) => {
    const u = await user(c);
    const first = await c.t.login(u.username, u.password, { remoteAddress: fresh() });
    expectStatus(await token(c, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, rid), 200);
    return { tenant: c.tenant, actor: { type: 'user', id: u.id }, target: { type: 'session', id: first.session_state } };
  },
  [AUDIT.SESSION_REVOKED]: async (c, rid) => {
    const u = await user(c);
    const s = await c.t.login(u.username, u.password, { remoteAddress: fresh() });
    expectStatus(await c.t.req('POST', '/iam/auth/logout', { token: s.access_token, headers: { 'x-request-id': rid } }), 204);
    return { tenant: c.tenant, actor: { type: 'user', id: u.id }, target: { type: 'session', id: s.session_state } };
  },
  [AUDIT.SESSION_REUSE_DETECTED]: async (c, rid) => {
    const u = await user(c);
    const first = await c.t.login(u.username, u.password, { remoteAddress: fresh() });
    expectStatus(await token(c, { grant_type: 'refresh_token', refresh_token: first.refresh_token }), 200);
    expectStatus(await token(c, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, rid), 400);
    return { tenant: c.tenant, actor: null, target: { type: 'session', id: first.session_state } };
  },
  [AUDIT.SIGNING_KEY_ROTATED]: async (c, rid) => {
    const kid = json<{ kid: string }>(expectStatus(await call(c, 'POST', '/iam/keys/rotate', rid), 200)).kid;
    return { tenant: c.t.defaultTenantId, actor: admin(c), target: { type: 'signing_key', id: kid } };
  },
  [AUDIT.ACCESS_DENIED]: async (c, rid) => {
    const u = await user(c);
    const s = await c.t.login(u.username, u.password, { remoteAddress: fresh() });
    expectStatus(await call(c, 'POST', '/iam/roles', rid, { token: s.access_token, body: { name: uniq('r-'), permissions: [] } }), 403);
    return { tenant: c.tenant, actor: { type: 'user', id: u.id }, target: null };
  },
  ...armCases(HUB, {
    created: AUDIT.IOT_HUB_CREATED,
    updated: AUDIT.IOT_HUB_UPDATED,
    deleted: AUDIT.IOT_HUB_DELETED,
    keys: AUDIT.IOT_HUB_KEYS_LISTED,
  }),
  ...armCases(DPS, { created: AUDIT.DPS_CREATED, updated: AUDIT.DPS_UPDATED, deleted: AUDIT.DPS_DELETED, keys: AUDIT.DPS_KEYS_LISTED }),
  [AUDIT.CENTRAL_APP_CREATED]: async (c, rid) => {
    const a = await centralApp(c, rid);
    return { tenant: c.tenant, actor: admin(c), target: { type: 'central_app', id: a.id } };
  },
  [AUDIT.CENTRAL_APP_UPDATED]: async (c, rid) => {
    const a = await centralApp(c);
    expectStatus(await call(c, 'PATCH', appUrl(c, a.name), rid, { body: { properties: { displayName: uniq('display-') } } }), 200);
    return { tenant: c.tenant, actor: admin(c), target: { type: 'central_app', id: a.id } };
  },
  [AUDIT.CENTRAL_APP_DELETED]: async (c, rid) => {
    const a = await centralApp(c);
    expectStatus(await call(c, 'DELETE', appUrl(c, a.name), rid), 200);
    return { tenant: c.tenant, actor: admin(c), target: { type: 'central_app', id: a.id } };
  },
  [AUDIT.CENTRAL_API_TOKEN_CREATED]: async (c, rid) => {
    const id = uniq('tok-');
    expectStatus(await dp(c, 'PUT', `apiTokens/${id}`, rid, { body: { roles: [{ role: ROLES.operator }] } }), 200);
    return inCentral(c, 'central_api_token', id);
  },
  [AUDIT.CENTRAL_API_TOKEN_DELETED]: async (c, rid) => {
    const id = uniq('tok-');
    expectStatus(await dp(c, 'PUT', `apiTokens/${id}`, undefined, { body: { roles: [{ role: ROLES.operator }] } }), 200);
    expectStatus(await dp(c, 'DELETE', `apiTokens/${id}`, rid), 204);
    return inCentral(c, 'central_api_token', id);
  },
  [AUDIT.CENTRAL_API_TOKEN_REJECTED]: async (c, rid) => {
    // the fixture token with one late signature character changed
    // Flip the signature's first base64 character, decoded: a character of the encoded form may sit in a %XX escape.
    const tampered = c.central.sas.replace(/sig=([^&]+)/, (_m, enc: string) => {
      const sig = decodeURIComponent(enc);
      return `sig=${encodeURIComponent((sig[0] === 'A' ? 'B' : 'A') + sig.slice(1))}`;
    });
    expectStatus(await dp(c, 'GET', 'apiTokens', rid, { auth: tampered }), 401);
    const skn = /skn=([^&]+)/.exec(c.central.sas)![1]!;
    const who = { type: 'central_api_token', id: `${c.central.id}/${skn}` };
    return { tenant: c.tenant, actor: who, target: who };
  },
  [AUDIT.CENTRAL_ORG_CREATED]: async (c, rid) => {
    const id = uniq('org-');
    expectStatus(await dp(c, 'PUT', `organizations/${id}`, rid, { body: {} }), 200);
    return inCentral(c, 'central_org', id);
  },
  [AUDIT.CENTRAL_ORG_DELETED]: async (c, rid) => {
    const id = uniq('org-');
    expectStatus(await dp(c, 'PUT', `organizations/${id}`, undefined, { body: {} }), 200);
    expectStatus(await dp(c, 'DELETE', `organizations/${id}`, rid), 204);
    return inCentral(c, 'central_org', id);
  },
  [AUDIT.CENTRAL_ROLE_CREATED]: async (c, rid) => {
    const id = randomUUID();
    expectStatus(await dp(c, 'PUT', `roles/${id}`, rid, { body: { displayName: uniq('role-'), permissions: ['roles.read'] } }), 200);
    return inCentral(c, 'central_role', id);
  },
};

describe('the audit-event catalogue', () => {
  it('has a contract case for every event, and a case only for catalogued events', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.values(AUDIT).sort());
  });
});

describe.each(['sqlite', 'postgres'] as const)('every audit event over HTTP (%s)', (dialect) => {
  let c: Ctx;
  beforeAll(async () => {
    const t = await makeTestApp({ dialect });
    const tenant = (await t.createTenant(undefined, { ei: true })).id;
    c = { t, admin: await t.adminToken(), adminId: t.admin.id, tenant, central: { id: '', name: '', sas: '' } };
    const a = await centralApp(c);
    Object.assign(c.central, a);
    const tok = expectStatus(
      await dp(c, 'PUT', `apiTokens/${uniq('tok-')}`, undefined, { body: { roles: [{ role: ROLES.operator }] } }),
      200,
    );
    c.central.sas = json<{ token: string }>(tok).token;
  });
  afterAll(async () => c?.t.close());

  it.each(Object.values(AUDIT))('%s: exactly one event with the request id, actor, tenant and target', async (action) => {
    const rid = `audit-${action}-${randomBytes(6).toString('hex')}`;
    const want = await CASES[action](c, rid);
    await c.t.server.services.auditBuffer.flush();
    const page = await c.t.server.deps.store.audit.query(want.tenant, { action, limit: 1000, offset: 0 });
    const mine = page.items.filter((e) => e.requestId === rid);
    expect(mine, `${action} with request id ${rid}`).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      tenantId: want.tenant,
      action,
      requestId: rid,
      actorType: want.actor?.type ?? null,
      actorId: want.actor?.id ?? null,
      targetType: want.target?.type ?? null,
      targetId: want.target?.id ?? null,
    });
    expect(mine[0]!.clientAddress).toEqual(expect.any(String));
  });
});
