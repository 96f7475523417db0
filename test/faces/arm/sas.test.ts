import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signSas } from '../../../src/domain/sas.js';
import { IotHubClient } from '@azure/arm-iothub';
import { IotDpsClient } from '@azure/arm-deviceprovisioningservices';
import { SharedAccessSignature } from 'azure-iot-common';
import { startArmServer, request, ADMIN_PASSWORD, type ArmTestServer, type Dialect } from './server.js';

const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const inAnHour = () => Math.ceil(Date.now() / 1000) + 3600;
const sas = (sr: string, keyName: string, key: string, se = inAnHour()) => SharedAccessSignature.create(sr, keyName, key, se).toString();

describe.each(DIALECTS)('SAS tokens from listKeys keys, verified by Latch (%s)', (dialect) => {
  let t: ArmTestServer;
  let hubs: IotHubClient;
  let dps: IotDpsClient;
  let hubHost: string;
  let dpsHost: string;

  /** The data-plane probe over https, addressed by Host like a real hub/DPS client would. */
  const whoami = (host: string, authorization?: string) =>
    request(`${t.url}/$latch/sas/whoami?api-version=2021-04-12`, {
      ca: t.ca,
      servername: 'localhost',
      headers: { host, ...(authorization ? { authorization } : {}) },
    });

  beforeAll(async () => {
    t = await startArmServer(dialect);
    hubs = new IotHubClient(t.credential('admin', ADMIN_PASSWORD), t.tenantId, t.sdkOptions);
    dps = new IotDpsClient(t.credential('admin', ADMIN_PASSWORD), t.tenantId, t.sdkOptions);
    hubHost = (
      await hubs.iotHubResource.beginCreateOrUpdateAndWait('rg', 'SasHub', { location: 'westus', sku: { name: 'S1', capacity: 1 } })
    ).properties!.hostName!;
    dpsHost = (
      await dps.iotDpsResource.beginCreateOrUpdateAndWait('rg', 'sas-dps', { location: 'westus', sku: { name: 'S1' }, properties: {} })
    ).properties.serviceOperationsHostName!;
  });
  afterAll(async () => t?.close());

  it('accepts tokens signed with each policy key and answers its rights', async () => {
    const keys = await collect(hubs.iotHubResource.listKeys('rg', 'SasHub'));
    for (const k of keys) {
      for (const key of [k.primaryKey!, k.secondaryKey!]) {
        const r = await whoami(hubHost, sas(hubHost, k.keyName, key));
        expect(r.status, r.text).toBe(200);
        expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(r.json).toMatchObject({ hub: 'SasHub', hostName: hubHost, keyName: k.keyName, rights: k.rights });
      }
    }
    const rw = keys.find((k) => k.keyName === 'registryReadWrite')!;
    expect((await whoami(hubHost, sas(hubHost, rw.keyName, rw.primaryKey!))).json.effectiveRights.sort()).toEqual([
      'RegistryRead',
      'RegistryWrite',
    ]);
    const owner = keys.find((k) => k.keyName === 'iothubowner')!;
    expect((await whoami(hubHost, sas(hubHost, owner.keyName, owner.primaryKey!))).json.effectiveRights).toHaveLength(4);
  });

  it('verifies through the core service too (primary, then secondary)', async () => {
    const k = await hubs.iotHubResource.getKeysForKeyName('rg', 'SasHub', 'service');
    const p = await t.server.services.iotSas.verify(sas(hubHost, 'service', k.primaryKey!), `${hubHost}:443`);
    expect(p).toMatchObject({ ok: true, keyIndex: 0, keyName: 'service', rights: 'ServiceConnect', tenantId: t.tenantId });
    const s = await t.server.services.iotSas.verify(sas(hubHost, 'service', k.secondaryKey!), hubHost.toUpperCase());
    expect(s).toMatchObject({ ok: true, keyIndex: 1 });
  });

  it.each([
    [
      'a tampered signature',
      (h: string, key: string) => sas(h, 'iothubowner', key).replace(/sig=([^&])/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`),
      'bad_signature',
    ],
    ['an expired token', (h: string, key: string) => sas(h, 'iothubowner', key, Math.floor(Date.now() / 1000) - 1), 'expired'],
    ['an unknown skn', (h: string, key: string) => sas(h, 'nobody', key), 'unknown_policy'],
    [
      'a token for another hub (sr mismatch)',
      (_h: string, key: string) => sas('otherhub.azure-devices.net', 'iothubowner', key),
      'scope_mismatch',
    ],
    ['a device-scoped sr', (h: string, key: string) => sas(`${h}/devices/dev1`, 'iothubowner', key), 'scope_mismatch'],
    ['no skn', (h: string, key: string) => SharedAccessSignature.create(h, '', key, inAnHour()).toString(), 'missing_skn'],
    ['a bearer token', () => 'Bearer abc', 'bad_prefix'],
  ])('rejects %s with the IoT Hub 401 body', async (_n, make, reason) => {
    const owner = await hubs.iotHubResource.getKeysForKeyName('rg', 'SasHub', 'iothubowner');
    const token = make(hubHost, owner.primaryKey!);
    expect(await t.server.services.iotSas.verify(token, hubHost)).toEqual({ ok: false, reason });
    const r = await whoami(hubHost, token);
    expect(r.status).toBe(401);
    expect(r.json.Message).toBe('ErrorCode:IotHubUnauthorizedAccess;Unauthorized');
    expect(r.json.ExceptionMessage).toMatch(/^Tracking ID:[0-9a-f]{32}-G:0-TimeStamp:\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/);
  });

  it('rejects a token for a hub that does not exist and a request without Authorization', async () => {
    const owner = await hubs.iotHubResource.getKeysForKeyName('rg', 'SasHub', 'iothubowner');
    expect((await whoami('nohub.azure-devices.net', sas('nohub.azure-devices.net', 'iothubowner', owner.primaryKey!))).status).toBe(401);
    expect((await whoami(hubHost)).status).toBe(401);
  });

  it('counts rejected SAS tokens by reason in /metrics', async () => {
    const owner = await hubs.iotHubResource.getKeysForKeyName('rg', 'SasHub', 'iothubowner');
    const expired = signSas({ resourceUri: hubHost, key: owner.primaryKey!, keyName: 'iothubowner', expiry: 1_000_000 });
    expect((await whoami(hubHost, expired)).status).toBe(401);
    const metrics = await request(`${t.url}/metrics`, { ca: t.ca, servername: 'localhost' });
    expect(metrics.text).toMatch(/latch_auth_failures_total\{reason="sas_expired"\} [1-9]/);
  });

  it('follows policy changes at once: a rotated key stops working, a removed policy too', async () => {
    const before = await collect(hubs.iotHubResource.listKeys('rg', 'SasHub'));
    const device = before.find((k) => k.keyName === 'device')!;
    const oldToken = sas(hubHost, 'device', device.primaryKey!);
    expect((await whoami(hubHost, oldToken)).status).toBe(200); // now cached
    const hub = await hubs.iotHubResource.get('rg', 'SasHub');
    const newKey = Buffer.alloc(32, 3).toString('base64');
    await hubs.iotHubResource.beginCreateOrUpdateAndWait(
      'rg',
      'SasHub',
      {
        location: 'westus',
        sku: { name: 'S1', capacity: 1 },
        properties: {
          authorizationPolicies: before
            .filter((k) => k.keyName !== 'registryRead')
            .map((k) => (k.keyName === 'device' ? { ...k, primaryKey: newKey, rights: 'ServiceConnect, DeviceConnect' } : k)),
        },
      },
      { ifMatch: hub.etag },
    );
    expect((await whoami(hubHost, oldToken)).status).toBe(401);
    const fresh = await whoami(hubHost, sas(hubHost, 'device', newKey));
    expect(fresh.json).toMatchObject({ keyName: 'device', rights: 'ServiceConnect, DeviceConnect' });
    const rr = before.find((k) => k.keyName === 'registryRead')!;
    expect((await whoami(hubHost, sas(hubHost, 'registryRead', rr.primaryKey!))).status).toBe(401);
  });

  it('verifies DPS tokens and answers DPS-style 401 bodies', async () => {
    const [owner] = await collect(dps.iotDpsResource.listKeys('sas-dps', 'rg'));
    const ok = await whoami(dpsHost, sas(dpsHost, owner!.keyName, owner!.secondaryKey!));
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      provisioningService: 'sas-dps',
      keyName: 'provisioningserviceowner',
      rights: 'ServiceConfig, DeviceConnect, EnrollmentWrite',
    });
    expect(ok.json.effectiveRights).toHaveLength(6);
    const bad = await whoami(dpsHost, sas(hubHost, owner!.keyName, owner!.primaryKey!));
    expect(bad.status).toBe(401);
    expect(bad.json).toMatchObject({ errorCode: 401002, message: 'Unauthorized', info: null });
  });

  describe('last use of a policy', () => {
    const rawKeys = async (collection: 'IotHubs' | 'provisioningServices', name: string, keyName?: string) => {
      const base = `${t.url}/subscriptions/${t.tenantId}/resourceGroups/rg/providers/Microsoft.Devices/${collection}/${name}`;
      const keysSegment = collection === 'IotHubs' ? 'IotHubKeys' : 'keys';
      const r = await request(
        `${base}${keyName ? `/${keysSegment}/${keyName}` : ''}/listkeys?api-version=${collection === 'IotHubs' ? '2023-06-30' : '2022-02-05'}`,
        { ca: t.ca, method: 'POST', headers: { authorization: `Bearer ${t.adminToken}` } },
      );
      expect(r.status, r.text).toBe(200);
      return r.json as {
        keyName: string;
        primaryKey: string;
        lastUsedAt: string | null;
        value: { keyName: string; primaryKey: string; lastUsedAt: string | null }[];
      };
    };
    const lastUsed = async (collection: 'IotHubs' | 'provisioningServices', name: string) =>
      Object.fromEntries((await rawKeys(collection, name)).value.map((k) => [k.keyName, k.lastUsedAt]));
    const newHub = async (name: string) =>
      (await hubs.iotHubResource.beginCreateOrUpdateAndWait('rg', name, { location: 'westus', sku: { name: 'S1', capacity: 1 } }))
        .properties!.hostName!;

    it('a successful verification, once the recorder flushed, shows as lastUsedAt in listkeys (hub and DPS); other policies stay null', async () => {
      const host = await newHub('UsedHub');
      expect(Object.values(await lastUsed('IotHubs', 'UsedHub')).every((v) => v === null)).toBe(true);
      const service = (await rawKeys('IotHubs', 'UsedHub')).value.find((k) => k.keyName === 'service')!;
      const before = Date.now();
      expect((await whoami(host, sas(host, 'service', service.primaryKey))).status).toBe(200);
      expect((await lastUsed('IotHubs', 'UsedHub')).service).toBeNull(); // not written on the request path
      await t.server.services.usage.flush();
      const after = await lastUsed('IotHubs', 'UsedHub');
      expect(after.service).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(after.service!)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(after.service!)).toBeLessThanOrEqual(Date.now());
      expect(Object.entries(after).filter(([k, v]) => k !== 'service' && v !== null)).toEqual([]);
      expect((await rawKeys('IotHubs', 'UsedHub', 'service')).lastUsedAt).toBe(after.service);
      // The SDK keeps the undeclared property as an extra field; its declared ones are unchanged.
      const viaSdk = await hubs.iotHubResource.getKeysForKeyName('rg', 'UsedHub', 'service');
      expect(viaSdk).toMatchObject({ keyName: 'service', primaryKey: service.primaryKey, rights: 'ServiceConnect' });

      const usedDpsHost = (
        await dps.iotDpsResource.beginCreateOrUpdateAndWait('rg', 'used-dps', { location: 'westus', sku: { name: 'S1' }, properties: {} })
      ).properties.serviceOperationsHostName!;
      const [owner] = (await rawKeys('provisioningServices', 'used-dps')).value;
      expect(owner!.lastUsedAt).toBeNull();
      expect(await t.server.services.iotSas.verify(sas(usedDpsHost, owner!.keyName, owner!.primaryKey), usedDpsHost)).toMatchObject({
        ok: true,
      });
      await t.server.services.usage.flush();
      expect(Date.parse((await lastUsed('provisioningServices', 'used-dps')).provisioningserviceowner!)).toBeGreaterThanOrEqual(before);
    });

    it('a failed verification does not mark the policy used', async () => {
      const host = await newHub('UnusedHub');
      const owner = (await rawKeys('IotHubs', 'UnusedHub')).value.find((k) => k.keyName === 'iothubowner')!;
      const tampered = sas(host, 'iothubowner', owner.primaryKey).replace(/sig=([^&])/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
      expect((await whoami(host, tampered)).status).toBe(401);
      expect((await whoami(host, sas(host, 'iothubowner', owner.primaryKey, Math.floor(Date.now() / 1000) - 1))).status).toBe(401);
      expect((await whoami(host, sas('otherhub.azure-devices.net', 'iothubowner', owner.primaryKey))).status).toBe(401);
      await t.server.services.usage.flush();
      expect(Object.values(await lastUsed('IotHubs', 'UnusedHub')).every((v) => v === null)).toBe(true);
    });

    it('verifications within a minute write the store once per policy', async () => {
      const host = await newHub('BusyHub');
      const { id } = (await t.server.deps.store.iot.findByName('hub', 'BusyHub'))!;
      const device = (await rawKeys('IotHubs', 'BusyHub')).value.find((k) => k.keyName === 'device')!;
      const touch = vi.spyOn(t.server.deps.store.iot, 'touchPolicy');
      const writes = () => touch.mock.calls.filter(([, resourceId, keyName]) => resourceId === id && keyName === 'device').length;
      try {
        for (let i = 0; i < 3; i++) expect((await whoami(host, sas(host, 'device', device.primaryKey))).status).toBe(200);
        await t.server.services.usage.flush();
        expect(writes()).toBe(1);
        const first = (await lastUsed('IotHubs', 'BusyHub')).device;
        expect(first).not.toBeNull();
        await new Promise((r) => setTimeout(r, 5));
        expect((await whoami(host, sas(host, 'device', device.primaryKey))).status).toBe(200);
        await t.server.services.usage.flush();
        expect(writes()).toBe(1);
        expect((await lastUsed('IotHubs', 'BusyHub')).device).toBe(first);
      } finally {
        touch.mockRestore();
      }
    });
  });

  it('stops accepting tokens of a deleted hub', async () => {
    const owner = await hubs.iotHubResource.getKeysForKeyName('rg', 'SasHub', 'iothubowner');
    const token = sas(hubHost, 'iothubowner', owner.primaryKey!);
    expect((await whoami(hubHost, token)).status).toBe(200);
    await hubs.iotHubResource.beginDeleteAndWait('rg', 'SasHub');
    expect((await whoami(hubHost, token)).status).toBe(401);
  });
});
