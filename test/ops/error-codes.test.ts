import { randomBytes, randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../../src/http/route.js';
import { ERRORS, type ErrorCode } from '../../src/errors/catalog.js';
import { MAX_POLICIES } from '../../src/domain/iot.js';
import { makeTestApp, type Req, type TestApp } from '../harness.js';

/**
 * Every catalogued code a route documents (errorResponses in its schema, so also in OpenAPI) has a
 * case here that makes the route answer with it, run over HTTP on SQLite and PostgreSQL. A route
 * that starts documenting a code fails this file until a case proves it; a case for a code the
 * route no longer documents fails it too.
 */

interface Ctx {
  t: TestApp;
  /** Platform administrator's token; it is Tenant Admin and EI Admin in `tenant`. */
  admin: string;
  tenant: string;
  /** A Tenant Admin of `tenant` who is not the platform administrator. */
  tenantAdmin: { id: string; token: string };
  /** A user of `tenant` holding only Operator: signed in, member of the tenant, no IoT permission. */
  operator: string;
  /** A hub and a provisioning service in resource group `rg` of `tenant`. */
  hub: string;
  dps: string;
}

type Case = (c: Ctx) => Promise<LightMyRequestResponse>;
type Cases = Record<string, Partial<Record<ErrorCode, Case>>>;

const uniq = (p: string) => `${p}${randomBytes(5).toString('hex')}`;
const NIL = '00000000-0000-4000-8000-000000000000';

/** A request in `tenant` as the platform administrator unless `r` says otherwise. */
const call = (c: Ctx, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, r: Req = {}) =>
  c.t.req(method, url, { token: c.admin, tenant: c.tenant, ...r });

async function created(res: LightMyRequestResponse, what: string): Promise<{ id: string }> {
  if (res.statusCode !== 201) throw new Error(`${what}: expected 201, got ${res.statusCode} ${res.body}`);
  return res.json() as { id: string };
}

const role = async (c: Ctx, permissions: string[] = ['Asset Management']) =>
  (await created(await call(c, 'POST', '/iam/roles', { body: { name: uniq('role-'), permissions } }), 'create role')) as { id: string };
const assetType = async (c: Ctx, name = uniq('at-')) =>
  created(await call(c, 'POST', '/nbapi/ei/v1/assetTypes', { body: { name, connectionType: 'MQTT' } }), 'create asset type');

// ---- iam face and EI northbound API (EI envelope: { status, error, code, message }) ----

const iamCases: Cases = {
  'POST /iam/tenants': {
    TENANT_NAME_TAKEN: async (c) => {
      const name = uniq('tenant-');
      await created(await call(c, 'POST', '/iam/tenants', { body: { name } }), 'create tenant');
      return call(c, 'POST', '/iam/tenants', { body: { name } });
    },
    PLATFORM_ADMIN_REQUIRED: (c) => call(c, 'POST', '/iam/tenants', { token: c.tenantAdmin.token, body: { name: uniq('tenant-') } }),
  },
  'POST /iam/orgs': {
    TENANT_NAME_TAKEN: async (c) => {
      const name = uniq('org-');
      await created(await call(c, 'POST', '/iam/orgs', { body: { name } }), 'create org');
      return call(c, 'POST', '/iam/orgs', { body: { name } });
    },
  },
  'GET /iam/orgs/:id': {
    TENANT_NOT_FOUND: (c) => call(c, 'GET', `/iam/orgs/${NIL}`),
  },
  'DELETE /iam/orgs/:id': {
    TENANT_NOT_FOUND: (c) => call(c, 'DELETE', `/iam/orgs/${NIL}`),
    ORG_HAS_CHILDREN: async (c) => {
      const parent = await c.t.createOrg(c.tenant);
      await c.t.createOrg(parent.id);
      return call(c, 'DELETE', `/iam/orgs/${parent.id}`);
    },
  },
  'DELETE /iam/sessions/:id': {
    SESSION_NOT_FOUND: (c) => call(c, 'DELETE', '/iam/sessions/no-such-session'),
  },
  'GET /iam/audit': {
    AUDIT_QUERY_INVALID: (c) => call(c, 'GET', '/iam/audit', { query: { from: '2030-02-01T00:00:00Z', to: '2030-01-01T00:00:00Z' } }),
  },
  'POST /iam/users': {
    PASSWORD_TOO_WEAK: (c) => call(c, 'POST', '/iam/users', { body: { username: uniq('u-'), password: 'short' } }),
    ROLE_NOT_FOUND: (c) =>
      call(c, 'POST', '/iam/users', { body: { username: uniq('u-'), password: 'long-enough-password', roles: ['No Such Role'] } }),
    USERNAME_TAKEN: async (c) => {
      const u = await c.t.createUser(c.tenant, []);
      return call(c, 'POST', '/iam/users', { body: { username: u.username, password: 'long-enough-password' } });
    },
  },
  'GET /iam/users/:userId': {
    USER_NOT_FOUND: (c) => call(c, 'GET', `/iam/users/${NIL}`),
  },
  'DELETE /iam/users/:userId': {
    USER_NOT_FOUND: (c) => call(c, 'DELETE', `/iam/users/${NIL}`),
    USER_SELF_DELETE: (c) => call(c, 'DELETE', `/iam/users/${c.tenantAdmin.id}`, { token: c.tenantAdmin.token }),
  },
  'PUT /iam/users/:userId/roles/:role': {
    USER_NOT_FOUND: (c) => call(c, 'PUT', `/iam/users/${NIL}/roles/Operator`),
    ROLE_NOT_FOUND: async (c) => {
      const u = await c.t.createUser(c.tenant, []);
      return call(c, 'PUT', `/iam/users/${u.id}/roles/${randomUUID()}`);
    },
  },
  'DELETE /iam/users/:userId/roles/:role': {
    ROLE_ASSIGNMENT_NOT_FOUND: async (c) => {
      const u = await c.t.createUser(c.tenant, ['Operator']);
      return call(c, 'DELETE', `/iam/users/${u.id}/roles/${encodeURIComponent('Asset Expert')}`);
    },
  },
  'GET /iam/roles/:role': {
    ROLE_NOT_FOUND: (c) => call(c, 'GET', `/iam/roles/${randomUUID()}`),
  },
  'POST /iam/roles': {
    PERMISSION_UNKNOWN: (c) => call(c, 'POST', '/iam/roles', { body: { name: uniq('role-'), permissions: ['Root'] } }),
    ROLE_NAME_TAKEN: (c) => call(c, 'POST', '/iam/roles', { body: { name: 'Operator', permissions: [] } }),
  },
  'PATCH /iam/roles/:role': {
    ROLE_NOT_FOUND: (c) => call(c, 'PATCH', `/iam/roles/${randomUUID()}`, { body: { permissions: [] } }),
    ROLE_BUILT_IN: (c) => call(c, 'PATCH', '/iam/roles/Operator', { body: { permissions: [] } }),
    PERMISSION_UNKNOWN: async (c) => call(c, 'PATCH', `/iam/roles/${(await role(c)).id}`, { body: { permissions: ['Root'] } }),
    ROLE_NAME_TAKEN: async (c) => {
      const taken = uniq('role-');
      await created(await call(c, 'POST', '/iam/roles', { body: { name: taken, permissions: [] } }), 'create role');
      return call(c, 'PATCH', `/iam/roles/${(await role(c)).id}`, { body: { name: taken } });
    },
  },
  'DELETE /iam/roles/:role': {
    ROLE_NOT_FOUND: (c) => call(c, 'DELETE', `/iam/roles/${randomUUID()}`),
    ROLE_BUILT_IN: (c) => call(c, 'DELETE', '/iam/roles/Operator'),
    ROLE_IN_USE: async (c) => {
      const r = await role(c);
      await c.t.createUser(c.tenant, [r.id]);
      return call(c, 'DELETE', `/iam/roles/${r.id}`);
    },
  },
  'POST /iam/api-keys': {
    API_KEY_NAME_INVALID: (c) => call(c, 'POST', '/iam/api-keys', { body: { name: 'no spaces allowed', roles: ['Operator'] } }),
    API_KEY_EXPIRY_INVALID: (c) => call(c, 'POST', '/iam/api-keys', { body: { name: uniq('k-'), roles: ['Operator'], expiresInDays: 7 } }),
    API_KEY_ROLES_REQUIRED: (c) => call(c, 'POST', '/iam/api-keys', { body: { name: uniq('k-'), roles: [] } }),
    ROLE_NOT_FOUND: (c) => call(c, 'POST', '/iam/api-keys', { body: { name: uniq('k-'), roles: ['No Such Role'] } }),
    API_KEY_NAME_TAKEN: async (c) => {
      const k = await c.t.createApiKey(c.tenant, ['Operator']);
      return call(c, 'POST', '/iam/api-keys', { body: { name: k.name, roles: ['Operator'] } });
    },
  },
  'GET /iam/api-keys/:key': {
    API_KEY_NOT_FOUND: (c) => call(c, 'GET', `/iam/api-keys/${randomUUID()}`),
  },
  'DELETE /iam/api-keys/:key': {
    API_KEY_NOT_FOUND: (c) => call(c, 'DELETE', `/iam/api-keys/${randomUUID()}`),
  },
  'POST /nbapi/ei/v1/agents': {
    AGENT_NAME_TAKEN: async (c) => {
      const name = uniq('agent-');
      await created(await call(c, 'POST', '/nbapi/ei/v1/agents', { body: { name } }), 'register agent');
      return call(c, 'POST', '/nbapi/ei/v1/agents', { body: { name } });
    },
  },
  'DELETE /nbapi/ei/v1/agents/:agentId': {
    AGENT_NOT_FOUND: (c) => call(c, 'DELETE', `/nbapi/ei/v1/agents/${randomUUID()}`),
  },
  'POST /nbapi/ei/v1/assetTypes': {
    ASSET_TYPE_NAME_TAKEN: async (c) => {
      const name = uniq('at-');
      await assetType(c, name);
      return call(c, 'POST', '/nbapi/ei/v1/assetTypes', { body: { name, connectionType: 'MODBUS_TCP' } });
    },
  },
  'GET /nbapi/ei/v1/assetTypes/:assetTypeId': {
    ASSET_TYPE_NOT_FOUND: (c) => call(c, 'GET', `/nbapi/ei/v1/assetTypes/${randomUUID()}`),
  },
  'PUT /nbapi/ei/v1/assetTypes/:assetTypeId': {
    ASSET_TYPE_NOT_FOUND: (c) =>
      call(c, 'PUT', `/nbapi/ei/v1/assetTypes/${randomUUID()}`, { body: { name: uniq('at-'), connectionType: 'MQTT' } }),
    ASSET_TYPE_NAME_TAKEN: async (c) => {
      const taken = uniq('at-');
      await assetType(c, taken);
      const mine = await assetType(c);
      return call(c, 'PUT', `/nbapi/ei/v1/assetTypes/${mine.id}`, { body: { name: taken, connectionType: 'MQTT' } });
    },
  },
  'DELETE /nbapi/ei/v1/assetTypes/:assetTypeId': {
    ASSET_TYPE_NOT_FOUND: (c) => call(c, 'DELETE', `/nbapi/ei/v1/assetTypes/${randomUUID()}`),
  },
};

// ---- ARM face (ARM envelope: { error: { code, message } }) ----

/** The ARM wire code each catalogue code is answered with (spec/arm-iothub-dps-keys.md §7.3 and faces/arm/errors.ts). */
const ARM_WIRE: Partial<Record<ErrorCode, string>> = {
  AUTH_MISSING: 'AuthenticationFailed',
  PERMISSION_DENIED: 'AuthorizationFailed',
  ARM_API_VERSION_INVALID: 'InvalidApiVersionParameter',
  IOT_RESOURCE_NOT_FOUND: 'ResourceNotFound',
  IOT_KEY_NAME_NOT_FOUND: 'KeyNameNotFound',
  IOT_NAME_UNAVAILABLE: 'NameUnavailable',
  IOT_PRECONDITION_FAILED: 'PreconditionFailed',
  IOT_BODY_INVALID: 'InvalidRequestContent',
  IOT_LOCATION_REQUIRED: 'LocationRequired',
  IOT_SKU_INVALID: 'InvalidSku',
  IOT_RIGHTS_INVALID: 'InvalidAccessRights',
  IOT_KEY_NAME_DUPLICATE: 'DuplicateKeyName',
  IOT_TOO_MANY_POLICIES: 'TooManyAuthorizationPolicies',
  IOT_KEY_INVALID: 'InvalidKey',
};

interface ArmKind {
  collection: 'IotHubs' | 'provisioningServices';
  nameParam: string;
  keysSegment: string;
  apiVersion: string;
  rights: string;
  defaultKey: string;
  resource: (c: Ctx) => string;
}

const HUB: ArmKind = {
  collection: 'IotHubs',
  nameParam: 'resourceName',
  keysSegment: 'IotHubKeys',
  apiVersion: '2023-06-30',
  rights: 'RegistryRead',
  defaultKey: 'iothubowner',
  resource: (c) => c.hub,
};
const DPS: ArmKind = {
  collection: 'provisioningServices',
  nameParam: 'provisioningServiceName',
  keysSegment: 'keys',
  apiVersion: '2022-02-05',
  rights: 'ServiceConfig',
  defaultKey: 'provisioningserviceowner',
  resource: (c) => c.dps,
};

const validBody = () => ({ location: 'westus', sku: { name: 'S1', capacity: 1 } });

function armCases(k: ArmKind): Cases {
  const base = `/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.Devices/${k.collection}`;
  const one = `${base}/:${k.nameParam}`;
  const routes: [method: 'GET' | 'POST' | 'PUT' | 'DELETE', template: string][] = [
    ['PUT', one],
    ['GET', one],
    ['DELETE', one],
    ['GET', base],
    ['GET', `/subscriptions/:subscriptionId/providers/Microsoft.Devices/${k.collection}`],
    ['POST', `${one}/listkeys`],
    ['GET', `${one}/listkeys`],
    ['POST', `${one}/${k.keysSegment}/:keyName/listkeys`],
  ];
  /** The template with the fixture's tenant, resource group `rg`, resource and default policy filled in. */
  const url = (c: Ctx, template: string, o: { name?: string; keyName?: string; apiVersion?: string } = {}) =>
    template
      .replace(':subscriptionId', c.tenant)
      .replace(':resourceGroupName', 'rg')
      .replace(`:${k.nameParam}`, o.name ?? k.resource(c))
      .replace(':keyName', o.keyName ?? k.defaultKey) + `?api-version=${o.apiVersion ?? k.apiVersion}`;
  const put = (c: Ctx, body: unknown, o: { name?: string; headers?: Record<string, string> } = {}) =>
    c.t.req('PUT', url(c, one, { name: o.name ?? uniq('res') }), { token: c.admin, body, headers: o.headers });
  const policy = (extra: Record<string, unknown> = {}) => ({ keyName: 'p1', rights: k.rights, ...extra });
  const withPolicies = (authorizationPolicies: unknown) => ({ ...validBody(), properties: { authorizationPolicies } });

  const cases: Cases = {};
  for (const [method, template] of routes) {
    // Each route's body is one it would accept, so only the credential or the api-version is wrong.
    const body = method === 'PUT' ? validBody() : undefined;
    const fresh = method === 'PUT' ? { name: uniq('res') } : {};
    cases[`${method} ${template}`] = {
      AUTH_MISSING: (c) => c.t.req(method, url(c, template, fresh), { body }),
      PERMISSION_DENIED: (c) => c.t.req(method, url(c, template, fresh), { token: c.operator, body }),
      ARM_API_VERSION_INVALID: (c) => c.t.req(method, url(c, template, { ...fresh, apiVersion: '1999-01-01' }), { token: c.admin, body }),
    };
  }
  const missing =
    (method: 'GET' | 'POST' | 'DELETE', template: string): Case =>
    (c) =>
      c.t.req(method, url(c, template, { name: uniq('missing') }), { token: c.admin });
  Object.assign(cases[`PUT ${one}`]!, {
    IOT_BODY_INVALID: (c) => put(c, { ...validBody(), properties: 'not an object' }),
    IOT_SKU_INVALID: (c) => put(c, { location: 'westus', sku: { name: 'Z9' } }),
    IOT_LOCATION_REQUIRED: (c) => put(c, { sku: { name: 'S1' } }),
    IOT_RIGHTS_INVALID: (c) => put(c, withPolicies([policy({ rights: 'Everything' })])),
    IOT_KEY_NAME_DUPLICATE: (c) => put(c, withPolicies([policy({ keyName: 'twice' }), policy({ keyName: 'TWICE' })])),
    IOT_TOO_MANY_POLICIES: (c) => put(c, withPolicies(Array.from({ length: MAX_POLICIES + 1 }, (_, i) => policy({ keyName: `p${i}` })))),
    IOT_KEY_INVALID: (c) => put(c, withPolicies([policy({ primaryKey: 'not base64 at all!' })])),
    // names are global per kind: the fixture's resource name, in another resource group
    IOT_NAME_UNAVAILABLE: (c) =>
      c.t.req('PUT', url(c, one).replace('/resourceGroups/rg/', '/resourceGroups/other-rg/'), { token: c.admin, body: validBody() }),
    IOT_PRECONDITION_FAILED: (c) => put(c, validBody(), { headers: { 'if-match': '"stale-etag"' } }),
  } satisfies Partial<Record<ErrorCode, Case>>);
  cases[`GET ${one}`]!.IOT_RESOURCE_NOT_FOUND = missing('GET', one);
  cases[`DELETE ${one}`]!.IOT_RESOURCE_NOT_FOUND = missing('DELETE', one);
  cases[`POST ${one}/listkeys`]!.IOT_RESOURCE_NOT_FOUND = missing('POST', `${one}/listkeys`);
  cases[`GET ${one}/listkeys`]!.IOT_RESOURCE_NOT_FOUND = missing('GET', `${one}/listkeys`);
  const keyRoute = `${one}/${k.keysSegment}/:keyName/listkeys`;
  cases[`POST ${keyRoute}`]!.IOT_RESOURCE_NOT_FOUND = missing('POST', keyRoute);
  cases[`POST ${keyRoute}`]!.IOT_KEY_NAME_NOT_FOUND = (c) =>
    c.t.req('POST', url(c, keyRoute, { keyName: 'no-such-policy' }), { token: c.admin });
  return cases;
}

const CASES: Cases = { ...iamCases, ...armCases(HUB), ...armCases(DPS) };
const PAIRS = Object.entries(CASES).flatMap(([route, byCode]) => Object.keys(byCode).map((code) => [route, code as ErrorCode] as const));

/** A catalogue message template as a pattern: `{name}` placeholders match anything. */
const template = (code: ErrorCode) =>
  new RegExp(`^${ERRORS[code].message.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '.*')}$`, 's');

function expectEnvelope(route: string, code: ErrorCode, res: LightMyRequestResponse): void {
  const status = ERRORS[code].status;
  expect(res.statusCode, res.body.slice(0, 400)).toBe(status);
  const body = res.json() as Record<string, unknown>;
  if (route.includes(' /subscriptions/')) {
    const error = body.error as { code: string; message: string };
    expect(ARM_WIRE[code], `no ARM wire code listed for ${code}`).toBeDefined();
    expect(error.code).toBe(ARM_WIRE[code]);
    // where the ARM face answers with the catalogue text, it is that code's template
    if (/^(IOT|ARM)_/.test(code)) expect(error.message).toMatch(template(code));
  } else {
    expect(body).toMatchObject({ status, code });
  }
}

describe('declared error codes', () => {
  it('every (route, code) a route declares has a case here, and every case is for a declared pair', async () => {
    const t = await makeTestApp();
    try {
      const declared = routeTable(t.app).flatMap((r) => r.errorCodes.map((code) => `${r.method} ${r.url} ${code}`));
      const covered = PAIRS.map(([route, code]) => `${route} ${code}`);
      expect(declared.length).toBeGreaterThan(100);
      expect(
        declared.filter((p) => !covered.includes(p)),
        'declared without a case',
      ).toEqual([]);
      expect(
        covered.filter((p) => !declared.includes(p)),
        'case for a code the route does not declare',
      ).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe.each(['sqlite', 'postgres'] as const)('every declared error code over HTTP (%s)', (dialect) => {
  let c: Ctx;

  beforeAll(async () => {
    const t = await makeTestApp({ dialect });
    const tenant = (await t.createTenant(undefined, { ei: true })).id;
    const ta = await t.createUser(tenant, ['Tenant Admin']);
    const op = await t.createUser(tenant, ['Operator']);
    c = {
      t,
      tenant,
      admin: await t.adminToken(),
      tenantAdmin: { id: ta.id, token: (await t.login(ta.username, ta.password)).access_token },
      operator: (await t.login(op.username, op.password)).access_token,
      hub: uniq('hub'),
      dps: uniq('dps'),
    };
    for (const [k, name] of [
      [HUB, c.hub],
      [DPS, c.dps],
    ] as const) {
      const url = `/subscriptions/${tenant}/resourceGroups/rg/providers/Microsoft.Devices/${k.collection}/${name}?api-version=${k.apiVersion}`;
      const res = await t.req('PUT', url, { token: c.admin, body: validBody() });
      if (res.statusCode !== 201) throw new Error(`create ${k.collection}/${name}: ${res.statusCode} ${res.body}`);
    }
  });
  afterAll(async () => c?.t.close());

  it.each(PAIRS)('%s answers %s', async (route, code) => {
    expectEnvelope(route, code, await CASES[route]![code]!(c));
  });
});
