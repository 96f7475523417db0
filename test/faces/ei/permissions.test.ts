import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../../harness.js';

/**
 * The NB API permission matrix (seed 004, spec/ei-iam.md §6.3/§6.4): for every built-in role and
 * a custom role, as a user and as an API key, which operations answer 2xx and which 403
 * PERMISSION_DENIED.
 */

type Op =
  | 'GET agents'
  | 'POST agents'
  | 'DELETE agents'
  | 'GET assetTypes'
  | 'GET assetType'
  | 'POST assetTypes'
  | 'PUT assetType'
  | 'DELETE assetType';
const OPS: Op[] = [
  'GET agents',
  'POST agents',
  'DELETE agents',
  'GET assetTypes',
  'GET assetType',
  'POST assetTypes',
  'PUT assetType',
  'DELETE assetType',
];

const CUSTOM = 'custom: Data Management + EI System Management';
// ✓ = 2xx, ✗ = 403 PERMISSION_DENIED.
// GET agents / asset types: any one of the five; POST/PUT/DELETE asset types: Asset Management;
// registering an agent: EI System Management; removing an agent: Operations Management (§6.2 Operator).
const MATRIX: Record<string, string> = {
  //                     GETag POSTag DELag GETat GET1 POST PUT DEL
  'EI Admin': '✓✓✓✓✓✓✓✓',
  Operator: '✓✗✓✓✓✗✗✗',
  'Asset Expert': '✓✗✗✓✓✓✓✓',
  'Data Logic Developer': '✓✗✗✓✓✗✗✗',
  'Tenant Admin': '✗✗✗✗✗✗✗✗',
  [CUSTOM]: '✓✓✗✓✓✗✗✗',
};

let t: TestApp;
let tenantId: string;
let admin: string;
let customRole: string;
let n = 0;

beforeAll(async () => {
  t = await makeTestApp();
  tenantId = (await t.createTenant(undefined, { ei: true })).id;
  admin = await t.adminToken();
  customRole = (await t.createRole(tenantId, ['Data Management', 'EI System Management'])).name;
});
afterAll(async () => t?.close());

async function fixtures(tenant = tenantId) {
  const i = ++n;
  const at = await t.req('POST', '/nbapi/ei/v1/assetTypes', {
    token: admin,
    tenant,
    body: { name: `fixture-at-${i}`, connectionType: 'OPC_UA' },
  });
  const ag = await t.req('POST', '/nbapi/ei/v1/agents', { token: admin, tenant, body: { name: `fixture-agent-${i}` } });
  expect([at.statusCode, ag.statusCode]).toEqual([201, 201]);
  return { assetTypeId: at.json().id as string, agentId: ag.json().id as string, i };
}

async function perform(op: Op, token: string, tenant = tenantId) {
  const f = await fixtures(tenant);
  const r = { token, tenant };
  switch (op) {
    case 'GET agents':
      return t.req('GET', '/nbapi/ei/v1/agents', r);
    case 'POST agents':
      return t.req('POST', '/nbapi/ei/v1/agents', { ...r, body: { name: `new-agent-${f.i}` } });
    case 'DELETE agents':
      return t.req('DELETE', `/nbapi/ei/v1/agents/${f.agentId}`, r);
    case 'GET assetTypes':
      return t.req('GET', '/nbapi/ei/v1/assetTypes', r);
    case 'GET assetType':
      return t.req('GET', `/nbapi/ei/v1/assetTypes/${f.assetTypeId}`, r);
    case 'POST assetTypes':
      return t.req('POST', '/nbapi/ei/v1/assetTypes', {
        ...r,
        body: { name: `new-at-${f.i}`, connectionType: 'MODBUS_TCP', dataModel: { t: { type: 'number' } }, config: { port: 502 } },
      });
    case 'PUT assetType':
      return t.req('PUT', `/nbapi/ei/v1/assetTypes/${f.assetTypeId}`, { ...r, body: { name: `renamed-${f.i}`, connectionType: 'MQTT' } });
    case 'DELETE assetType':
      return t.req('DELETE', `/nbapi/ei/v1/assetTypes/${f.assetTypeId}`, r);
  }
}

