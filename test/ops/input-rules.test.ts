import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/main.js';
import { MAX_JSON_DEPTH } from '../../src/domain/text.js';
import { Capture, makeTestApp, randomName, type Req, type TestApp } from '../harness.js';

/**
 * Issue 11, item 1: one text rule for every string the store receives (no NUL, no lone surrogate),
 * a JSON depth limit and bounded free-text fields. Each reproduction answers 400 with a stable
 * code in its face's envelope, the same on SQLite and PostgreSQL, writes nothing and logs nothing
 * at error level.
 */

type Face = 'ei' | 'oauth' | 'arm' | 'central';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Case {
  name: string;
  face: Face;
  method: Method;
  url: (f: Fixture) => string;
  req?: (f: Fixture) => Req;
  /** The catalogue code (EI, and the message behind ARM's / Central's / OAuth's wire codes). */
  code: 'TEXT_INVALID' | 'BODY_TOO_DEEP' | 'VALIDATION_FAILED' | 'IOT_BODY_INVALID';
}

interface Fixture {
  t: TestApp;
  admin: string;
  tenant: string;
  hub: string;
  app: { id: string; name: string };
}

const HUB_API = '2023-06-30';
const CENTRAL_ARM_API = '2021-06-01';
const CENTRAL_API = '2022-07-31';
const hubs = (f: Fixture, rg = 'rg') => `/subscriptions/${f.tenant}/resourceGroups/${rg}/providers/Microsoft.Devices/IotHubs`;
const apps = (f: Fixture) => `/subscriptions/${f.tenant}/resourceGroups/rg/providers/Microsoft.IoTCentral/iotApps`;
const central = (f: Fixture, path: string) => `/central/${f.app.id}/api/${path}?api-version=${CENTRAL_API}`;
const NUL = '\u0000';
const json = (s: string): Req => ({ body: s, headers: { 'content-type': 'application/json' } });
const nested = (depth: number) => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);

