import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArmServer, request, type ArmTestServer, type Dialect } from './server.js';

describe.each(['sqlite', 'postgres'] as Dialect[])('ARM writes racing each other (%s)', (dialect) => {
  let t: ArmTestServer;
  const url = (name: string) =>
    `${t.url}/subscriptions/${t.tenantId}/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/${name}?api-version=2023-06-30`;
  const put = (name: string, body: unknown, headers: Record<string, string> = {}) =>
    request(url(name), { ca: t.ca, method: 'PUT', body, headers: { authorization: `Bearer ${t.adminToken}`, ...headers } });

  beforeAll(async () => {
    t = await startArmServer(dialect);
  });
  afterAll(async () => t?.close());

  it('parallel creates of one hub: one 201, the rest 200 updates, one hub', async () => {
    const rs = await Promise.all(Array.from({ length: 6 }, () => put('race-hub', { location: 'westus', sku: { name: 'S1' } })));
    expect(rs.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    const list = await request(`${t.url}/subscriptions/${t.tenantId}/providers/Microsoft.Devices/IotHubs?api-version=2023-06-30`, {
      ca: t.ca,
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(list.json.value.filter((h: { name: string }) => h.name === 'race-hub')).toHaveLength(1);
  });

  it('parallel updates with the same If-Match: exactly one wins, the others get 412', async () => {
    const etag = (await put('race-hub', { location: 'westus', sku: { name: 'S1' } })).json.etag as string;
    const rs = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        put(
          'race-hub',
          {
            location: 'westus',
            sku: { name: 'S1' },
            properties: { authorizationPolicies: [{ keyName: `only${i}`, rights: 'ServiceConnect' }] },
          },
          { 'if-match': etag },
        ),
      ),
    );
    expect(rs.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412, 412]);
    const keys = await request(`${url('race-hub').replace('?', '/listkeys?')}`, {
      ca: t.ca,
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(keys.json.value).toHaveLength(1);
  });
});
