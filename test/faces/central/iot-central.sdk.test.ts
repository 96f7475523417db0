import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IotCentralClient } from '@azure/arm-iotcentral';
import { ADMIN_PASSWORD, collect, request, sdkError, startArmServer, type ArmTestServer, type Dialect } from '../arm/server.js';

const RG = 'rg-Central';

describe.each(['sqlite', 'postgres'] as Dialect[])('IoT Central apps through @azure/arm-iotcentral over https (%s)', (dialect) => {
  let t: ArmTestServer;
  let client: IotCentralClient;
  beforeAll(async () => {
    t = await startArmServer(dialect);
    client = new IotCentralClient(t.credential('admin', ADMIN_PASSWORD), t.tenantId, t.sdkOptions);
  });
  afterAll(async () => t?.close());

  it('creates an app synchronously (the poller is done on the first answer) and gets it', async () => {
    const app = await client.apps.beginCreateOrUpdateAndWait(
      RG,
      `Central-One-${dialect}`,
      {
        location: 'westus',
        sku: { name: 'ST1' },
        tags: { env: 'ci' },
        displayName: 'Central One',
        subdomain: `central-one-${dialect}`,
        template: 'iotc-pnp-preview',
      },
      { updateIntervalInMs: 60_000 },
    );
    expect(app).toMatchObject({
      id: `/subscriptions/${t.tenantId}/resourceGroups/${RG}/providers/Microsoft.IoTCentral/iotApps/Central-One-${dialect}`,
      name: `Central-One-${dialect}`,
      type: 'Microsoft.IoTCentral/IoTApps',
      location: 'westus',
      tags: { env: 'ci' },
      sku: { name: 'ST1' },
      displayName: 'Central One',
      subdomain: `central-one-${dialect}`,
      template: 'iotc-pnp-preview',
      state: 'created',
    });
    expect(app.applicationId).toMatch(/^[0-9a-f-]{36}$/);
    const got = await client.apps.get(RG.toUpperCase(), `central-one-${dialect}`);
    expect(got.applicationId).toBe(app.applicationId);
    // update in place: 200, same application id
    const updated = await client.apps.beginCreateOrUpdateAndWait(RG, `Central-One-${dialect}`, {
      location: 'westus',
      sku: { name: 'ST2' },
      displayName: 'Renamed',
    });
    expect(updated).toMatchObject({
      applicationId: app.applicationId,
      sku: { name: 'ST2' },
      displayName: 'Renamed',
      subdomain: `central-one-${dialect}`,
    });
    const patched = await client.apps.beginUpdateAndWait(RG, `Central-One-${dialect}`, { tags: { patched: 'yes' } });
    expect(patched).toMatchObject({ tags: { patched: 'yes' }, sku: { name: 'ST2' } });
  });

  it('lists by subscription and by resource group', async () => {
    await client.apps.beginCreateOrUpdateAndWait('other-rg', `central-two-${dialect}`, { location: 'eastus', sku: { name: 'ST0' } });
    const all = await collect(client.apps.listBySubscription());
    expect(all.map((a) => a.name).sort()).toEqual([`Central-One-${dialect}`, `central-two-${dialect}`]);
    const inRg = await collect(client.apps.listByResourceGroup('OTHER-rg'));
    expect(inRg.map((a) => [a.name, a.subdomain, a.sku?.name])).toEqual([[`central-two-${dialect}`, `central-two-${dialect}`, 'ST0']]);
    expect(await collect(client.apps.listByResourceGroup('never-used'))).toEqual([]);
  });

  it('checks name and subdomain availability (global)', async () => {
    expect(await client.apps.checkNameAvailability({ name: `central-one-${dialect}` })).toMatchObject({
      nameAvailable: false,
      reason: 'AlreadyExists',
    });
    expect(await client.apps.checkNameAvailability({ name: `free-${dialect}` })).toMatchObject({ nameAvailable: true });
    expect(await client.apps.checkNameAvailability({ name: '-bad' })).toMatchObject({ nameAvailable: false, reason: 'Invalid' });
    expect(await client.apps.checkSubdomainAvailability({ name: `CENTRAL-ONE-${dialect}` })).toMatchObject({
      nameAvailable: false,
      reason: 'AlreadyExists',
    });
    expect(await client.apps.checkSubdomainAvailability({ name: `free-sub-${dialect}` })).toMatchObject({ nameAvailable: true });
  });

  it('refuses a taken subdomain (409), a bad SKU and a GUID subdomain (400) and leaves nothing behind', async () => {
    expect(
      await sdkError(
        client.apps.beginCreateOrUpdateAndWait(RG, `dup-${dialect}`, {
          location: 'westus',
          sku: { name: 'ST1' },
          subdomain: `central-one-${dialect}`,
        }),
      ),
    ).toMatchObject({ statusCode: 409, code: 'SubdomainUnavailable' });
    expect(
      await sdkError(client.apps.beginCreateOrUpdateAndWait(RG, `bad-${dialect}`, { location: 'westus', sku: { name: 'ST9' } })),
    ).toMatchObject({ statusCode: 400, code: 'InvalidSku' });
    expect(
      await sdkError(
        client.apps.beginCreateOrUpdateAndWait(RG, `bad-${dialect}`, {
          location: 'westus',
          sku: { name: 'ST1' },
          subdomain: '3f1c9a52-0c1e-4d7e-9a55-2b8f0e6d4c11',
        }),
      ),
    ).toMatchObject({ statusCode: 400, code: 'InvalidSubdomain' });
    expect(await sdkError(client.apps.get(RG, `dup-${dialect}`))).toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
  });

  it('serves the data plane of the app over https, by path', async () => {
    const app = await client.apps.get(RG, `Central-One-${dialect}`);
    const r = await request(`${t.url}/central/${app.subdomain}/api/roles?api-version=2022-07-31`, {
      ca: t.ca,
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(r.status).toBe(200);
    expect(r.json.value).toHaveLength(6);
  });

  it('lets IoT Reader read apps but not create them (403 AuthorizationFailed)', async () => {
    const reader = await t.user(t.tenantId, `central-reader-${dialect}`, ['IoT Reader']);
    const rc = new IotCentralClient(t.credential(reader.username, reader.password), t.tenantId, t.sdkOptions);
    expect((await rc.apps.get(RG, `Central-One-${dialect}`)).name).toBe(`Central-One-${dialect}`);
    expect(
      await sdkError(rc.apps.beginCreateOrUpdateAndWait(RG, `reader-${dialect}`, { location: 'westus', sku: { name: 'ST1' } })),
    ).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    expect(await sdkError(rc.apps.beginDeleteAndWait(RG, `Central-One-${dialect}`))).toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
  });

  it('deletes apps; a second delete and a get answer 404 ResourceNotFound; the name is free again', async () => {
    await client.apps.beginDeleteAndWait('other-rg', `central-two-${dialect}`);
    expect(await sdkError(client.apps.get('other-rg', `central-two-${dialect}`))).toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    expect(await sdkError(client.apps.beginDeleteAndWait('other-rg', `central-two-${dialect}`))).toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    expect(await client.apps.checkNameAvailability({ name: `central-two-${dialect}` })).toMatchObject({ nameAvailable: true });
    await client.apps.beginDeleteAndWait(RG, `Central-One-${dialect}`);
    expect(await collect(client.apps.listBySubscription())).toEqual([]);
  });
});
