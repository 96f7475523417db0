import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IotDpsClient,
  type ProvisioningServiceDescription,
  type SharedAccessSignatureAuthorizationRuleAccessRightsDescription as Rule,
} from '@azure/arm-deviceprovisioningservices';
import { startArmServer, request, ADMIN_PASSWORD, type ArmTestServer, type Dialect, collect, sdkError } from './server.js';

const DIALECTS: Dialect[] = ['sqlite', 'postgres'];
const RG = 'rg-dps';

const desc = (extra: Partial<ProvisioningServiceDescription> = {}): ProvisioningServiceDescription => ({
  location: 'eastus',
  properties: {},
  sku: { name: 'S1', capacity: 1 },
  ...extra,
});
/** The DPS SDK has no ifMatch option; If-Match goes in as a custom header, as az does on the wire. */
const ifMatch = (etag: string | undefined) => ({ requestOptions: { customHeaders: { 'If-Match': etag ?? '' } } });

describe.each(DIALECTS)('ARM provisioning services through @azure/arm-deviceprovisioningservices (%s)', (dialect) => {
  let t: ArmTestServer;
  let client: IotDpsClient;

  beforeAll(async () => {
    t = await startArmServer(dialect, { LATCH_ARM_PAGE_SIZE: '4' });
    client = new IotDpsClient(t.credential('admin', ADMIN_PASSWORD), t.tenantId, t.sdkOptions);
  });
  afterAll(async () => t?.close());

  it('creates a DPS (rg, name, desc) and gets it back (name, rg) without keys', async () => {
    const dps = await client.iotDpsResource.beginCreateOrUpdateAndWait(RG, 'My-Dps', desc({ tags: { a: 'b' } }));
    expect(dps).toMatchObject({
      id: `/subscriptions/${t.tenantId}/resourceGroups/${RG}/providers/Microsoft.Devices/provisioningServices/My-Dps`,
      name: 'My-Dps',
      type: 'Microsoft.Devices/ProvisioningServices',
      location: 'eastus',
      tags: { a: 'b' },
      sku: { name: 'S1', tier: 'Standard', capacity: 1 },
      properties: {
        state: 'Active',
        provisioningState: 'Succeeded',
        allocationPolicy: 'Hashed',
        serviceOperationsHostName: 'my-dps.azure-devices-provisioning.net',
        deviceProvisioningHostName: 'global.azure-devices-provisioning.net',
        iotHubs: [],
        authorizationPolicies: [],
      },
    });
    expect(dps.properties.idScope).toMatch(/^0ne[0-9A-F]{8}$/);
    const got = await client.iotDpsResource.get('my-dps', RG.toUpperCase());
    expect(got.etag).toBe(dps.etag);
    expect(got.properties.idScope).toBe(dps.properties.idScope);
    expect(JSON.stringify(got)).not.toMatch(/primaryKey/);
    expect((await collect(client.iotDpsResource.listBySubscription())).map((d) => d.name)).toEqual(['My-Dps']);
    expect((await collect(client.iotDpsResource.listByResourceGroup(RG))).map((d) => d.name)).toEqual(['My-Dps']);
  });

  it('lists the owner policy and gets it by name (name, keyName, rg)', async () => {
    const keys = await collect(client.iotDpsResource.listKeys('my-dps', RG));
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ keyName: 'provisioningserviceowner', rights: 'ServiceConfig, DeviceConnect, EnrollmentWrite' });
    expect(Buffer.from(keys[0]!.primaryKey!, 'base64')).toHaveLength(32);
    expect(await client.iotDpsResource.listKeysForKeyName('my-dps', 'provisioningserviceowner', RG)).toEqual(keys[0]);
    expect(await sdkError(client.iotDpsResource.listKeysForKeyName('my-dps', 'nope', RG))).toMatchObject({
      statusCode: 404,
      code: 'KeyNameNotFound',
    });
  });

  it('replaces policies with If-Match (add, change rights, rotate, remove) and pages listKeys', async () => {
    const before = await client.iotDpsResource.get('my-dps', RG);
    const [owner] = await collect(client.iotDpsResource.listKeys('my-dps', RG));
    const rotated = Buffer.alloc(32, 9).toString('base64');
    const policies: Rule[] = [
      { ...owner!, primaryKey: rotated },
      { keyName: 'enroll', rights: 'enrollmentread, enrollmentwrite' },
      ...Array.from({ length: 14 }, (_, i) => ({ keyName: `svc${i}`, rights: 'ServiceConfig' })),
    ];
    const updated = await client.iotDpsResource.beginCreateOrUpdateAndWait(
      RG,
      'my-dps',
      desc({ properties: { authorizationPolicies: policies } }),
      ifMatch(before.etag),
    );
    expect(updated.etag).not.toBe(before.etag);
    expect(updated.properties.authorizationPolicies).toEqual([]);
    const pages = await collect(client.iotDpsResource.listKeys('my-dps', RG).byPage());
    expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 4]);
    const after = pages.flat();
    expect(after[0]).toMatchObject({ keyName: 'provisioningserviceowner', primaryKey: rotated, secondaryKey: owner!.secondaryKey });
    expect(after[1]).toMatchObject({ keyName: 'enroll', rights: 'EnrollmentRead, EnrollmentWrite' });

    // change rights, remove everything but two
    const again = await client.iotDpsResource.beginCreateOrUpdateAndWait(
      RG,
      'my-dps',
      desc({ properties: { authorizationPolicies: [after[0]!, { ...after[1]!, rights: 'EnrollmentRead' }] } }),
      ifMatch(updated.etag),
    );
    expect((await collect(client.iotDpsResource.listKeys('my-dps', RG))).map((k) => [k.keyName, k.rights, k.primaryKey])).toEqual([
      ['provisioningserviceowner', 'ServiceConfig, DeviceConnect, EnrollmentWrite', rotated],
      ['enroll', 'EnrollmentRead', after[1]!.primaryKey],
    ]);
    const stale = await sdkError(client.iotDpsResource.beginCreateOrUpdateAndWait(RG, 'my-dps', desc(), ifMatch(updated.etag)));
    expect(stale).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
    expect((await client.iotDpsResource.get('my-dps', RG)).etag).toBe(again.etag);
  });

  it.each([
    ['bad rights', desc({ properties: { authorizationPolicies: [{ keyName: 'x', rights: 'RegistryRead' }] } }), 'InvalidAccessRights'],
    ['bad sku', desc({ sku: { name: 'S2' as never, capacity: 1 } }), 'InvalidSku'],
    [
      'duplicate names',
      desc({
        properties: {
          authorizationPolicies: [
            { keyName: 'x', rights: 'ServiceConfig' },
            { keyName: 'X', rights: 'ServiceConfig' },
          ],
        },
      }),
      'DuplicateKeyName',
    ],
    [
      '17 policies',
      desc({
        properties: { authorizationPolicies: Array.from({ length: 17 }, (_, i) => ({ keyName: `k${i}`, rights: 'ServiceConfig' })) },
      }),
      'TooManyAuthorizationPolicies',
    ],
    [
      'bad base64',
      desc({ properties: { authorizationPolicies: [{ keyName: 'x', rights: 'ServiceConfig', secondaryKey: '@@@@' }] } }),
      'InvalidKey',
    ],
  ])('rejects %s with 400 and changes nothing', async (_n, body, code) => {
    const before = await client.iotDpsResource.get('my-dps', RG);
    const keys = await collect(client.iotDpsResource.listKeys('my-dps', RG));
    expect(await sdkError(client.iotDpsResource.beginCreateOrUpdateAndWait(RG, 'my-dps', body))).toMatchObject({ statusCode: 400, code });
    expect((await client.iotDpsResource.get('my-dps', RG)).etag).toBe(before.etag);
    expect(await collect(client.iotDpsResource.listKeys('my-dps', RG))).toEqual(keys);
  });

  it('lets a custom role with DPS Read only see the DPS, not list its keys', async () => {
    const role = await request(`${t.url}/iam/roles`, {
      ca: t.ca,
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'x-tenant-id': t.tenantId },
      body: { name: `dps-viewer-${dialect}`, permissions: ['DPS Read'] },
    });
    expect(role.status).toBe(201);
    const u = await t.user(t.tenantId, `viewer-${dialect}`, [`dps-viewer-${dialect}`]);
    const vc = new IotDpsClient(t.credential(u.username, u.password), t.tenantId, t.sdkOptions);
    expect((await vc.iotDpsResource.get('my-dps', RG)).name).toBe('My-Dps');
    expect(await sdkError(collect(vc.iotDpsResource.listKeys('my-dps', RG)))).toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    expect(await sdkError(vc.iotDpsResource.listKeysForKeyName('my-dps', 'provisioningserviceowner', RG))).toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    expect(await sdkError(vc.iotDpsResource.beginDeleteAndWait('my-dps', RG))).toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
  });

  it('works with an API key credential (client_credentials at the real token endpoint)', async () => {
    const key = await request(`${t.url}/iam/api-keys`, {
      ca: t.ca,
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'x-tenant-id': t.tenantId },
      body: { name: `arm-key-${dialect}`, roles: ['IoT Contributor'] },
    });
    expect(key.status).toBe(201);
    const credential = {
      getToken: async () => {
        const r = await request(`${t.url}/iam/auth/token`, {
          ca: t.ca,
          method: 'POST',
          body: { grant_type: 'client_credentials', client_id: key.json.clientId, client_secret: key.json.secret },
        });
        return { token: r.json.access_token as string, expiresOnTimestamp: Date.now() + 240_000 };
      },
    };
    const kc = new IotDpsClient(credential, t.tenantId, t.sdkOptions);
    const [owner] = await collect(kc.iotDpsResource.listKeys('my-dps', RG));
    expect(owner!.keyName).toBe('provisioningserviceowner');
    await t.server.services.auditBuffer.flush();
    const audit = await t.server.deps.store.audit.query(t.tenantId, { offset: 0, limit: 5, action: 'dps.keys_listed' });
    expect(audit.items[0]).toMatchObject({ actorType: 'api_key', targetType: 'dps' });
  });

  it('deletes (name, rg); then 404 ResourceNotFound', async () => {
    await client.iotDpsResource.beginDeleteAndWait('MY-DPS', RG);
    expect(await sdkError(client.iotDpsResource.get('my-dps', RG))).toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
    expect(await sdkError(client.iotDpsResource.beginDeleteAndWait('my-dps', RG))).toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
  });
});
