import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable, type RouteEntry } from '../../../src/http/route.js';
import { makeTestApp, type TestApp } from '../../harness.js';

/**
 * Generated from the route table: every route declaring `tenantScoped: true` is called
 *  1. with a foreign tenant in x-tenant-id → 403 TENANT_FORBIDDEN, and
 *  2. in the caller's own tenant with a foreign tenant's resource in each path parameter → 404
 *     whose body tells nothing about that resource.
 * A new tenant-scoped route is picked up automatically; one with a path parameter this file has
 * no fixture for fails until a fixture is added below.
 * Faces whose tenant is in the path (ARM: /subscriptions/{tenantId}/…) get the foreign tenant in
 * the path instead of x-tenant-id and may answer in their own envelope (ARM: AuthorizationFailed);
 * there a foreign resource can only be named through its tenant, so case 1 covers case 2.
 */

interface Fixtures {
  key: string[];
  role: string[];
  userId: string[];
  org: string[];
  session: string[];
  assetTypeId: string[];
  agentId: string[];
}

let t: TestApp;
let caller: string;
let own: { tenant: string } & Record<keyof Fixtures, string>;
let foreign: { tenant: string; secrets: string[] } & Fixtures;

/** Which fixture fills a path parameter of a route. Extend when a new kind of parameter appears. */
function fixtureFor(route: RouteEntry, param: string): keyof Fixtures | undefined {
  if (param === 'id' && route.url.startsWith('/iam/orgs/')) return 'org';
  if (param === 'id' && route.url.startsWith('/iam/sessions/')) return 'session';
  if (['key', 'role', 'userId', 'assetTypeId', 'agentId'].includes(param)) return param as keyof Fixtures;
  return undefined;
}

/** Request bodies that pass validation, so a 404 is about the resource and not the body. */
const BODIES: Record<string, unknown> = {
  'PATCH /iam/roles/:role': { description: 'changed' },
  'PUT /nbapi/ei/v1/assetTypes/:assetTypeId': { name: 'renamed', connectionType: 'MQTT' },
  'POST /iam/api-keys': { name: 'x', roles: ['Operator'] },
  'POST /iam/users': { username: 'x', password: 'password-1' },
  'POST /iam/roles': { name: 'x', permissions: [] },
  'POST /iam/orgs': { name: 'x' },
  'POST /nbapi/ei/v1/assetTypes': { name: 'x', connectionType: 'MQTT' },
  'POST /nbapi/ei/v1/agents': { name: 'x' },
};

