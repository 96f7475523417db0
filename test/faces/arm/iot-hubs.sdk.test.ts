import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IotHubClient, type IotHubDescription, type SharedAccessSignatureAuthorizationRule } from '@azure/arm-iothub';
import { startArmServer, request, ADMIN_PASSWORD, type ArmTestServer, type Dialect, collect, sdkError } from './server.js';

const DIALECTS: Dialect[] = ['sqlite', 'postgres'];
const RG = 'rg-Hubs';

describe.each(DIALECTS)('ARM IoT hubs through @azure/arm-iothub (%s)', (dialect) => {
  let t: ArmTestServer;
  let client: IotHubClient;

  beforeAll(async () => {
    t = await startArmServer(dialect, { LATCH_ARM_PAGE_SIZE: '5' });
    client = new IotHubClient(t.credential('admin', ADMIN_PASSWORD), t.tenantId, t.sdkOptions);
  });
  afterAll(async () => t?.close());

  const desc = (extra: Partial<IotHubDescription> = {}): IotHubDescription => ({
    location: 'westus',
    sku: { name: 'S1', capacity: 1 },
    tags: { env: 'ci' },
    ...extra,
  });

  it('creates a hub synchronously and reads it back without keys', async () => {
    const hub = await client.iotHubResource.beginCreateOrUpdateAndWait(RG, 'Hub-One', desc());
    expect(hub).toMatchObject({
      id: `/subscriptions/${t.tenantId}/resourceGroups/${RG}/providers/Microsoft.Devices/IotHubs/Hub-One`,
      name: 'Hub-One',
      type: 'Microsoft.Devices/IotHubs',
      location: 'westus',
      tags: { env: 'ci' },
      sku: { name: 'S1', tier: 'Standard', capacity: 1 },
      properties: { provisioningState: 'Succeeded', state: 'Active', hostName: 'hub-one.azure-devices.net' },
    });
    expect(hub.etag).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(hub.properties?.authorizationPolicies).toBeUndefined();
    expect(hub.systemData?.createdAt).toBeInstanceOf(Date);

    // names are case-insensitive (resource group and hub)
    const got = await client.iotHubResource.get(RG.toUpperCase(), 'hub-one');
    expect(got.etag).toBe(hub.etag);
    expect(JSON.stringify(got)).not.toMatch(/primaryKey|secondaryKey/);
    // the IoT RP extras pass through the SDK as unknown properties
    expect(got).toMatchObject({ resourcegroup: RG, subscriptionid: t.tenantId });
  });

  it('answers the raw GET with the resourcegroup/subscriptionid extras and no keys', async () => {
    const r = await request(
      `${t.url}/subscriptions/${t.tenantId}/resourceGroups/${RG}/providers/Microsoft.Devices/IotHubs/hub-one?api-version=2018-04-01`,
      { ca: t.ca, headers: { authorization: `Bearer ${t.adminToken}` } },
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      resourcegroup: RG,
      subscriptionid: t.tenantId,
      properties: { eventHubEndpoints: { events: { partitionCount: 2, partitionIds: ['0', '1'] } } },
    });
    expect(r.text).not.toMatch(/primaryKey|authorizationPolicies/);
  });

  it('lists hubs by subscription and by resource group', async () => {
    await client.iotHubResource.beginCreateOrUpdateAndWait('other-rg', 'hub-two', desc({ sku: { name: 'B1', capacity: 2 } }));
    const all = await collect(client.iotHubResource.listBySubscription());
    expect(all.map((h) => h.name).sort()).toEqual(['Hub-One', 'hub-two']);
    const inRg = await collect(client.iotHubResource.listByResourceGroup('OTHER-rg'));
    expect(inRg.map((h) => [h.name, h.sku.tier, h.sku.capacity])).toEqual([['hub-two', 'Basic', 2]]);
    expect(await collect(client.iotHubResource.listByResourceGroup('never-used'))).toEqual([]);
  });

  it('lists the five default policies with fresh 256-bit keys and gets one by name', async () => {
    const keys = await collect(client.iotHubResource.listKeys(RG, 'hub-one'));
    expect(keys.map((k) => [k.keyName, k.rights])).toEqual([
      ['iothubowner', 'RegistryWrite, ServiceConnect, DeviceConnect'],
      ['service', 'ServiceConnect'],
      ['device', 'DeviceConnect'],
      ['registryRead', 'RegistryRead'],
      ['registryReadWrite', 'RegistryWrite'],
    ]);
    for (const k of keys) {
      expect(Buffer.from(k.primaryKey!, 'base64')).toHaveLength(32);
      expect(Buffer.from(k.secondaryKey!, 'base64')).toHaveLength(32);
      expect(k.primaryKey).not.toBe(k.secondaryKey);
    }
    const one = await client.iotHubResource.getKeysForKeyName(RG, 'hub-one', 'SERVICE');
    expect(one).toEqual(keys[1]);
    const err = await sdkError(client.iotHubResource.getKeysForKeyName(RG, 'hub-one', 'nope'));
    expect(err).toMatchObject({ statusCode: 404, code: 'KeyNameNotFound' });
  });

  it('replaces policies with If-Match (add, change rights, rotate a key, remove) and listKeys pages across 16 policies', async () => {
    const before = await client.iotHubResource.get(RG, 'hub-one');
    const old = await collect(client.iotHubResource.listKeys(RG, 'hub-one'));
    const rotated = Buffer.alloc(32, 7).toString('base64');
    const policies: SharedAccessSignatureAuthorizationRule[] = [
      { ...old[0]! }, // kept as is
      { ...old[1]!, rights: 'registryread, serviceconnect' as never }, // rights changed (any case in, canonical out)
      { ...old[2]!, primaryKey: rotated }, // primary rotated
      // old[3] registryRead removed; old[4] kept without keys → new keys generated
      { keyName: old[4]!.keyName, rights: 'RegistryWrite' },
      ...Array.from({ length: 12 }, (_, i) => ({ keyName: `extra${i}`, rights: 'DeviceConnect' as const })),
    ];
    expect(policies).toHaveLength(16);
    const updated = await client.iotHubResource.beginCreateOrUpdateAndWait(
      RG,
      'hub-one',
      { ...desc(), properties: { authorizationPolicies: policies } },
      { ifMatch: before.etag },
    );
    expect(updated.etag).not.toBe(before.etag);
    expect(updated.properties?.authorizationPolicies).toBeUndefined();

    const after = await collect(client.iotHubResource.listKeys(RG, 'hub-one'));
    expect(after).toHaveLength(16);
    const byName = new Map(after.map((k) => [k.keyName, k]));
    expect(byName.get('iothubowner')).toEqual(old[0]);
    expect(byName.get('service')).toMatchObject({ rights: 'RegistryRead, ServiceConnect', primaryKey: old[1]!.primaryKey });
    expect(byName.get('device')).toMatchObject({ primaryKey: rotated, secondaryKey: old[2]!.secondaryKey });
    expect(byName.has('registryRead')).toBe(false);
    expect(byName.get('registryReadWrite')!.primaryKey).not.toBe(old[4]!.primaryKey);
    expect(byName.get('extra11')).toMatchObject({ rights: 'DeviceConnect' });

    // the pages themselves: 5 per page, nextLink carries api-version
    const pages = await collect(client.iotHubResource.listKeys(RG, 'hub-one').byPage());
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 1]);
    const raw = await request(
      `${t.url}/subscriptions/${t.tenantId}/resourceGroups/${RG}/providers/Microsoft.Devices/IotHubs/hub-one/listkeys?api-version=2023-06-30`,
      { ca: t.ca, method: 'POST', headers: { authorization: `Bearer ${t.adminToken}` } },
    );
    expect(raw.json.nextLink).toMatch(/\/listkeys\?api-version=2023-06-30&%24skipToken=5$/);

    // a stale etag now fails with 412 and changes nothing
    const stale = await sdkError(
      client.iotHubResource.beginCreateOrUpdateAndWait(
        RG,
        'hub-one',
        { ...desc(), properties: { authorizationPolicies: [] } },
        { ifMatch: before.etag },
      ),
    );
    expect(stale).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
    expect(await collect(client.iotHubResource.listKeys(RG, 'hub-one'))).toEqual(after);

    // a PUT without authorizationPolicies keeps them
    const kept = await client.iotHubResource.beginCreateOrUpdateAndWait(RG, 'hub-one', desc({ tags: {} }), { ifMatch: updated.etag });
    expect(kept.tags).toEqual({});
    expect(await collect(client.iotHubResource.listKeys(RG, 'hub-one'))).toEqual(after);
  });

  it('audits every key listing in the tenant', async () => {
    await t.server.services.auditBuffer.flush();
    const events = await t.server.deps.store.audit.query(t.tenantId, { offset: 0, limit: 500, action: 'iot_hub.keys_listed' });
    expect(events.total).toBeGreaterThanOrEqual(8);
    const updates = await t.server.deps.store.audit.query(t.tenantId, { offset: 0, limit: 50, action: 'iot_hub.updated' });
    expect(updates.items.some((e) => JSON.stringify(e.detail).includes('registryRead'))).toBe(true);
  });

  it.each([
    ['bad sku', { location: 'westus', sku: { name: 'S9', capacity: 1 } }, 'InvalidSku'],
    [
      'duplicate key names',
      {
        ...{ location: 'westus', sku: { name: 'S1', capacity: 1 } },
        properties: {
          authorizationPolicies: [
            { keyName: 'a', rights: 'RegistryRead' },
            { keyName: 'A', rights: 'RegistryRead' },
          ],
        },
      },
      'DuplicateKeyName',
    ],
    [
      '17 policies',
      {
        location: 'westus',
        sku: { name: 'S1', capacity: 1 },
        properties: { authorizationPolicies: Array.from({ length: 17 }, (_, i) => ({ keyName: `k${i}`, rights: 'RegistryRead' })) },
      },
      'TooManyAuthorizationPolicies',
    ],
    [
      'bad base64 key',
      {
        location: 'westus',
        sku: { name: 'S1', capacity: 1 },
        properties: { authorizationPolicies: [{ keyName: 'a', rights: 'RegistryRead', primaryKey: 'not base64!' }] },
      },
      'InvalidKey',
    ],
    [
      'short key',
      {
        location: 'westus',
        sku: { name: 'S1', capacity: 1 },
        properties: { authorizationPolicies: [{ keyName: 'a', rights: 'RegistryRead', primaryKey: 'AAAA' }] },
      },
      'InvalidKey',
    ],
  ] as [string, IotHubDescription, string][])(
    'rejects %s with 400 through the SDK and leaves the hub unchanged',
    async (_n, body, code) => {
      const before = await client.iotHubResource.get(RG, 'hub-one');
      const keys = await collect(client.iotHubResource.listKeys(RG, 'hub-one'));
      const err = await sdkError(client.iotHubResource.beginCreateOrUpdateAndWait(RG, 'hub-one', body));
      expect(err).toMatchObject({ statusCode: 400, code });
      expect((await client.iotHubResource.get(RG, 'hub-one')).etag).toBe(before.etag);
      expect(await collect(client.iotHubResource.listKeys(RG, 'hub-one'))).toEqual(keys);
    },
  );

  it.each([
    [
      'unknown rights',
      {
        location: 'westus',
        sku: { name: 'S1' },
        properties: { authorizationPolicies: [{ keyName: 'a', rights: 'RegistryRead, Everything' }] },
      },
      'InvalidAccessRights',
    ],
    ['missing location', { sku: { name: 'S1' } }, 'LocationRequired'],
    ['missing sku', { location: 'westus' }, 'InvalidSku'],
    ['a changed location', { location: 'eastus', sku: { name: 'S1' } }, 'InvalidResourceLocation'],
    ['malformed JSON', '{"location":', 'InvalidRequestContent'],
  ])('rejects %s (raw PUT, the SDK checks these client-side) and leaves the hub unchanged', async (_n, body, code) => {
    const before = await client.iotHubResource.get(RG, 'hub-one');
    const r = await request(
      `${t.url}/subscriptions/${t.tenantId}/resourceGroups/${RG}/providers/Microsoft.Devices/IotHubs/hub-one?api-version=2023-06-30`,
      { ca: t.ca, method: 'PUT', headers: { authorization: `Bearer ${t.adminToken}` }, body },
    );
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe(code);
    expect((await client.iotHubResource.get(RG, 'hub-one')).etag).toBe(before.etag);
  });

  it('keeps hub names global: another resource group or tenant cannot take one (409 NameUnavailable)', async () => {
    const err = await sdkError(client.iotHubResource.beginCreateOrUpdateAndWait('rg-else', 'HUB-ONE', desc()));
    expect(err).toMatchObject({ statusCode: 409, code: 'NameUnavailable' });
  });

  it('lets IoT Reader see hubs but not their keys (403 AuthorizationFailed)', async () => {
    const reader = await t.user(t.tenantId, `reader-${dialect}`, ['IoT Reader']);
    const rc = new IotHubClient(t.credential(reader.username, reader.password), t.tenantId, t.sdkOptions);
    expect((await rc.iotHubResource.get(RG, 'hub-one')).name).toBe('Hub-One');
    const e1 = await sdkError(collect(rc.iotHubResource.listKeys(RG, 'hub-one')));
    expect(e1).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    expect(e1.message).toContain('listkeys');
    const e2 = await sdkError(rc.iotHubResource.getKeysForKeyName(RG, 'hub-one', 'iothubowner'));
    expect(e2).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    const e3 = await sdkError(rc.iotHubResource.beginCreateOrUpdateAndWait(RG, 'hub-reader', desc()));
    expect(e3).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
  });

  it("answers 403 on another tenant's subscription without revealing whether the hub exists", async () => {
    const other = await request(`${t.url}/iam/tenants`, {
      ca: t.ca,
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}` },
      body: { name: `Other-${dialect}` },
    });
    expect(other.status).toBe(201);
    const otherId = other.json.id as string;
    const adminOther = new IotHubClient(t.credential('admin', ADMIN_PASSWORD), otherId, t.sdkOptions);
    await adminOther.iotHubResource.beginCreateOrUpdateAndWait('rg', 'hub-of-other', desc());

    const contributor = await t.user(t.tenantId, `contrib-${dialect}`, ['IoT Contributor']);
    const cc = new IotHubClient(t.credential(contributor.username, contributor.password), otherId, t.sdkOptions);
    const exists = await sdkError(cc.iotHubResource.get('rg', 'hub-of-other'));
    const missing = await sdkError(cc.iotHubResource.get('rg', 'no-such-hub'));
    expect(exists).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    expect(missing).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    expect(exists.message.replace('hub-of-other', 'X')).toBe(missing.message.replace('no-such-hub', 'X'));
    const unknownSub = new IotHubClient(
      t.credential(contributor.username, contributor.password),
      '00000000-0000-4000-8000-000000000000',
      t.sdkOptions,
    );
    expect(await sdkError(collect(unknownSub.iotHubResource.listBySubscription()))).toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
  });

  it('deletes a hub; a second delete and a get answer 404 ResourceNotFound', async () => {
    await client.iotHubResource.beginDeleteAndWait('other-rg', 'hub-two');
    expect(await sdkError(client.iotHubResource.get('other-rg', 'hub-two'))).toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
    expect(await sdkError(client.iotHubResource.beginDeleteAndWait('other-rg', 'hub-two'))).toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    // the name is free again
    await client.iotHubResource.beginCreateOrUpdateAndWait('third-rg', 'hub-two', desc());
    await client.iotHubResource.beginDeleteAndWait('third-rg', 'hub-two');
  });
});
