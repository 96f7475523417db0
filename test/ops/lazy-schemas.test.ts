import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../harness.js';
import { central, createCentralApp, ROLES } from '../faces/central/helpers.js';

/**
 * Route schemas (ajv validators, fast-json-stringify serializers) compile on their route's first
 * request, not at start (http/validation.ts): a cold start does not pay for the routes it never
 * serves. What that must not change: every schema still compiles, and each face keeps Latch's
 * strict body validation (JSON bodies are not coerced), ARM and Central included, whose contexts
 * add schemas of their own.
 */
describe.each(['sqlite', 'postgres'] as const)('route schemas compiled on first use (%s)', (dialect) => {
  let t: TestApp;
  let atStart: { compiled: number; waiting: number };
  beforeAll(async () => {
    t = await makeTestApp({ dialect });
    atStart = t.server.schemas.counts();
  });
  afterAll(async () => t?.close());

  it('compiles nothing at start, and only the schemas of the route a request takes', async () => {
    expect(atStart.compiled).toBe(0);
    expect(atStart.waiting).toBeGreaterThan(100);
    const before = t.server.schemas.counts().compiled;
    const res = await t.req('GET', '/nbapi/ei/v1/agents', { token: await t.adminToken(), tenant: t.defaultTenantId });
    expect(res.statusCode, res.body).toBe(200);
    const after = t.server.schemas.counts();
    // the token endpoint (body, headers, 200 and error serializers) and the agents route (query, headers, page, errors)
    expect(after.compiled - before).toBeGreaterThan(0);
    expect(after.compiled - before).toBeLessThan(20);
    // the same route again compiles nothing more
    await t.req('GET', '/nbapi/ei/v1/agents', { token: await t.adminToken(), tenant: t.defaultTenantId });
    expect(t.server.schemas.counts().compiled).toBe(after.compiled);
  });

  it('every route schema of the app compiles', () => {
    const total = t.server.schemas.compileAll();
    expect(t.server.schemas.counts()).toEqual({ compiled: total, waiting: 0 });
    expect(total).toBeGreaterThan(100);
  });

  // Each body below would be accepted by a coercing validator (a number from '1', an array of the one role).
  it('bodies stay strictly typed in the faces that add schemas of their own (ARM, Central) and in the root', async () => {
    const token = await t.adminToken();
    const hub = await t.req(
      'PUT',
      `/subscriptions/${t.defaultTenantId}/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/lazy-hub?api-version=2023-06-30`,
      { token, body: { location: 'westus', sku: { name: 'S1', capacity: '1' } } },
    );
    expect(hub.statusCode, hub.body).toBe(400);
    expect(hub.json().error.code).toBeTypeOf('string');
    const app = await createCentralApp(t);
    const tok = await central(t, 'PUT', app.id, 'apiTokens/lazy', { auth: `Bearer ${token}`, body: { roles: { role: ROLES.admin } } });
    expect(tok.statusCode, tok.body).toBe(400);
    expect(tok.json().error.code).toBeTypeOf('string');
    const key = await t.req('POST', '/iam/api-keys', { token, tenant: t.defaultTenantId, body: { name: 5, roles: ['EI Admin'] } });
    expect(key.statusCode).toBe(400);
    expect(key.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