const params = (url: string) => [...url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
const fill = (url: string, values: Record<string, string>) =>
  url.replace(/:(\w+)/g, (_, p: string) => encodeURIComponent(values[p] ?? 'x'));
const scoped = () => routeTable(t.app).filter((r) => r.config.tenantScoped);
const TENANT_PARAM = /^(subscriptionId|tenantId)$/;
const tenantInPath = (r: RouteEntry) => params(r.url).some((p) => TENANT_PARAM.test(p));
const FORBIDDEN_CODES = ['TENANT_FORBIDDEN', 'AuthorizationFailed'];

beforeAll(async () => {
  t = await makeTestApp();
  const a = await t.createTenant(undefined, { ei: true });
  const b = await t.createTenant(undefined, { ei: true });
  const admin = await t.adminToken();
  // The caller: Tenant Admin + EI Admin in A, nothing in B. Not the platform administrator.
  const user = await t.createUser(a.id, ['Tenant Admin', 'EI Admin']);
  caller = (await t.login(user.username, user.password)).access_token;

  async function resources(tenantId: string) {
    const key = await t.createApiKey(tenantId, ['Operator']);
    const role = await t.createRole(tenantId, ['Asset Management']);
    const u = await t.createUser(tenantId, ['Operator']);
    const session = (await t.login(u.username, u.password)).session_state;
    const org = await t.createOrg(tenantId);
    const at = (
      await t.req('POST', '/nbapi/ei/v1/assetTypes', {
        token: admin,
        tenant: tenantId,
        body: { name: `at-${tenantId.slice(0, 8)}`, connectionType: 'MQTT' },
      })
    ).json() as { id: string; name: string };
    const ag = (
      await t.req('POST', '/nbapi/ei/v1/agents', {
        token: admin,
        tenant: tenantId,
        body: { name: `agent-${tenantId.slice(0, 8)}`, label: `label-${tenantId.slice(0, 8)}` },
      })
    ).json() as { id: string; name: string };
    return { key, role, u, session, org, at, ag };
  }
  const ro = await resources(a.id);
  const rf = await resources(b.id);
  own = {
    tenant: a.id,
    key: ro.key.id,
    role: ro.role.id,
    userId: ro.u.id,
    org: ro.org.id,
    session: ro.session,
    assetTypeId: ro.at.id,
    agentId: ro.ag.id,
  };
  foreign = {
    tenant: b.id,
    key: [rf.key.id, rf.key.name],
    role: [rf.role.id, rf.role.name],
    userId: [rf.u.id],
    org: [rf.org.id],
    session: [rf.session],
    assetTypeId: [rf.at.id],
    agentId: [rf.ag.id],
    // What must never show up in an answer to tenant A's caller:
    secrets: [
      b.id,
      b.name,
      rf.key.name,
      rf.key.secret,
      rf.key.secret.slice(0, 13),
      rf.role.name,
      rf.u.username,
      rf.org.name,
      rf.at.name,
      rf.ag.name,
    ],
  };
});
afterAll(async () => t?.close());

describe('tenant isolation, generated from the route table', () => {
  it('finds the tenant-scoped routes (the generator sees the API)', () => {
    const urls = scoped().map((r) => `${r.method} ${r.url}`);
    expect(urls).toEqual(
      expect.arrayContaining([
        'POST /iam/api-keys',
        'DELETE /iam/api-keys/:key',
        'GET /iam/users/:userId',
        'PATCH /iam/roles/:role',
        'GET /nbapi/ei/v1/agents',
        'PUT /nbapi/ei/v1/assetTypes/:assetTypeId',
        'DELETE /iam/sessions/:id',
        'GET /iam/audit',
      ]),
    );
  });

  it('every tenant-scoped route answers 403 TENANT_FORBIDDEN for a tenant the caller has no role in', async () => {
    const failures: string[] = [];
    for (const r of scoped()) {
      const values: Record<string, string> = {};
      for (const p of params(r.url)) {
        const f = fixtureFor(r, p);
        values[p] = TENANT_PARAM.test(p) ? foreign.tenant : f ? foreign[f][0]! : 'x';
      }
      const res = await t.req(r.method as 'GET', fill(r.url, values), {
        token: caller,
        tenant: tenantInPath(r) ? own.tenant : foreign.tenant,
        body: BODIES[`${r.method} ${r.url}`],
      });
      if (res.statusCode !== 403 || !FORBIDDEN_CODES.some((c) => res.body.includes(`"${c}"`)))
        failures.push(`${r.method} ${r.url} → ${res.statusCode} ${res.body}`);
    }
    expect(failures).toEqual([]);
  });

  it('a tenant that does not exist answers the same 403 as one that does', async () => {
    const r1 = await t.req('GET', '/iam/api-keys', { token: caller, tenant: '00000000-0000-4000-8000-000000000000' });
    const r2 = await t.req('GET', '/iam/api-keys', { token: caller, tenant: foreign.tenant });
    expect([r1.statusCode, r2.statusCode]).toEqual([403, 403]);
    expect(r1.json().code).toBe(r2.json().code);
  });

  it("every path parameter holding a foreign tenant's resource answers 404 and leaks nothing", async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const r of scoped().filter((x) => !tenantInPath(x))) {
      const ps = params(r.url);
      for (const p of ps) {
        const f = fixtureFor(r, p);
        if (!f) {
          failures.push(`${r.method} ${r.url}: no fixture for path parameter :${p} (add one to fixtureFor)`);
          continue;
        }
        for (const value of foreign[f]) {
          const values: Record<string, string> = {};
          for (const q of ps) values[q] = q === p ? value : own[fixtureFor(r, q)!];
          const res = await t.req(r.method as 'GET', fill(r.url, values), {
            token: caller,
            tenant: own.tenant,
            body: BODIES[`${r.method} ${r.url}`],
          });
          checked++;
          const leaked = foreign.secrets.filter((s) => s !== value && res.body.includes(s));
          if (res.statusCode !== 404 || leaked.length)
            failures.push(
              `${r.method} ${fill(r.url, values)} → ${res.statusCode} ${res.body}${leaked.length ? ` leaks ${leaked.join(', ')}` : ''}`,
            );
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  });

  it("lists in the caller's own tenant never include a foreign tenant's objects", async () => {
    const failures: string[] = [];
    for (const r of scoped().filter((x) => x.method === 'GET' && params(x.url).length === 0)) {
      // (routes with the tenant in the path have parameters, so they are not here)
      const res = await t.req('GET', r.url, { token: caller, tenant: own.tenant });
      const leaked = [
        ...foreign.secrets,
        ...foreign.key,
        ...foreign.userId,
        ...foreign.assetTypeId,
        ...foreign.agentId,
        ...foreign.session,
        ...foreign.org,
      ].filter((s) => res.body.includes(s));
      if (res.statusCode !== 200 || leaked.length)
        failures.push(`GET ${r.url} → ${res.statusCode}${leaked.length ? ` leaks ${leaked.join(', ')}` : ''}`);
    }
    expect(failures).toEqual([]);
  });

  it('the foreign resources are all still there afterwards', async () => {
    const admin = await t.adminToken();
    for (const [url, id] of [
      ['/iam/api-keys/', foreign.key[0]],
      ['/iam/roles/', foreign.role[0]],
      ['/iam/users/', foreign.userId[0]],
      ['/iam/orgs/', foreign.org[0]],
      ['/nbapi/ei/v1/assetTypes/', foreign.assetTypeId[0]],
    ] as const) {
      expect((await t.req('GET', url + id, { token: admin, tenant: foreign.tenant })).statusCode, url).toBe(200);
    }
    const agents = (await t.req('GET', '/nbapi/ei/v1/agents', { token: admin, tenant: foreign.tenant })).json() as {
      agents: { id: string }[];
    };
    expect(agents.agents.map((a) => a.id)).toContain(foreign.agentId[0]);
    const sessions = (await t.req('GET', '/iam/sessions', { token: admin, tenant: foreign.tenant })).json() as { value: { id: string }[] };
    expect(sessions.value.map((s) => s.id)).toContain(foreign.session[0]);
  });
});

/**
 * The IoT Central data plane names its app in the path (/central/{appId}/api/…; the app is the
 * tenant boundary): a Bearer caller of tenant A naming tenant B's app gets the answer an unknown
 * app gets (404 NotFound), and B's tokens / organizations / roles named inside A's own app are
 * simply not found there. Generated from the route table (routes declaring centralPermission).
 */
describe('tenant isolation of the IoT Central data plane, generated from the route table', () => {
  const V = 'api-version=2022-07-31';
  const ADMIN_ROLE = 'ca310b8d-2f4a-44e0-a36e-957c202cd8d4';
  const OPERATOR_ROLE = 'ae2c9854-393b-4f97-8c42-479d70ce626e';
  let apps: { own: { id: string; subdomain: string }; foreign: { id: string; subdomain: string } };
  const foreignCentral = {
    tokenId: 'foreign-secret-token',
    organizationId: 'foreign-secret-org',
    roleId: '9e0c1d2a-0000-4000-8000-00000000f0f0',
  };
  let foreignToken = '';
  const centralRoutes = () => routeTable(t.app).filter((r) => (r.config as { centralPermission?: string }).centralPermission);
  const CENTRAL_BODIES: Record<string, unknown> = {
    'PUT /central/:appId/api/apiTokens/:tokenId': { roles: [{ role: OPERATOR_ROLE }] },
    'PUT /central/:appId/api/organizations/:organizationId': {},
    'PUT /central/:appId/api/roles/:roleId': { displayName: 'x', permissions: [] },
  };
  const call = (method: string, url: string, auth: string, body?: unknown) =>
    t.app.inject({
      method: method as 'GET',
      url: `${url}?${V}`,
      headers: { authorization: auth },
      ...(body === undefined ? {} : { payload: body as object }),
    });

  beforeAll(async () => {
    const admin = await t.adminToken();
    const mk = async (tenantId: string, name: string) => {
      const r = await t.req(
        'PUT',
        `/subscriptions/${tenantId}/resourceGroups/rg/providers/Microsoft.IoTCentral/iotApps/${name}?api-version=2021-06-01`,
        { token: admin, body: { location: 'westus', sku: { name: 'ST1' } } },
      );
      expect(r.statusCode).toBe(201);
      return { id: r.json().properties.applicationId as string, subdomain: r.json().properties.subdomain as string };
    };
    apps = {
      own: await mk(own.tenant, `iso-own-${own.tenant.slice(0, 8)}`),
      foreign: await mk(foreign.tenant, `iso-foreign-${foreign.tenant.slice(0, 8)}`),
    };
    const fa = `/central/${apps.foreign.id}/api`;
    const made = await call('PUT', `${fa}/apiTokens/${foreignCentral.tokenId}`, `Bearer ${admin}`, { roles: [{ role: ADMIN_ROLE }] });
    expect(made.statusCode).toBe(200);
    foreignToken = made.json().token;
    expect(
      (await call('PUT', `${fa}/organizations/${foreignCentral.organizationId}`, `Bearer ${admin}`, { displayName: 'Foreign secret org' }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await call('PUT', `${fa}/roles/${foreignCentral.roleId}`, `Bearer ${admin}`, {
          displayName: 'Foreign secret role',
          permissions: [],
        })
      ).statusCode,
    ).toBe(200);
  });

  const leaks = (body: string) =>
    [
      foreign.tenant,
      apps.foreign.id,
      apps.foreign.subdomain,
      foreignCentral.tokenId,
      foreignCentral.organizationId,
      foreignCentral.roleId,
      'Foreign secret',
      foreignToken.slice(0, 60),
    ].filter((s) => body.includes(s));

  it('finds the Central data-plane routes', () => {
    expect(centralRoutes().map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'GET /central/:appId/api/apiTokens',
        'PUT /central/:appId/api/apiTokens/:tokenId',
        'DELETE /central/:appId/api/apiTokens/:tokenId',
        'GET /central/:appId/api/roles',
        'GET /central/:appId/api/organizations',
        'DELETE /central/:appId/api/organizations/:organizationId',
      ]),
    );
  });

  it("every route answers a foreign tenant's app (by id or subdomain) like an unknown app: 404 NotFound, leaking nothing", async () => {
    const failures: string[] = [];
    for (const r of centralRoutes()) {
      for (const appLabel of [apps.foreign.id, apps.foreign.subdomain]) {
        const url = r.url.replace(/:(\w+)/g, (_, p: string) =>
          p === 'appId' ? appLabel : ((foreignCentral as Record<string, string>)[p] ?? 'x'),
        );
        const res = await call(r.method, url, `Bearer ${caller}`, CENTRAL_BODIES[`${r.method} ${r.url}`]);
        const leaked = leaks(res.body).filter((s) => s !== appLabel);
        if (res.statusCode !== 404 || res.json().error?.code !== 'NotFound' || leaked.length)
          failures.push(`${r.method} ${url} → ${res.statusCode} ${res.body}${leaked.length ? ` leaks ${leaked.join(', ')}` : ''}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("a foreign app's token is refused in the caller's app (401), and its objects named there are not found", async () => {
    expect((await call('GET', `/central/${apps.own.id}/api/roles`, foreignToken)).statusCode).toBe(401);
    const failures: string[] = [];
    let checked = 0;
    for (const r of centralRoutes().filter((x) => x.method === 'GET' || x.method === 'DELETE')) {
      const ps = [...r.url.matchAll(/:(\w+)/g)].map((m) => m[1]!).filter((p) => p !== 'appId');
      if (!ps.length) continue;
      const url = r.url.replace(/:(\w+)/g, (_, p: string) =>
        p === 'appId' ? apps.own.id : (foreignCentral as Record<string, string>)[p]!,
      );
      const res = await call(r.method, url, `Bearer ${caller}`);
      checked++;
      if (res.statusCode !== 404 || leaks(res.body).some((s) => !url.includes(s)))
        failures.push(`${r.method} ${url} → ${res.statusCode} ${res.body}`);
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(4);
    for (const path of ['apiTokens', 'organizations', 'roles']) {
      const res = await call('GET', `/central/${apps.own.id}/api/${path}`, `Bearer ${caller}`);
      expect(res.statusCode).toBe(200);
      expect(leaks(res.body)).toEqual([]);
    }
  });

  it("the foreign app's objects are all still there afterwards", async () => {
    const fa = `/central/${apps.foreign.id}/api`;
    expect((await call('GET', `${fa}/apiTokens/${foreignCentral.tokenId}`, foreignToken)).statusCode).toBe(200);
    expect((await call('GET', `${fa}/organizations/${foreignCentral.organizationId}`, foreignToken)).statusCode).toBe(200);
    expect((await call('GET', `${fa}/roles/${foreignCentral.roleId}`, foreignToken)).statusCode).toBe(200);
  });
});
