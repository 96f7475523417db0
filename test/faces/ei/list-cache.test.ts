import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, pgSchema, PG_URL, type TestApp } from '../../harness.js';

// EI list pages are served from memory; these prove every write is visible at once, on the node
// that wrote and on another node sharing the database.
describe('EI list pages cached in memory', () => {
  let a: TestApp;
  let b: TestApp;
  let tenant: string;
  let tokA: string;
  let tokB: string;
  const schema = pgSchema();

  beforeAll(async () => {
    const masterKey = randomBytes(32).toString('base64');
    const target = { kind: 'postgres' as const, url: PG_URL, schema: schema.schema };
    a = await makeTestApp({ target, masterKey });
    b = await makeTestApp({ target, masterKey });
    tenant = a.defaultTenantId;
    tokA = await a.adminToken();
    tokB = await b.adminToken();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await schema.drop();
  });

  const names = async (t: TestApp, token: string, path: 'agents' | 'assetTypes') => {
    const res = await t.req('GET', `/nbapi/ei/v1/${path}`, { token, tenant });
    expect(res.statusCode).toBe(200);
    const body = res.json() as Record<string, { name: string }[]> & { total: number };
    return { names: body[path]!.map((x) => x.name), total: body.total };
  };

  it('an asset type created, renamed and deleted shows at once on the same node', async () => {
    expect((await names(a, tokA, 'assetTypes')).names).toEqual([]);
    const created = await a.req('POST', '/nbapi/ei/v1/assetTypes', {
      token: tokA,
      tenant,
      body: { name: 'Fridge', connectionType: 'MODBUS_TCP' },
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json() as { id: string };
    expect(await names(a, tokA, 'assetTypes')).toEqual({ names: ['Fridge'], total: 1 });
    expect(
      (await a.req('PUT', `/nbapi/ei/v1/assetTypes/${id}`, { token: tokA, tenant, body: { name: 'Freezer', connectionType: 'MQTT' } }))
        .statusCode,
    ).toBe(200);
    expect((await names(a, tokA, 'assetTypes')).names).toEqual(['Freezer']);
    expect((await a.req('DELETE', `/nbapi/ei/v1/assetTypes/${id}`, { token: tokA, tenant })).statusCode).toBe(204);
    expect(await names(a, tokA, 'assetTypes')).toEqual({ names: [], total: 0 });
  });

  it('an agent registered on node B is listed by node A, which had cached the empty page, within 1 s', async () => {
    expect((await names(a, tokA, 'agents')).names).toEqual([]);
    const reg = await b.req('POST', '/nbapi/ei/v1/agents', { token: tokB, tenant, body: { name: 'edge-1' } });
    expect(reg.statusCode).toBe(201);
    const deadline = Date.now() + 1000;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = (await names(a, tokA, 'agents')).names;
      if (seen.length) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toEqual(['edge-1']);
  });
});
