import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import path from 'node:path';
import { IotHubClient } from '@azure/arm-iothub';
import { startArmServer, request, ADMIN_PASSWORD, type ArmTestServer } from './server.js';

/** Wire details the SDK tests do not reach: api-version, 401/403 envelopes, unknown routes, keys at rest. */
describe('ARM face on the wire', () => {
  let t: ArmTestServer;
  const hubPath = (sub: string, name = 'wire-hub') => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/${name}`;
  const call = (p: string, opts: { method?: string; token?: string | null; body?: unknown; headers?: Record<string, string> } = {}) =>
    request(t.url + p, {
      ca: t.ca,
      method: opts.method,
      body: opts.body,
      headers: { ...(opts.token === null ? {} : { authorization: `Bearer ${opts.token ?? t.adminToken}` }), ...opts.headers },
    });

  beforeAll(async () => {
    t = await startArmServer('sqlite');
    const r = await call(`${hubPath(t.tenantId)}?api-version=2018-04-01`, {
      method: 'PUT',
      body: { location: 'westus', sku: { name: 'F1' } },
    });
    expect(r.status).toBe(201);
    expect(r.json.sku).toEqual({ name: 'F1', tier: 'Free', capacity: 1 });
    expect(r.headers['azure-asyncoperation']).toBeUndefined();
    expect(r.headers.location).toBeUndefined();
  });
  afterAll(async () => t?.close());

  it.each([
    ['missing', '', 400, 'MissingApiVersionParameter'],
    ['unknown', '?api-version=2019-01-01', 400, 'InvalidApiVersionParameter'],
    ['a DPS version on a hub', '?api-version=2022-02-05', 400, 'InvalidApiVersionParameter'],
  ])('answers an api-version %s with the ARM envelope', async (_n, q, status, code) => {
    const r = await call(hubPath(t.tenantId) + q);
    expect(r.status).toBe(status);
    expect(r.json).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('names the supported versions in InvalidApiVersionParameter', async () => {
    const r = await call(hubPath(t.tenantId) + '?api-version=2099-01-01');
    expect(r.json.error.message).toBe("The api-version '2099-01-01' is invalid. The supported versions are '2018-04-01,2023-06-30'.");
  });

  it.each(['2018-04-01', '2023-06-30'])('accepts hub api-version %s', async (v) => {
    expect((await call(`${hubPath(t.tenantId)}?api-version=${v}`)).status).toBe(200);
  });

  it('answers 401 AuthenticationFailed / InvalidAuthenticationToken without a claims challenge', async () => {
    const none = await call(`${hubPath(t.tenantId)}?api-version=2023-06-30`, { token: null });
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('AuthenticationFailed');
    expect(String(none.headers['www-authenticate'])).not.toContain('claims=');
    const bad = await call(`${hubPath(t.tenantId)}?api-version=2023-06-30`, { token: 'not-a-jwt' });
    expect(bad.status).toBe(401);
    expect(bad.json.error.code).toBe('InvalidAuthenticationToken');
    expect(String(bad.headers['www-authenticate'])).not.toContain('claims=');
  });

  it('answers an expired bearer token with 401 ExpiredAuthenticationToken', async () => {
    const expired = await t.server.deps.keys.sign({ sub: 'someone', sid: 'some-session', typ: 'Bearer' }, -60);
    const r = await call(`${hubPath(t.tenantId)}?api-version=2023-06-30`, { token: expired });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('ExpiredAuthenticationToken');
  });

  it('authenticates before checking api-version', async () => {
    expect((await call(hubPath(t.tenantId), { token: null })).json.error.code).toBe('AuthenticationFailed');
  });

  it('surfaces the 401 as a RestError through the SDK', async () => {
    const c = new IotHubClient(
      { getToken: async () => ({ token: 'garbage', expiresOnTimestamp: Date.now() + 600_000 }) },
      t.tenantId,
      t.sdkOptions,
    );
    await expect(c.iotHubResource.get('rg', 'wire-hub')).rejects.toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationToken' });
  });

  it('answers a malformed subscription id with 400 InvalidSubscriptionId', async () => {
    const r = await call(`${hubPath('not-a-guid')}?api-version=2023-06-30`);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('InvalidSubscriptionId');
  });

  it('renders unknown routes under /subscriptions in the ARM envelope', async () => {
    const r = await call(
      `/subscriptions/${t.tenantId}/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/wire-hub/nothing?api-version=2023-06-30`,
    );
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('NotFound');
  });

  it('rejects invalid hub and resource group names', async () => {
    expect(
      (
        await call(`${hubPath(t.tenantId, 'a')}?api-version=2023-06-30`, {
          method: 'PUT',
          body: { location: 'westus', sku: { name: 'S1' } },
        })
      ).json.error.code,
    ).toBe('InvalidResourceName');
    expect(
      (
        await call(
          `/subscriptions/${t.tenantId}/resourceGroups/bad%20rg./providers/Microsoft.Devices/IotHubs/okname?api-version=2023-06-30`,
          { method: 'PUT', body: { location: 'westus', sku: { name: 'S1' } } },
        )
      ).json.error.code,
    ).toBe('InvalidResourceGroupName');
  });

  it('accepts az-style PUTs that send read-only fields back, and If-Match "*"', async () => {
    const got = await call(`${hubPath(t.tenantId)}?api-version=2023-06-30`);
    const r = await call(`${hubPath(t.tenantId)}?api-version=2023-06-30`, { method: 'PUT', body: got.json, headers: { 'if-match': '*' } });
    expect(r.status).toBe(200);
    expect(r.json.etag).not.toBe(got.json.etag);
    const quoted = await call(`${hubPath(t.tenantId)}?api-version=2023-06-30`, {
      method: 'PUT',
      body: got.json,
      headers: { 'if-match': `"${r.json.etag}"` },
    });
    expect(quoted.status).toBe(200);
    const missing = await call(`${hubPath(t.tenantId, 'not-there')}?api-version=2023-06-30`, {
      method: 'PUT',
      body: got.json,
      headers: { 'if-match': 'AAAA' },
    });
    expect(missing.status).toBe(412);
  });

  it('stores policy keys only encrypted', async () => {
    const keys = await call(`${hubPath(t.tenantId)}/listkeys?api-version=2023-06-30`, { method: 'POST' });
    expect(keys.status).toBe(200);
    expect(keys.headers['content-type']).toMatch(/^application\/json/);
    const db = new Database(path.join(t.config.dataDir, 'latch.db'), { readonly: true });
    try {
      const dump = JSON.stringify(db.prepare('select * from iot_policies').all());
      for (const k of keys.json.value) {
        expect(dump).not.toContain(k.primaryKey);
        expect(dump).not.toContain(k.secondaryKey);
      }
      expect(dump).toMatch(/"primary_enc":"v2\./);
    } finally {
      db.close();
    }
  });

  it('declares the permission of every ARM route in the OpenAPI document', async () => {
    const doc = (await request(`${t.url}/openapi.json`, { ca: t.ca })).json;
    const ops = Object.entries(doc.paths as Record<string, Record<string, { 'x-permission'?: string }>>).filter(([p]) =>
      p.startsWith('/subscriptions/'),
    );
    expect(ops.length).toBeGreaterThanOrEqual(10);
    for (const [, methods] of ops)
      for (const op of Object.values(methods)) expect(op['x-permission']).toMatch(/^(IoT Hub|DPS|IoT Central) /);
    const listKeys =
      doc.paths[
        '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Devices/IotHubs/{resourceName}/listkeys'
      ];
    expect(listKeys.post['x-permission']).toBe('IoT Hub List Keys');
  });

  it('keeps the admin password working for the SDK credential (sanity)', async () => {
    expect(await t.token('admin', ADMIN_PASSWORD)).toMatch(/^ey/);
  });
});
