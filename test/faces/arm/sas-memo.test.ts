import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSas } from '../../../src/domain/sas.js';
import { makeTestApp, type TestApp } from '../../harness.js';

// The SAS verifier remembers tokens that verified (clients reuse one token for many requests).
// Remembering must never outlive what made the token valid: its expiry, and the keys it was
// signed with.
describe('remembered SAS verifications', () => {
  let t: TestApp;
  let base: string;
  let token: string;
  const host = 'memo-hub.azure-devices.net';

  const keysOf = async () => {
    const r = await t.req('POST', `${base}/listkeys?api-version=2023-06-30`, { token: await t.adminToken() });
    expect(r.statusCode).toBe(200);
    return (r.json() as { value: { keyName: string; primaryKey: string; secondaryKey: string; rights: string }[] }).value;
  };

  beforeAll(async () => {
    t = await makeTestApp();
    base = `/subscriptions/${t.defaultTenantId}/resourceGroups/rg1/providers/Microsoft.Devices/IotHubs/memo-hub`;
    const put = await t.req('PUT', `${base}?api-version=2023-06-30`, {
      token: await t.adminToken(),
      body: { location: 'westus', sku: { name: 'S1', capacity: 1 } },
    });
    expect(put.statusCode).toBe(201);
    const owner = (await keysOf()).find((p) => p.keyName === 'iothubowner')!;
    token = signSas({ resourceUri: host, key: owner.primaryKey, keyName: 'iothubowner', expiry: Math.floor(t.clock.now() / 1000) + 60 });
  });
  afterAll(async () => t?.close());

  it('a token verified before is accepted again, then refused once its se has passed', async () => {
    expect((await t.server.services.iotSas.verify(token, host)).ok).toBe(true);
    expect((await t.server.services.iotSas.verify(token, host)).ok).toBe(true);
    t.clock.advance(61_000);
    expect(await t.server.services.iotSas.verify(token, host)).toEqual({ ok: false, reason: 'expired' });
    t.clock.advance(-61_000);
  });

  it('the same token is remembered per target: a device target below the hub verifies, another hub does not', async () => {
    expect((await t.server.services.iotSas.verify(token, host, `${host}/devices/d1`)).ok).toBe(true);
    expect((await t.server.services.iotSas.verify(token, 'other-hub.azure-devices.net')).ok).toBe(false);
  });

  it('after the signing key is rotated, the remembered token is refused at once', async () => {
    expect((await t.server.services.iotSas.verify(token, host)).ok).toBe(true);
    const policies = (await keysOf()).map(({ keyName, rights, primaryKey, secondaryKey }) =>
      keyName === 'iothubowner' ? { keyName, rights, secondaryKey } : { keyName, rights, primaryKey, secondaryKey },
    );
    const got = await t.req('GET', `${base}?api-version=2023-06-30`, { token: await t.adminToken() });
    const put = await t.req('PUT', `${base}?api-version=2023-06-30`, {
      token: await t.adminToken(),
      headers: { 'if-match': (got.json() as { etag: string }).etag },
      body: { location: 'westus', sku: { name: 'S1', capacity: 1 }, properties: { authorizationPolicies: policies } },
    });
    expect(put.statusCode).toBe(200);
    expect(await t.server.services.iotSas.verify(token, host)).toEqual({ ok: false, reason: 'bad_signature' });
  });
});