const CASES: Case[] = [
  // token endpoint (OAuth envelope), without any credential
  {
    name: 'NUL in a JSON username at the token endpoint',
    face: 'oauth',
    method: 'POST',
    url: () => '/iam/auth/token',
    req: () => ({ body: { username: `a${NUL}`, password: 'x' } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in a form username at the token endpoint',
    face: 'oauth',
    method: 'POST',
    url: () => '/iam/auth/token',
    req: () => ({ body: 'username=a%00&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'lone surrogate in a JSON client_secret',
    face: 'oauth',
    method: 'POST',
    url: () => '/nbapi/iam/v1/auth/token',
    req: () => json('{"grant_type":"client_credentials","client_id":"x","client_secret":"\\ud800"}'),
    code: 'TEXT_INVALID',
  },
  // path parameters and query strings (EI envelope)
  { name: 'NUL in a role path parameter', face: 'ei', method: 'GET', url: () => '/iam/roles/r%00x', code: 'TEXT_INVALID' },
  { name: 'NUL in an API key path parameter', face: 'ei', method: 'DELETE', url: () => '/iam/api-keys/k%00', code: 'TEXT_INVALID' },
  { name: 'NUL in a session id', face: 'ei', method: 'DELETE', url: () => '/iam/sessions/s%00', code: 'TEXT_INVALID' },
  { name: 'NUL in an audit query', face: 'ei', method: 'GET', url: () => '/iam/audit?actor=%00', code: 'TEXT_INVALID' },
  { name: 'NUL in an asset type id', face: 'ei', method: 'GET', url: () => '/nbapi/ei/v1/assetTypes/a%00', code: 'TEXT_INVALID' },
  // JSON bodies of every iam / EI resource
  {
    name: 'NUL in a username',
    face: 'ei',
    method: 'POST',
    url: () => '/iam/users',
    req: () => ({ body: { username: `u${NUL}`, password: 'long-enough-password' } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in a user first name',
    face: 'ei',
    method: 'POST',
    url: () => '/iam/users',
    req: () => ({ body: { username: randomName('u'), password: 'long-enough-password', firstName: NUL } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'lone surrogate in a user last name',
    face: 'ei',
    method: 'POST',
    url: () => '/iam/users',
    req: () => json(`{"username":"${randomName('u')}","password":"long-enough-password","lastName":"x\\udc00"}`),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in a role description',
    face: 'ei',
    method: 'POST',
    url: () => '/iam/roles',
    req: () => ({ body: { name: randomName('r'), description: `d${NUL}`, permissions: [] } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in a role permission',
    face: 'ei',
    method: 'POST',
    url: () => '/iam/roles',
    req: () => ({ body: { name: randomName('r'), permissions: [`Asset Management${NUL}`] } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in an API key role',
    face: 'ei',
    method: 'POST',
    url: () => '/iam/api-keys',
    req: () => ({ body: { name: randomName('k'), roles: [`Operator${NUL}`] } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in an org name',
    face: 'ei',
    method: 'POST',
    url: () => '/iam/orgs',
    req: () => ({ body: { name: `o${NUL}` } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in a tenant name',
    face: 'ei',
    method: 'POST',
    url: () => '/iam/tenants',
    req: () => ({ body: { name: `t${NUL}` } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in an agent label',
    face: 'ei',
    method: 'POST',
    url: () => '/nbapi/ei/v1/agents',
    req: () => ({ body: { name: randomName('a'), label: `l${NUL}` } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in a key of an asset type data model',
    face: 'ei',
    method: 'POST',
    url: () => '/nbapi/ei/v1/assetTypes',
    req: () => ({ body: { name: randomName('at'), connectionType: 'MQTT', dataModel: { [`k${NUL}`]: 1 } } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'lone surrogate deep in an asset type config',
    face: 'ei',
    method: 'POST',
    url: () => '/nbapi/ei/v1/assetTypes',
    req: () => json(`{"name":"${randomName('at')}","connectionType":"MQTT","config":{"a":[1,{"b":"\\ud83d"}]}}`),
    code: 'TEXT_INVALID',
  },
  {
    name: `dataModel nested 5,000 levels (limit ${MAX_JSON_DEPTH})`,
    face: 'ei',
    method: 'POST',
    url: () => '/nbapi/ei/v1/assetTypes',
    req: () => json(`{"name":"${randomName('at')}","connectionType":"MQTT","dataModel":${nested(5000)}}`),
    code: 'BODY_TOO_DEEP',
  },
  // ARM face (ARM envelope)
  {
    name: 'NUL in an ARM resource group',
    face: 'arm',
    method: 'GET',
    url: (f) => `${hubs(f, 'r%00g')}?api-version=${HUB_API}`,
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in an ARM resource name',
    face: 'arm',
    method: 'PUT',
    url: (f) => `${hubs(f)}/h%00?api-version=${HUB_API}`,
    req: () => ({ body: { location: 'westus', sku: { name: 'S1' } } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in an ARM location',
    face: 'arm',
    method: 'PUT',
    url: (f) => `${hubs(f)}/${randomName('hub')}?api-version=${HUB_API}`,
    req: () => ({ body: { location: `westus${NUL}`, sku: { name: 'S1' } } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in an ARM tag',
    face: 'arm',
    method: 'PUT',
    url: (f) => `${hubs(f)}/${randomName('hub')}?api-version=${HUB_API}`,
    req: () => ({ body: { location: 'westus', sku: { name: 'S1' }, tags: { env: `p${NUL}` } } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in an ARM policy key name',
    face: 'arm',
    method: 'PUT',
    url: (f) => `${hubs(f)}/${randomName('hub')}?api-version=${HUB_API}`,
    req: () => ({
      body: {
        location: 'westus',
        sku: { name: 'S1' },
        properties: { authorizationPolicies: [{ keyName: `p${NUL}`, rights: 'RegistryRead' }] },
      },
    }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'a 1 MB location',
    face: 'arm',
    method: 'PUT',
    url: (f) => `${hubs(f)}/${randomName('hub')}?api-version=${HUB_API}`,
    req: () => ({ body: { location: 'w'.repeat(1_000_000), sku: { name: 'S1' } } }),
    code: 'IOT_BODY_INVALID',
  },
  {
    name: 'NUL in an IoT Central app display name',
    face: 'arm',
    method: 'PUT',
    url: (f) => `${apps(f)}/${randomName('app')}?api-version=${CENTRAL_ARM_API}`,
    req: () => ({ body: { location: 'westus', sku: { name: 'ST1' }, properties: { displayName: `d${NUL}` } } }),
    code: 'TEXT_INVALID',
  },
  // Central data plane (Central envelope)
  {
    name: 'NUL in a Central API token id',
    face: 'central',
    method: 'PUT',
    url: (f) => central(f, 'apiTokens/tok%00'),
    req: () => ({ body: { roles: [{ role: 'ca310b8d-2f4a-44e0-a36e-957c202cd8d4' }] } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in a Central role of an API token',
    face: 'central',
    method: 'PUT',
    url: (f) => central(f, `apiTokens/${randomName('tok').replace(/_/g, '-')}`),
    req: () => ({ body: { roles: [{ role: `r${NUL}` }] } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in a Central organization display name',
    face: 'central',
    method: 'PUT',
    url: (f) => central(f, `organizations/${randomName('org').replace(/_/g, '-')}`),
    req: () => ({ body: { displayName: `o${NUL}` } }),
    code: 'TEXT_INVALID',
  },
  {
    name: 'NUL in a Central app id',
    face: 'central',
    method: 'GET',
    url: () => `/central/a%00/api/apiTokens?api-version=${CENTRAL_API}`,
    code: 'TEXT_INVALID',
  },
];

/** What each face answers for a catalogue code (faces/arm/errors.ts, faces/central/errors.ts, faces/iam/token.ts). */
function expectRefused(c: Case, res: LightMyRequestResponse): void {
  expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
  expect(res.body.length).toBeLessThan(2000);
  const body = res.json() as Record<string, unknown>;
  switch (c.face) {
    case 'ei':
      expect(body).toMatchObject({ status: 400, code: c.code });
      break;
    case 'oauth':
      expect(body).toMatchObject({ error: 'invalid_request' });
      expect(res.headers['cache-control']).toBe('no-store');
      break;
    case 'arm':
      expect(body).toMatchObject({ error: { code: 'InvalidRequestContent' } });
      break;
    case 'central':
      expect(res.headers['x-ms-error-code']).toBe('BadRequest');
      expect(body).toMatchObject({ error: { code: 'BadRequest' } });
      break;
  }
  if (c.code === 'TEXT_INVALID') expect(JSON.stringify(body)).toMatch(/NUL character or an unpaired UTF-16 surrogate/);
}

describe.each(['sqlite', 'postgres'] as const)('input rules (%s)', (dialect) => {
  let f: Fixture;
  const log = new Capture();

  /** Everything a refused request could have written: each listing and the audit trail. */
  async function snapshot(): Promise<string> {
    await f.t.server.services.auditBuffer.flush();
    const get = async (url: string, tenant: string | undefined = f.tenant) => (await f.t.req('GET', url, { token: f.admin, tenant })).body;
    return JSON.stringify([
      await get('/iam/tenants', undefined),
      await get('/iam/orgs'),
      await get('/iam/users'),
      await get('/iam/roles'),
      await get('/iam/api-keys'),
      await get('/iam/sessions'),
      await get('/nbapi/ei/v1/agents'),
      await get('/nbapi/ei/v1/assetTypes'),
      (JSON.parse(await get('/iam/audit?size=100')) as { total: number }).total,
      await get(`${hubs(f)}?api-version=${HUB_API}`, undefined),
      await get(`${apps(f)}?api-version=${CENTRAL_ARM_API}`, undefined),
      (await f.t.req('GET', central(f, 'apiTokens'), { token: f.admin })).body,
      (await f.t.req('GET', central(f, 'organizations'), { token: f.admin })).body,
    ]);
  }

  beforeAll(async () => {
    const t = await makeTestApp({ dialect, log: createLogger('warn', log) });
    const tenant = (await t.createTenant(undefined, { ei: true })).id;
    const admin = await t.adminToken();
    f = { t, admin, tenant, hub: randomName('hub').replace(/_/g, ''), app: { id: '', name: randomName('capp').replace(/_/g, '') } };
    const hub = await t.req('PUT', `${hubs(f)}/${f.hub}?api-version=${HUB_API}`, {
      token: admin,
      body: { location: 'westus', sku: { name: 'S1' } },
    });
    expect(hub.statusCode, hub.body).toBe(201);
    const app = await t.req('PUT', `${apps(f)}/${f.app.name}?api-version=${CENTRAL_ARM_API}`, {
      token: admin,
      body: { location: 'westus', sku: { name: 'ST1' } },
    });
    expect(app.statusCode, app.body).toBe(201);
    f.app.id = (app.json() as { properties: { applicationId: string } }).properties.applicationId;
  });
  afterAll(async () => f?.t.close());

  it.each(CASES.map((c) => [c.name, c] as const))('%s: 400 in the face envelope, nothing written', async (_name, c) => {
    const before = await snapshot();
    const r = c.req?.(f) ?? {};
    const res = await f.t.req(c.method, c.url(f), { token: c.face === 'oauth' ? undefined : f.admin, tenant: f.tenant, ...r });
    expectRefused(c, res);
    expect(await snapshot()).toBe(before);
  });

  it('a stored string with a well-formed surrogate pair (emoji) is accepted and read back unchanged', async () => {
    const label = 'sensor \ud83d\ude80 1';
    const res = await f.t.req('POST', '/nbapi/ei/v1/agents', { token: f.admin, tenant: f.tenant, body: { name: randomName('a'), label } });
    expect(res.statusCode, res.body).toBe(201);
    const list = (await f.t.req('GET', '/nbapi/ei/v1/agents', { token: f.admin, tenant: f.tenant })).json() as {
      value?: { label: string }[];
      data?: { label: string }[];
    };
    expect(JSON.stringify(list)).toContain(JSON.stringify(label).slice(1, -1));
  });

  it(`JSON nested exactly ${MAX_JSON_DEPTH} levels is still accepted`, async () => {
    // the body object is level 1, dataModel level 2
    const res = await f.t.req('POST', '/nbapi/ei/v1/assetTypes', {
      token: f.admin,
      tenant: f.tenant,
      ...json(`{"name":"${randomName('at')}","connectionType":"MQTT","dataModel":${nested(MAX_JSON_DEPTH - 1)}}`),
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
  });

  it('none of the refused requests logged at error level (no stack, nothing to flood the log with)', () => {
    const lines = log.text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});