describe('NB API permission matrix', () => {
  for (const kind of ['user', 'api key'] as const) {
    for (const [roleLabel, row] of Object.entries(MATRIX)) {
      it(`${roleLabel} as ${kind}: ${row}`, async () => {
        const role = roleLabel === CUSTOM ? customRole : roleLabel;
        let token: string;
        if (kind === 'user') {
          const u = await t.createUser(tenantId, [role]);
          token = (await t.login(u.username, u.password)).access_token;
        } else {
          const k = await t.createApiKey(tenantId, [role]);
          token = (await t.keyLogin(k.clientId, k.secret)).access_token;
        }
        const got: string[] = [];
        for (const op of OPS) {
          const res = await perform(op, token);
          if (res.statusCode >= 200 && res.statusCode < 300) got.push('✓');
          else {
            expect(res.statusCode, `${op}: ${res.body}`).toBe(403);
            expect(res.json(), op).toMatchObject({ status: 403, error: 'Unauthorized', code: 'PERMISSION_DENIED' });
            expect(res.json().message).toMatch(/^Missing required permission: /);
            got.push('✗');
          }
        }
        expect(got.join('')).toBe(row);
      });
    }
  }

  it('the denial names the permission needed (spec §6.4 proposal)', async () => {
    const u = await t.createUser(tenantId, ['Operator']);
    const token = (await t.login(u.username, u.password)).access_token;
    const res = await t.req('POST', '/nbapi/ei/v1/assetTypes', {
      token,
      tenant: tenantId,
      body: { name: 'denied', connectionType: 'MQTT' },
    });
    expect(res.json().message).toBe('Missing required permission: Asset Management');
  });
});

describe('x-tenant-id check order: 401 → 400 → 403 membership → 403 permission', () => {
  let token: string;
  let outsider: string;
  beforeAll(async () => {
    const u = await t.createUser(tenantId, ['Tenant Admin']);
    token = (await t.login(u.username, u.password)).access_token;
    const other = await t.createTenant();
    const o = await t.createUser(other.id, ['EI Admin']);
    outsider = (await t.login(o.username, o.password)).access_token;
  });
  const get = (h: { token?: string; tenant?: string; headers?: Record<string, string> }) => t.req('GET', '/nbapi/ei/v1/agents', h);

  it('no or bad token wins over a bad header: 401', async () => {
    for (const res of [await get({ tenant: 'garbage' }), await get({ token: 'bad', tenant: 'garbage' }), await get({ token: 'bad' })]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('valid token, header missing, blank or not a UUID: 400 TENANT_HEADER_INVALID', async () => {
    for (const tenant of [undefined, ' ', 'not-a-uuid', `${tenantId}x`]) {
      const res = await get({ token, tenant });
      expect(res.statusCode, String(tenant)).toBe(400);
      expect(res.json()).toMatchObject({
        status: 400,
        error: 'Bad Request',
        code: 'TENANT_HEADER_INVALID',
        message: 'Missing or invalid x-tenant-id header',
      });
    }
  });

  it("valid token and header, not a member: 403 TENANT_FORBIDDEN even when the route's permission is held elsewhere", async () => {
    const res = await get({ token: outsider, tenant: tenantId });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      status: 403,
      error: 'Unauthorized',
      code: 'TENANT_FORBIDDEN',
      message: `User is not authorized for tenant ${tenantId}`,
    });
  });

  it('member without the permission: 403 PERMISSION_DENIED', async () => {
    const res = await get({ token, tenant: tenantId });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('PERMISSION_DENIED');
  });

  it('upper-case tenant UUIDs are the same tenant', async () => {
    const res = await t.req('GET', '/nbapi/ei/v1/agents', { token: admin, tenant: tenantId.toUpperCase() });
    expect(res.statusCode).toBe(200);
  });
});

describe('sub-organization inheritance', () => {
  let parent: string;
  let child: string;
  let grandchild: string;
  beforeAll(async () => {
    parent = (await t.createTenant(undefined, { ei: true })).id;
    child = (await t.createOrg(parent)).id;
    grandchild = (await t.createOrg(child)).id;
  });

  it("a user's role on the parent reaches the child and the grandchild", async () => {
    const u = await t.createUser(parent, ['Asset Expert']);
    const token = (await t.login(u.username, u.password)).access_token;
    for (const tenant of [parent, child, grandchild]) {
      expect((await perform('POST assetTypes', token, tenant)).statusCode, tenant).toBe(201);
      expect((await perform('POST agents', token, tenant)).statusCode, tenant).toBe(403);
    }
  });

  it('a role on the child does not reach the parent', async () => {
    const u = await t.createUser(parent, []);
    expect((await t.req('PUT', `/iam/users/${u.id}/roles/Operator`, { token: admin, tenant: child })).statusCode).toBe(200);
    const token = (await t.login(u.username, u.password)).access_token;
    expect((await perform('GET agents', token, child)).statusCode).toBe(200);
    expect((await perform('GET agents', token, grandchild)).statusCode).toBe(200);
    expect((await perform('GET agents', token, parent)).json().code).toBe('TENANT_FORBIDDEN');
  });

  it('an API key is bound to its own tenant: it does not reach a child', async () => {
    const k = await t.createApiKey(parent, ['EI Admin']);
    const token = (await t.keyLogin(k.clientId, k.secret)).access_token;
    expect((await perform('GET agents', token, parent)).statusCode).toBe(200);
    for (const tenant of [child, grandchild]) {
      const res = await perform('GET agents', token, tenant);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('TENANT_FORBIDDEN');
    }
  });
});
