import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type StoreTarget } from '../../../src/store/open.js';
import { UniqueViolation, type IotResource, type SealedPolicy, type Store } from '../../../src/store/port.js';
import { PG_URL, type Dialect } from './server.js';

/** The `iot` port member on both dialects: tenant isolation, global names, CAS, cascades. */
describe.each(['sqlite', 'postgres'] as Dialect[])('store.iot (%s)', (dialect) => {
  let store: Store;
  let dir: string;
  const schema = `arm_store_${randomBytes(6).toString('hex')}`;
  const A = randomUUID();
  const B = randomUUID();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-iot-store-'));
    const target: StoreTarget = dialect === 'sqlite' ? { kind: 'sqlite', file: path.join(dir, 'db') } : { kind: 'postgres', url: PG_URL, schema };
    store = await openStore(target);
    for (const id of [A, B]) await store.tenants.insert({ id, name: id, parentId: null, createdAt: 1 });
  });
  afterAll(async () => {
    await store?.close();
    if (dialect === 'postgres') {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try { await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`); } finally { await c.end(); }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const resource = (tenantId: string, name: string, rg = 'Rg'): IotResource => ({
    id: randomUUID(), tenantId, kind: 'hub', resourceGroup: rg, name, location: 'westus', skuName: 'S1', skuCapacity: 1, tags: { a: 'b' },
    properties: { partitionCount: 2 }, etag: 'e1', createdAt: 1, createdBy: 'admin', createdByType: 'User', updatedAt: 1, updatedBy: null, updatedByType: null,
  });
  const policy = (keyName: string): SealedPolicy => ({ keyName, rights: 'RegistryRead', primaryEnc: `p-${keyName}`, secondaryEnc: `s-${keyName}` });

  it('case=roundtrip: insert, get case-insensitively, list, policies in order', async () => {
    const r = resource(A, 'Store-Hub');
    await store.iot.insert(r, [policy('z'), policy('a')]);
    expect(await store.iot.get(A, 'hub', 'rG', 'store-hub')).toEqual(r);
    expect(await store.iot.findByName('hub', 'STORE-HUB')).toEqual(r);
    expect(await store.iot.get(A, 'dps', 'rg', 'store-hub')).toBeUndefined();
    expect((await store.iot.list(A, 'hub')).map((x) => x.name)).toEqual(['Store-Hub']);
    expect(await store.iot.list(A, 'hub', 'other')).toEqual([]);
    expect((await store.iot.policies(A, r.id)).map((p) => p.keyName)).toEqual(['z', 'a']);
  });

  it('case=isolation: another tenant neither sees, changes nor deletes it', async () => {
    const r = (await store.iot.findByName('hub', 'store-hub'))!;
    expect(await store.iot.get(B, 'hub', 'rg', 'store-hub')).toBeUndefined();
    expect(await store.iot.list(B, 'hub')).toEqual([]);
    expect(await store.iot.policies(B, r.id)).toEqual([]);
    expect(await store.iot.update(B, { ...r, tenantId: B, etag: 'x' }, r.etag, [])).toBe(false);
    expect(await store.iot.delete(B, r.id)).toBe(false);
    expect(await store.iot.policies(A, r.id)).toHaveLength(2);
  });

  it('case=global-name: the same name of the same kind is refused in any tenant; another kind may use it', async () => {
    await expect(store.iot.insert(resource(B, 'STORE-hub'), [])).rejects.toBeInstanceOf(UniqueViolation);
    await store.iot.insert({ ...resource(B, 'store-hub'), kind: 'dps' }, []);
  });

  it('case=cas: update applies only on the expected etag and replaces the policy set atomically', async () => {
    const r = (await store.iot.get(A, 'hub', 'rg', 'store-hub'))!;
    expect(await store.iot.update(A, { ...r, etag: 'e2', tags: {} }, 'stale', [policy('x')])).toBe(false);
    expect(await store.iot.policies(A, r.id)).toHaveLength(2);
    expect(await store.iot.update(A, { ...r, etag: 'e2', tags: {} }, 'e1', [policy('x')])).toBe(true);
    expect(await store.iot.get(A, 'hub', 'rg', 'store-hub')).toMatchObject({ etag: 'e2', tags: {} });
    expect((await store.iot.policies(A, r.id)).map((p) => p.keyName)).toEqual(['x']);
    expect(await store.iot.update(A, { ...r, etag: 'e3' }, 'e2')).toBe(true);
    expect((await store.iot.policies(A, r.id)).map((p) => p.keyName)).toEqual(['x']);
  });

  it('case=transaction: a failed transaction leaves nothing behind', async () => {
    const r = resource(A, 'tx-hub');
    await expect(store.transaction(async (tx) => {
      await tx.iot.insert(r, [policy('a')]);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await store.iot.findByName('hub', 'tx-hub')).toBeUndefined();
  });

  it('case=cascade: deleting a resource or its tenant deletes its policies', async () => {
    const r = (await store.iot.get(A, 'hub', 'rg', 'store-hub'))!;
    expect(await store.iot.delete(A, r.id)).toBe(true);
    expect(await store.iot.policies(A, r.id)).toEqual([]);
    const d = { ...resource(B, 'gone-with-tenant') };
    await store.iot.insert(d, [policy('a')]);
    await store.tenants.delete(B);
    expect(await store.iot.findByName('hub', 'gone-with-tenant')).toBeUndefined();
    expect(await store.iot.policies(B, d.id)).toEqual([]);
  });
});
