import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../../harness.js';

/**
 * The ARM iotApps PUT/PATCH body (schemas/central.ts): the schema checks shapes, the service
 * checks meaning, and both answer a field's error with the same catalogued code in the ARM
 * envelope (faces/arm/errors.ts bodyError). Nothing is written by a refused body.
 */
const GUID = '3f1c9a52-0c1e-4d7e-9a55-2b8f0e6d4c11';
const ok = { location: 'westus', sku: { name: 'ST1' } };

const REFUSED: [what: string, code: string, body: unknown, message?: RegExp][] = [
  ['an array', 'InvalidRequestContent', [], /JSON object/],
  ['a JSON string', 'InvalidRequestContent', '"app"', /JSON object/],
  ['no location', 'LocationRequired', { sku: { name: 'ST1' } }],
  ['location not a string', 'LocationRequired', { ...ok, location: 5 }],
  ['a blank location', 'LocationRequired', { ...ok, location: '  ' }],
  ['no sku', 'InvalidSku', { location: 'westus' }],
  ['sku null', 'InvalidSku', { ...ok, sku: null }],
  ['sku without a name', 'InvalidSku', { ...ok, sku: {} }],
  ['sku.name not a string', 'InvalidSku', { ...ok, sku: { name: 5 } }, /got '5'/],
  ['an unknown sku', 'InvalidSku', { ...ok, sku: { name: 'ST9' } }, /ST0, ST1, ST2; got 'ST9'/],
  ['tags not an object', 'InvalidRequestContent', { ...ok, tags: ['a'] }, /^tags must be an object of strings$/],
  ['a tag value not a string', 'InvalidRequestContent', { ...ok, tags: { a: 1 } }, /^tags: at most 50/],
  [
    'too many tags',
    'InvalidRequestContent',
    { ...ok, tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, 'v'])) },
    /^tags: at most 50/,
  ],
  [
    'identity not an object',
    'InvalidRequestContent',
    { ...ok, identity: 'SystemAssigned' },
    /^identity.type must be 'None' or 'SystemAssigned'$/,
  ],
  ['identity without a type', 'InvalidRequestContent', { ...ok, identity: {} }, /^identity.type must be/],
  ['an unknown identity type', 'InvalidRequestContent', { ...ok, identity: { type: 'UserAssigned' } }, /^identity.type must be/],
  ['properties not an object', 'InvalidRequestContent', { ...ok, properties: 'x' }, /^properties must be an object$/],
  [
    'a blank displayName',
    'InvalidRequestContent',
    { ...ok, properties: { displayName: ' ' } },
    /^properties.displayName must be a non-empty string/,
  ],
  ['displayName not a string', 'InvalidRequestContent', { ...ok, properties: { displayName: 5 } }, /^properties.displayName/],
  [
    'a template too long',
    'InvalidRequestContent',
    { ...ok, properties: { template: 'x'.repeat(201) } },
    /^properties.template must be a non-empty string of at most 200/,
  ],
  ['subdomain not a string', 'InvalidSubdomain', { ...ok, properties: { subdomain: 5 } }],
  ['an empty subdomain', 'InvalidSubdomain', { ...ok, properties: { subdomain: '' } }],
  ['a GUID-shaped subdomain', 'InvalidSubdomain', { ...ok, properties: { subdomain: GUID } }],
  ['a subdomain that is not a DNS label', 'InvalidSubdomain', { ...ok, properties: { subdomain: 'no_underscores' } }],
];

describe.each(['sqlite', 'postgres'] as const)('ARM iotApps body: shapes by the schema, meaning by the service (%s)', (dialect) => {
  let t: TestApp;
  let token: string;
  let n = 0;
  const url = (name: string) =>
    `/subscriptions/${t.defaultTenantId}/resourceGroups/rg/providers/Microsoft.IoTCentral/iotApps/${name}?api-version=2021-06-01`;
  const send = (method: 'PUT' | 'PATCH', name: string, body: unknown) =>
    t.app.inject({
      method,
      url: url(name),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await makeTestApp({ dialect });
    token = await t.adminToken();
    expect((await send('PUT', 'body-app', ok)).statusCode).toBe(201);
  });
  afterAll(async () => t?.close());

  it.each(REFUSED)('PUT refuses %s: 400 %s, nothing created', async (_what, code, body, message) => {
    const name = `refused-${++n}`;
    const res = await send('PUT', name, body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe(code);
    if (message) expect(res.json().error.message).toMatch(message);
    expect((await t.req('GET', url(name), { token })).statusCode).toBe(404);
  });

  // the same fields in a PATCH (AppPatch: no location; an absent sku keeps the current one)
  const patchable = REFUSED.filter(
    ([, , body]) => typeof body === 'object' && body !== null && 'sku' in body && (body as { location?: unknown }).location === 'westus',
  );
  it.each(patchable)('PATCH refuses %s the same way (400 %s), and the app is unchanged', async (_what, code, body) => {
    const before = (await t.req('GET', url('body-app'), { token })).json();
    const res = await send('PATCH', 'body-app', body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe(code);
    expect((await t.req('GET', url('body-app'), { token })).json()).toEqual(before);
  });

  it('accepts what ARM clients send back: read-only fields, nulls, case-insensitive SKU and identity type', async () => {
    const res = await send('PUT', 'read-back', {
      ...ok,
      id: '/subscriptions/x',
      name: 'other',
      type: 'Microsoft.IoTCentral/IoTApps',
      systemData: { createdAt: 'x' },
      sku: { name: 'st2', tier: 'x' },
      tags: null,
      identity: { type: 'systemassigned', principalId: 'p', tenantId: 't' },
      properties: {
        displayName: null,
        subdomain: null,
        template: null,
        applicationId: 'a',
        state: 'created',
        provisioningState: 'Succeeded',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      name: 'read-back',
      sku: { name: 'ST2' },
      tags: {},
      identity: { type: 'SystemAssigned' },
      properties: { displayName: 'read-back', subdomain: 'read-back', template: 'iotc-pnp-preview' },
    });
    expect(res.json().properties.applicationId).not.toBe('a');
    // a GET answer PUT back as is is accepted unchanged
    const again = await send('PUT', 'read-back', res.json());
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().properties.applicationId).toBe(res.json().properties.applicationId);
  });

  it('checks meaning on update: the template cannot change', async () => {
    const res = await send('PATCH', 'body-app', { properties: { template: 'iotc-other' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('InvalidTemplate');
  });

  it('answers schema errors of checkNameAvailability as InvalidRequestContent', async () => {
    for (const [body, message] of [
      [{ type: 'IoTApps' }, /^name is required$/],
      [{ name: 'x', extra: 1 }, /unknown property 'extra'/],
      [{ name: 'x', type: 'Other' }, /^type must be 'IoTApps'$/],
    ] as const) {
      const res = await t.req(
        'POST',
        `/subscriptions/${t.defaultTenantId}/providers/Microsoft.IoTCentral/checkNameAvailability?api-version=2021-06-01`,
        { token, body },
      );
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toEqual({ code: 'InvalidRequestContent', message: expect.stringMatching(message) });
    }
  });
});
