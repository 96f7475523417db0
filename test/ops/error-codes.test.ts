import { randomBytes, randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../../src/http/route.js';
import { ERRORS, type ErrorCode } from '../../src/errors/catalog.js';
import { MAX_POLICIES } from '../../src/domain/iot.js';
import { makeTestApp, type Req, type TestApp } from '../harness.js';
import { ROLES } from '../faces/central/helpers.js';
import { OAUTH_ERROR } from '../../src/http/faces/iam/token.js';

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
  /** An IoT Central app in resource group `rg` of `tenant`, with organization `org` and API token `token` (Operator). */
  central: { id: string; name: string; subdomain: string; org: string; token: string };
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
/** As the Tenant Admin who is not the platform administrator: it holds no EI permission to grant. */
const asTenantAdmin = (c: Ctx, method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
  call(c, method, url, { token: c.tenantAdmin.token, body });
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
    PERMISSION_ESCALATION: (c) =>
      asTenantAdmin(c, 'POST', '/iam/users', { username: uniq('u-'), password: 'long-enough-password', roles: ['EI Admin'] }),
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
    PERMISSION_ESCALATION: async (c) => asTenantAdmin(c, 'PUT', `/iam/users/${(await c.t.createUser(c.tenant, [])).id}/roles/Operator`),
  },
  'DELETE /iam/users/:userId/roles/:role': {
    ROLE_ASSIGNMENT_NOT_FOUND: async (c) => {
      const u = await c.t.createUser(c.tenant, ['Operator']);
      return call(c, 'DELETE', `/iam/users/${u.id}/roles/${encodeURIComponent('Asset Expert')}`);
    },
    PERMISSION_ESCALATION: async (c) =>
      asTenantAdmin(c, 'DELETE', `/iam/users/${(await c.t.createUser(c.tenant, ['Operator'])).id}/roles/Operator`),
  },
  'GET /iam/roles/:role': {
    ROLE_NOT_FOUND: (c) => call(c, 'GET', `/iam/roles/${randomUUID()}`),
  },
  'POST /iam/roles': {
    PERMISSION_UNKNOWN: (c) => call(c, 'POST', '/iam/roles', { body: { name: uniq('role-'), permissions: ['Root'] } }),
    ROLE_NAME_TAKEN: (c) => call(c, 'POST', '/iam/roles', { body: { name: 'Operator', permissions: [] } }),
    PERMISSION_ESCALATION: (c) => asTenantAdmin(c, 'POST', '/iam/roles', { name: uniq('role-'), permissions: ['Asset Management'] }),
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
    PERMISSION_ESCALATION: async (c) =>
      asTenantAdmin(c, 'PATCH', `/iam/roles/${(await role(c, ['IoT Hub Read'])).id}`, { permissions: ['Asset Management'] }),
  },
  'DELETE /iam/roles/:role': {
    ROLE_NOT_FOUND: (c) => call(c, 'DELETE', `/iam/roles/${randomUUID()}`),
    ROLE_BUILT_IN: (c) => call(c, 'DELETE', '/iam/roles/Operator'),
    ROLE_IN_USE: async (c) => {
      const r = await role(c);
      await c.t.createUser(c.tenant, [r.id]);
      return call(c, 'DELETE', `/iam/roles/${r.id}`);
    },
    PERMISSION_ESCALATION: async (c) => asTenantAdmin(c, 'DELETE', `/iam/roles/${(await role(c)).id}`),
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
    PERMISSION_ESCALATION: (c) => asTenantAdmin(c, 'POST', '/iam/api-keys', { name: uniq('k-'), roles: ['Operator'] }),
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
  CENTRAL_SUBDOMAIN_INVALID: 'InvalidSubdomain',
  CENTRAL_SUBDOMAIN_UNAVAILABLE: 'SubdomainUnavailable',
  CENTRAL_TEMPLATE_CHANGED: 'InvalidTemplate',
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

// ---- IoT Central: ARM Microsoft.IoTCentral/iotApps (ARM envelope) ----

const CENTRAL_ARM_API = '2021-06-01';
const validApp = () => ({ location: 'westus', sku: { name: 'ST1' } });
const GUID_SUBDOMAIN = '3f1c9a52-0c1e-4d7e-9a55-2b8f0e6d4c11';

function centralArmCases(): Cases {
  const sub = '/subscriptions/:subscriptionId/providers/Microsoft.IoTCentral';
  const base = '/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.IoTCentral/iotApps';
  const one = `${base}/:resourceName`;
  type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  const routes: [method: Method, template: string, body: () => unknown][] = [
    ['PUT', one, validApp],
    ['PATCH', one, () => ({ tags: { patched: 'yes' } })],
    ['GET', one, () => undefined],
    ['DELETE', one, () => undefined],
    ['GET', base, () => undefined],
    ['GET', `${sub}/iotApps`, () => undefined],
    ['POST', `${sub}/checkNameAvailability`, () => ({ name: uniq('free') })],
    ['POST', `${sub}/checkSubdomainAvailability`, () => ({ name: uniq('free') })],
  ];
  /** The template with the fixture's tenant, resource group `rg` and app filled in. */
  const url = (c: Ctx, template: string, o: { name?: string; rg?: string; apiVersion?: string } = {}) =>
    template
      .replace(':subscriptionId', c.tenant)
      .replace(':resourceGroupName', o.rg ?? 'rg')
      .replace(':resourceName', o.name ?? c.central.name) + `?api-version=${o.apiVersion ?? CENTRAL_ARM_API}`;
  const send = (c: Ctx, method: 'PUT' | 'PATCH', body: unknown, o: { name?: string; rg?: string } = {}) =>
    c.t.req(method, url(c, one, o), { token: c.admin, body });
  const put = (c: Ctx, body: unknown, o: { name?: string; rg?: string } = {}) => send(c, 'PUT', body, { name: uniq('app'), ...o });
  const patch = (c: Ctx, body: unknown, o: { name?: string } = {}) => send(c, 'PATCH', body, o);

  const cases: Cases = {};
  for (const [method, template, body] of routes) {
    // Each route's body is one it would accept, so only the credential or the api-version is wrong.
    const fresh = method === 'PUT' ? { name: uniq('app') } : {};
    cases[`${method} ${template}`] = {
      AUTH_MISSING: (c) => c.t.req(method, url(c, template, fresh), { body: body() }),
      PERMISSION_DENIED: (c) => c.t.req(method, url(c, template, fresh), { token: c.operator, body: body() }),
      ARM_API_VERSION_INVALID: (c) =>
        c.t.req(method, url(c, template, { ...fresh, apiVersion: '1999-01-01' }), { token: c.admin, body: body() }),
    };
  }
  const missing =
    (method: 'GET' | 'DELETE'): Case =>
    (c) =>
      c.t.req(method, url(c, one, { name: uniq('missing') }), { token: c.admin });
  Object.assign(cases[`PUT ${one}`]!, {
    IOT_BODY_INVALID: (c) => put(c, { ...validApp(), properties: 'not an object' }),
    IOT_SKU_INVALID: (c) => put(c, { location: 'westus', sku: { name: 'ST9' } }),
    IOT_LOCATION_REQUIRED: (c) => put(c, { sku: { name: 'ST1' } }),
    CENTRAL_SUBDOMAIN_INVALID: (c) => put(c, { ...validApp(), properties: { subdomain: GUID_SUBDOMAIN } }),
    // an update of the fixture app that names another template
    CENTRAL_TEMPLATE_CHANGED: (c) => put(c, { ...validApp(), properties: { template: 'iotc-other' } }, { name: c.central.name }),
    // names are global: the fixture's app name, in another resource group
    IOT_NAME_UNAVAILABLE: (c) => put(c, validApp(), { name: c.central.name, rg: 'other-rg' }),
    CENTRAL_SUBDOMAIN_UNAVAILABLE: (c) => put(c, { ...validApp(), properties: { subdomain: c.central.subdomain } }),
  } satisfies Partial<Record<ErrorCode, Case>>);
  Object.assign(cases[`PATCH ${one}`]!, {
    IOT_BODY_INVALID: (c) => patch(c, { tags: ['not', 'an', 'object'] }),
    IOT_SKU_INVALID: (c) => patch(c, { sku: { name: 'ST9' } }),
    IOT_RESOURCE_NOT_FOUND: (c) => patch(c, { tags: {} }, { name: uniq('missing') }),
    CENTRAL_SUBDOMAIN_INVALID: (c) => patch(c, { properties: { subdomain: GUID_SUBDOMAIN } }),
    CENTRAL_SUBDOMAIN_UNAVAILABLE: async (c) => {
      const other = await put(c, validApp());
      await created(other, 'create app');
      return patch(c, { properties: { subdomain: (other.json() as { properties: { subdomain: string } }).properties.subdomain } });
    },
    CENTRAL_TEMPLATE_CHANGED: (c) => patch(c, { properties: { template: 'iotc-other' } }),
  } satisfies Partial<Record<ErrorCode, Case>>);
  cases[`GET ${one}`]!.IOT_RESOURCE_NOT_FOUND = missing('GET');
  cases[`DELETE ${one}`]!.IOT_RESOURCE_NOT_FOUND = missing('DELETE');
  for (const check of ['checkNameAvailability', 'checkSubdomainAvailability']) {
    cases[`POST ${sub}/${check}`]!.IOT_BODY_INVALID = (c) =>
      c.t.req('POST', url(c, `${sub}/${check}`), { token: c.admin, body: { name: uniq('free'), type: 'NotIoTApps' } });
  }
  return cases;
}

// ---- IoT Central data plane (Central envelope: { error: { code, message, requestId, time } } and x-ms-error-code) ----

/** The Central wire code each catalogue code is answered with (spec/iot-central-api-tokens.md §8 and faces/central/errors.ts). */
const CENTRAL_WIRE: Partial<Record<ErrorCode, string>> = {
  CENTRAL_APP_NOT_FOUND: 'NotFound',
  CENTRAL_UNAUTHENTICATED: 'Unauthenticated',
  CENTRAL_API_VERSION_INVALID: 'BadRequest',
  CENTRAL_FORBIDDEN: 'Forbidden',
  CENTRAL_TOKEN_ID_INVALID: 'BadRequest',
  CENTRAL_TOKEN_NOT_FOUND: 'NotFound',
  CENTRAL_TOKEN_EXISTS: 'Conflict',
  CENTRAL_EXPIRY_INVALID: 'BadRequest',
  CENTRAL_ROLE_UNKNOWN: 'BadRequest',
  CENTRAL_ROLE_NEEDS_ORG: 'BadRequest',
  CENTRAL_ROLE_APP_SCOPED: 'BadRequest',
  CENTRAL_ORG_UNKNOWN: 'BadRequest',
  CENTRAL_ROLE_ESCALATION: 'Forbidden',
  CENTRAL_ROLE_NOT_FOUND: 'NotFound',
  CENTRAL_ROLE_EXISTS: 'Conflict',
  CENTRAL_ROLE_ID_INVALID: 'BadRequest',
  CENTRAL_ROLE_PERMISSION_INVALID: 'BadRequest',
  CENTRAL_ORG_ID_INVALID: 'BadRequest',
  CENTRAL_ORG_NOT_FOUND: 'NotFound',
  CENTRAL_ORG_EXISTS: 'Conflict',
  CENTRAL_ORG_PARENT_UNKNOWN: 'BadRequest',
  CENTRAL_ORG_HAS_CHILDREN: 'Conflict',
  CENTRAL_ORG_IN_USE: 'Conflict',
};

const CENTRAL_API = '2022-07-31';
/** Built-in role ids (spec §5): the same in every app. */
const { admin: ADMINISTRATOR, operator: OPERATOR, orgViewer: ORG_VIEWER } = ROLES;

interface CentralReq {
  /** Authorization header; default: the platform administrator's Bearer token (Administrator in the app). */
  auth?: string | null;
  body?: unknown;
  /** App label; default: the fixture app's id. */
  app?: string;
  apiVersion?: string;
}

/** A data-plane call: /central/{app}/api/{path}. */
const dp = (c: Ctx, method: 'GET' | 'PUT' | 'DELETE', path: string, r: CentralReq = {}) => {
  const auth = r.auth === undefined ? `Bearer ${c.admin}` : r.auth;
  return c.t.req(method, `/central/${r.app ?? c.central.id}/api/${path}?api-version=${r.apiVersion ?? CENTRAL_API}`, {
    headers: auth === null ? {} : { authorization: auth },
    body: r.body,
  });
};

async function centralToken(c: Ctx, roles: { role: string; organization?: string }[], auth?: string): Promise<string> {
  const res = await dp(c, 'PUT', `apiTokens/${uniq('tok-')}`, { auth, body: { roles } });
  if (res.statusCode !== 200) throw new Error(`create token: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}
async function centralOrg(c: Ctx, body: Record<string, unknown> = {}): Promise<string> {
  const id = uniq('org-');
  const res = await dp(c, 'PUT', `organizations/${id}`, { body });
  if (res.statusCode !== 200) throw new Error(`create organization: ${res.statusCode} ${res.body}`);
  return id;
}

function centralCases(): Cases {
  const P = '/central/:appId/api';
  type Method = 'GET' | 'PUT' | 'DELETE';
  // Each route with a request it would accept from an Administrator: the common cases change only the app, credential or api-version.
  const routes: [method: Method, template: string, path: (c: Ctx) => string, body?: () => unknown][] = [
    ['GET', '/apiTokens', () => 'apiTokens'],
    ['PUT', '/apiTokens/:tokenId', () => `apiTokens/${uniq('tok-')}`, () => ({ roles: [{ role: OPERATOR }] })],
    ['GET', '/apiTokens/:tokenId', (c) => `apiTokens/${c.central.token}`],
    ['DELETE', '/apiTokens/:tokenId', (c) => `apiTokens/${c.central.token}`],
    ['GET', '/roles', () => 'roles'],
    ['GET', '/roles/:roleId', () => `roles/${OPERATOR}`],
    ['PUT', '/roles/:roleId', () => `roles/${randomUUID()}`, () => ({ displayName: uniq('role-'), permissions: ['roles.read'] })],
    ['GET', '/organizations', () => 'organizations'],
    ['GET', '/organizations/:organizationId', (c) => `organizations/${c.central.org}`],
    ['PUT', '/organizations/:organizationId', () => `organizations/${uniq('org-')}`, () => ({})],
    ['DELETE', '/organizations/:organizationId', (c) => `organizations/${c.central.org}`],
  ];
  const cases: Cases = {};
  for (const [method, template, path, body] of routes) {
    const call = (c: Ctx, r: CentralReq) => dp(c, method, path(c), { body: body?.(), ...r });
    cases[`${method} ${P}${template}`] = {
      CENTRAL_APP_NOT_FOUND: (c) => call(c, { app: NIL }),
      CENTRAL_UNAUTHENTICATED: (c) => call(c, { auth: null }),
      CENTRAL_API_VERSION_INVALID: (c) => call(c, { apiVersion: '1999-01-01' }),
      // a member of the tenant without IoT Central Administration holds no role in the app
      CENTRAL_FORBIDDEN: (c) => call(c, { auth: `Bearer ${c.operator}` }),
    };
  }
  const route = (key: string) => cases[`${key.split(' ')[0]} ${P}${key.split(' ')[1]}`]!;
  const putToken = (c: Ctx, body: unknown, o: { id?: string; auth?: string } = {}) =>
    dp(c, 'PUT', `apiTokens/${o.id ?? uniq('tok-')}`, { body, auth: o.auth });
  Object.assign(route('PUT /apiTokens/:tokenId'), {
    CENTRAL_TOKEN_ID_INVALID: (c) => putToken(c, { roles: [{ role: OPERATOR }] }, { id: 'no_underscores' }),
    CENTRAL_ROLE_UNKNOWN: (c) => putToken(c, { roles: [{ role: randomUUID() }] }),
    CENTRAL_ROLE_NEEDS_ORG: (c) => putToken(c, { roles: [{ role: ORG_VIEWER }] }),
    CENTRAL_ROLE_APP_SCOPED: (c) => putToken(c, { roles: [{ role: OPERATOR, organization: c.central.org }] }),
    CENTRAL_ORG_UNKNOWN: (c) => putToken(c, { roles: [{ role: ORG_VIEWER, organization: 'no-such-org' }] }),
    CENTRAL_EXPIRY_INVALID: (c) => putToken(c, { roles: [{ role: OPERATOR }], expiry: new Date(c.t.clock.now() - 60_000).toISOString() }),
    CENTRAL_TOKEN_EXISTS: (c) => putToken(c, { roles: [{ role: OPERATOR }] }, { id: c.central.token }),
    // a token of a custom role holding apiTokens.write only cannot grant Administrator
    CENTRAL_ROLE_ESCALATION: async (c) => {
      const roleId = randomUUID();
      const r = await dp(c, 'PUT', `roles/${roleId}`, { body: { displayName: uniq('writer-'), permissions: ['apiTokens.write'] } });
      if (r.statusCode !== 200) throw new Error(`create role: ${r.statusCode} ${r.body}`);
      return putToken(c, { roles: [{ role: ADMINISTRATOR }] }, { auth: await centralToken(c, [{ role: roleId }]) });
    },
  } satisfies Partial<Record<ErrorCode, Case>>);
  for (const method of ['GET', 'DELETE'] as const) {
    Object.assign(route(`${method} /apiTokens/:tokenId`), {
      CENTRAL_TOKEN_ID_INVALID: (c) => dp(c, method, 'apiTokens/no_underscores'),
      CENTRAL_TOKEN_NOT_FOUND: (c) => dp(c, method, `apiTokens/${uniq('missing-')}`),
    } satisfies Partial<Record<ErrorCode, Case>>);
  }
  route('GET /roles/:roleId').CENTRAL_ROLE_NOT_FOUND = (c) => dp(c, 'GET', `roles/${randomUUID()}`);
  Object.assign(route('PUT /roles/:roleId'), {
    // built-in ids are taken in every app
    CENTRAL_ROLE_ID_INVALID: (c) => dp(c, 'PUT', `roles/${OPERATOR}`, { body: { displayName: 'x', permissions: [] } }),
    CENTRAL_ROLE_PERMISSION_INVALID: (c) =>
      dp(c, 'PUT', `roles/${randomUUID()}`, { body: { displayName: 'x', permissions: ['everything'] } }),
    CENTRAL_ROLE_EXISTS: async (c) => {
      const id = randomUUID();
      const first = await dp(c, 'PUT', `roles/${id}`, { body: { displayName: uniq('role-'), permissions: [] } });
      if (first.statusCode !== 200) throw new Error(`create role: ${first.statusCode} ${first.body}`);
      return dp(c, 'PUT', `roles/${id}`, { body: { displayName: uniq('role-'), permissions: [] } });
    },
    CENTRAL_ROLE_ESCALATION: async (c) => {
      const manager = randomUUID();
      const r = await dp(c, 'PUT', `roles/${manager}`, { body: { displayName: uniq('manager-'), permissions: ['roles.write'] } });
      if (r.statusCode !== 200) throw new Error(`create role: ${r.statusCode} ${r.body}`);
      const auth = await centralToken(c, [{ role: manager }]);
      return dp(c, 'PUT', `roles/${randomUUID()}`, { auth, body: { displayName: uniq('minter-'), permissions: ['apiTokens.write'] } });
    },
  } satisfies Partial<Record<ErrorCode, Case>>);
  route('GET /organizations/:organizationId').CENTRAL_ORG_NOT_FOUND = (c) => dp(c, 'GET', `organizations/${uniq('missing-')}`);
  Object.assign(route('PUT /organizations/:organizationId'), {
    CENTRAL_ORG_ID_INVALID: (c) => dp(c, 'PUT', 'organizations/Upper-Case', { body: {} }),
    CENTRAL_ORG_PARENT_UNKNOWN: (c) => dp(c, 'PUT', `organizations/${uniq('org-')}`, { body: { parent: 'no-such-org' } }),
    CENTRAL_ORG_EXISTS: (c) => dp(c, 'PUT', `organizations/${c.central.org}`, { body: {} }),
  } satisfies Partial<Record<ErrorCode, Case>>);
  Object.assign(route('DELETE /organizations/:organizationId'), {
    CENTRAL_ORG_NOT_FOUND: (c) => dp(c, 'DELETE', `organizations/${uniq('missing-')}`),
    CENTRAL_ORG_HAS_CHILDREN: async (c) => {
      const parent = await centralOrg(c);
      await centralOrg(c, { parent });
      return dp(c, 'DELETE', `organizations/${parent}`);
    },
    CENTRAL_ORG_IN_USE: async (c) => {
      const org = await centralOrg(c);
      await centralToken(c, [{ role: ORG_VIEWER, organization: org }]);
      return dp(c, 'DELETE', `organizations/${org}`);
    },
  } satisfies Partial<Record<ErrorCode, Case>>);
  return cases;
}

// ---- OAuth endpoints (OAuth envelope: { error, error_description }) ----

let oauthAddr = 0;
/** A form POST from a client address of its own (the login throttle counts per address). */
const oauthForm = (c: Ctx, url: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  c.t.req('POST', url, {
    body: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    remoteAddress: `10.77.${Math.floor(++oauthAddr / 250)}.${oauthAddr % 250}`,
  });

function oauthClientCases(url: string): Partial<Record<ErrorCode, Case>> {
  return {
    OAUTH_INVALID_REQUEST: async (c) => {
      const k = await c.t.createApiKey(c.tenant, ['Operator']);
      return oauthForm(c, url, { client_id: k.clientId, client_secret: k.secret });
    },
    OAUTH_INVALID_CLIENT: (c) => oauthForm(c, url, { token: 'x', client_id: 'default->no-such-key', client_secret: 'wrong' }),
    // a client_id without its secret (client_secret_post); revocation takes that as a public client
    ...(url.endsWith('/introspect')
      ? { OAUTH_CLIENT_SECRET_MISSING: ((c) => oauthForm(c, url, { token: 'x', client_id: 'default->ci-key' })) satisfies Case }
      : {}),
    OAUTH_THROTTLED: async (c) => {
      const form = { token: 'x', client_id: uniq('ghost-'), client_secret: 'wrong' };
      const from = { remoteAddress: `10.78.0.${++oauthAddr % 250}` };
      const send = () =>
        c.t.req('POST', url, {
          body: new URLSearchParams(form).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          ...from,
        });
      for (let i = 0; i < 6; i++) await send();
      return send();
    },
  };
}

const oauthCases: Cases = {
  'POST /iam/auth/token/introspect': oauthClientCases('/iam/auth/token/introspect'),
  'POST /iam/auth/revoke': oauthClientCases('/iam/auth/revoke'),
  'GET /iam/auth/userinfo': {
    AUTH_MISSING: (c) => c.t.req('GET', '/iam/auth/userinfo'),
    AUTH_INVALID_TOKEN: (c) => c.t.req('GET', '/iam/auth/userinfo', { token: 'a.b.c' }),
  },
  'POST /iam/auth/userinfo': {
    AUTH_MISSING: (c) => c.t.req('POST', '/iam/auth/userinfo'),
    AUTH_INVALID_TOKEN: (c) => c.t.req('POST', '/iam/auth/userinfo', { token: c.admin.slice(0, -4) + 'AAAA' }),
  },
};

const CASES: Cases = { ...iamCases, ...oauthCases, ...armCases(HUB), ...armCases(DPS), ...centralArmCases(), ...centralCases() };
const PAIRS = Object.entries(CASES).flatMap(([route, byCode]) => Object.keys(byCode).map((code) => [route, code as ErrorCode] as const));

/** A catalogue message template as a pattern: `{name}` placeholders match anything. */
const template = (code: ErrorCode) =>
  new RegExp(`^${ERRORS[code].message.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '.*')}$`, 's');

/** RFC 1123, as the Date header (Central's `error.time`). */
const RFC_1123 = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function expectEnvelope(route: string, code: ErrorCode, res: LightMyRequestResponse): void {
  const status = ERRORS[code].status;
  expect(res.statusCode, res.body.slice(0, 400)).toBe(status);
  const body = res.json() as Record<string, unknown>;
  if (route.includes(' /subscriptions/')) {
    const error = body.error as { code: string; message: string };
    expect(ARM_WIRE[code], `no ARM wire code listed for ${code}`).toBeDefined();
    expect(error.code).toBe(ARM_WIRE[code]);
    // where the ARM face answers with the catalogue text, it is that code's template
    if (/^(IOT|ARM|CENTRAL)_/.test(code)) expect(error.message).toMatch(template(code));
  } else if (route.includes(' /central/')) {
    const wire = CENTRAL_WIRE[code];
    expect(wire, `no Central wire code listed for ${code}`).toBeDefined();
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-ms-error-code']).toBe(wire);
    expect(Object.keys(body)).toEqual(['error']);
    // the message is the catalogue text of that very code: it tells apart codes sharing a wire code
    expect(body.error).toEqual({
      code: wire,
      message: expect.stringMatching(template(code)),
      requestId: res.headers['x-ms-request-id'],
      time: expect.stringMatching(RFC_1123),
    });
  } else if (route.includes(' /iam/auth/')) {
    expect(OAUTH_ERROR[code], `no OAuth error code listed for ${code}`).toBeDefined();
    expect(body).toEqual({ error: OAUTH_ERROR[code], error_description: expect.stringMatching(template(code)) });
    if (code.startsWith('AUTH_')) expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="latch"/);
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
      central: { id: '', name: uniq('capp'), subdomain: '', org: uniq('org-'), token: uniq('tok-') },
    };
    for (const [k, name] of [
      [HUB, c.hub],
      [DPS, c.dps],
    ] as const) {
      const url = `/subscriptions/${tenant}/resourceGroups/rg/providers/Microsoft.Devices/${k.collection}/${name}?api-version=${k.apiVersion}`;
      const res = await t.req('PUT', url, { token: c.admin, body: validBody() });
      if (res.statusCode !== 201) throw new Error(`create ${k.collection}/${name}: ${res.statusCode} ${res.body}`);
    }
    const app = await t.req(
      'PUT',
      `/subscriptions/${tenant}/resourceGroups/rg/providers/Microsoft.IoTCentral/iotApps/${c.central.name}?api-version=${CENTRAL_ARM_API}`,
      { token: c.admin, body: validApp() },
    );
    if (app.statusCode !== 201) throw new Error(`create iotApps/${c.central.name}: ${app.statusCode} ${app.body}`);
    const props = (app.json() as { properties: { applicationId: string; subdomain: string } }).properties;
    Object.assign(c.central, { id: props.applicationId, subdomain: props.subdomain });
    const org = await dp(c, 'PUT', `organizations/${c.central.org}`, { body: {} });
    if (org.statusCode !== 200) throw new Error(`create organization: ${org.statusCode} ${org.body}`);
    const token = await dp(c, 'PUT', `apiTokens/${c.central.token}`, { body: { roles: [{ role: OPERATOR }] } });
    if (token.statusCode !== 200) throw new Error(`create API token: ${token.statusCode} ${token.body}`);
  });
  afterAll(async () => c?.t.close());

  it.each(PAIRS)('%s answers %s', async (route, code) => {
    expectEnvelope(route, code, await CASES[route]![code]!(c));
  });
});
