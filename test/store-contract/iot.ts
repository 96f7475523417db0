import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueViolation, type Store } from '../../src/store/port.js';
import type { IotKind, IotResource, SealedPolicy } from '../../src/domain/types.js';
import { T0, tenant, type Open } from './fixtures.js';

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

const resourceRow = (tenantId: string, name = unique('Hub'), resourceGroup = 'Rg', kind: IotKind = 'hub'): IotResource => ({
  id: randomUUID(),
  tenantId,
  kind,
  resourceGroup,
  name,
  location: 'westus',
  skuName: 'S1',
  skuCapacity: 1,
  tags: { a: 'b' },
  properties: { partitionCount: 2 },
  etag: 'e1',
  createdAt: T0,
  createdBy: 'admin',
  createdByType: 'User',
  updatedAt: T0,
  updatedBy: null,
  updatedByType: null,
});
const policy = (keyName: string, rights = 'RegistryRead'): SealedPolicy => ({
  keyName,
  rights,
  primaryEnc: `p-${keyName}`,
  secondaryEnc: `s-${keyName}`,
});
const stored = (p: SealedPolicy, lastUsedAt: number | null = null) => ({ ...p, lastUsedAt });
const names = async (s: Store, tenantId: string, id: string) => (await s.iot.policies(tenantId, id)).map((p) => p.keyName);

export function iotContract(open: Open) {
  describe('iot', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it('inserts; gets by resource group and name case-insensitively; finds by name in any tenant; lists by tenant and resource group, ordered by name; policies in their order', async () => {
      const t = await tenant(s);
      const r = resourceRow(t.id, unique('Store-Hub'));
      const other = resourceRow(t.id, `a-${r.name}`, 'Other');
      await s.iot.insert(r, [policy('z'), policy('a')]);
      await s.iot.insert(other, []);
      expect(await s.iot.get(t.id, 'hub', 'rG', r.name.toLowerCase())).toEqual(r);
      expect(await s.iot.findByName('hub', r.name.toUpperCase())).toEqual(r);
      expect(await s.iot.get(t.id, 'dps', 'rg', r.name)).toBeUndefined();
      expect(await s.iot.get(t.id, 'hub', 'other', r.name)).toBeUndefined();
      expect((await s.iot.list(t.id, 'hub')).map((x) => x.name)).toEqual([other.name, r.name]);
      expect((await s.iot.list(t.id, 'hub', 'RG')).map((x) => x.name)).toEqual([r.name]);
      expect(await s.iot.list(t.id, 'hub', 'nowhere')).toEqual([]);
      expect(await s.iot.list(t.id, 'dps')).toEqual([]);
      expect(await s.iot.policies(t.id, r.id)).toEqual([stored(policy('z')), stored(policy('a'))]);
      expect(await s.iot.policies(t.id, other.id)).toEqual([]);
    });

    it('case=unique: a name is unique per kind across all tenants (case-insensitively); another kind may use it', async () => {
      const a = await tenant(s);
      const b = await tenant(s);
      const r = resourceRow(a.id, unique('Global'));
      await s.iot.insert(r, []);
      await expect(s.iot.insert(resourceRow(b.id, r.name.toUpperCase()), [])).rejects.toBeInstanceOf(UniqueViolation);
      await expect(s.iot.insert(resourceRow(a.id, r.name.toLowerCase(), 'elsewhere'), [])).rejects.toBeInstanceOf(UniqueViolation);
      await s.iot.insert(resourceRow(b.id, r.name, 'Rg', 'dps'), []);
      expect((await s.iot.findByName('dps', r.name))?.tenantId).toBe(b.id);
    });

    it('case=tenant-isolation: another tenant neither gets, lists, reads policies of, updates, touches nor deletes it', async () => {
      const a = await tenant(s);
      const b = await tenant(s);
      const r = resourceRow(a.id);
      await s.iot.insert(r, [policy('x'), policy('y')]);
      expect(await s.iot.get(b.id, 'hub', r.resourceGroup, r.name)).toBeUndefined();
      expect(await s.iot.list(b.id, 'hub')).toEqual([]);
      expect(await s.iot.policies(b.id, r.id)).toEqual([]);
      expect(await s.iot.update(b.id, { ...r, tenantId: b.id, etag: 'e2' }, r.etag, [])).toBe(false);
      await s.iot.touchPolicy(b.id, r.id, 'x', T0 + 1);
      expect(await s.iot.delete(b.id, r.id)).toBe(false);
      expect(await s.iot.get(a.id, 'hub', r.resourceGroup, r.name)).toEqual(r);
      expect(await s.iot.policies(a.id, r.id)).toEqual([stored(policy('x')), stored(policy('y'))]);
    });

    it('case=cas: update applies only on the expected etag; given policies replace the whole set, absent ones keep it', async () => {
      const t = await tenant(s);
      const r = resourceRow(t.id);
      await s.iot.insert(r, [policy('a'), policy('b')]);
      const next = { ...r, etag: 'e2', tags: {}, skuCapacity: 3, updatedAt: T0 + 1, updatedBy: 'bob', updatedByType: 'User' };
      expect(await s.iot.update(t.id, next, 'stale', [policy('x')])).toBe(false);
      expect(await s.iot.get(t.id, 'hub', r.resourceGroup, r.name)).toEqual(r);
      expect(await names(s, t.id, r.id)).toEqual(['a', 'b']);
      expect(await s.iot.update(t.id, next, 'e1', [policy('x'), policy('a', 'RegistryWrite')])).toBe(true);
      expect(await s.iot.get(t.id, 'hub', r.resourceGroup, r.name)).toEqual(next);
      expect(await s.iot.policies(t.id, r.id)).toEqual([stored(policy('x')), stored(policy('a', 'RegistryWrite'))]);
      expect(await s.iot.update(t.id, { ...next, etag: 'e3' }, 'e2')).toBe(true);
      expect(await names(s, t.id, r.id)).toEqual(['x', 'a']);
      expect(await s.iot.update(t.id, { ...next, etag: 'e4' }, 'e3', [])).toBe(true);
      expect(await s.iot.policies(t.id, r.id)).toEqual([]);
    });

    it("case=concurrency: of 8 parallel updates with the same expected etag exactly one wins, and the policy set is the winner's", async () => {
      const t = await tenant(s);
      for (let round = 0; round < 3; round++) {
        const r = resourceRow(t.id);
        await s.iot.insert(r, [policy('before')]);
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            s.iot.update(t.id, { ...r, etag: `e-${i}` }, r.etag, [policy(`only${i}`), policy(`also${i}`)]),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        expect((await s.iot.get(t.id, 'hub', r.resourceGroup, r.name))?.etag).toBe(`e-${winner}`);
        expect(await names(s, t.id, r.id)).toEqual([`only${winner}`, `also${winner}`]);
      }
    });

    it('case=rollback: a failed transaction leaves neither an insert nor an update behind', async () => {
      const t = await tenant(s);
      const r = resourceRow(t.id);
      await expect(
        s.transaction(async (tx) => {
          await tx.iot.insert(r, [policy('a')]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await s.iot.findByName('hub', r.name)).toBeUndefined();
      expect(await s.iot.policies(t.id, r.id)).toEqual([]);

      await s.iot.insert(r, [policy('a'), policy('b')]);
      await expect(
        s.transaction(async (tx) => {
          expect(await tx.iot.update(t.id, { ...r, etag: 'e2', tags: {} }, r.etag, [policy('x')])).toBe(true);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await s.iot.get(t.id, 'hub', r.resourceGroup, r.name)).toEqual(r);
      expect(await names(s, t.id, r.id)).toEqual(['a', 'b']);
    });

    it('case=rollback: a policy set that cannot be written (duplicate key names) fails with UniqueViolation and changes nothing, even outside a transaction', async () => {
      const t = await tenant(s);
      const r = resourceRow(t.id);
      await expect(s.iot.insert(r, [policy('dup'), policy('DUP')])).rejects.toBeInstanceOf(UniqueViolation);
      expect(await s.iot.findByName('hub', r.name)).toBeUndefined();

      await s.iot.insert(r, [policy('a'), policy('b')]);
      await expect(s.iot.update(t.id, { ...r, etag: 'e2', tags: {} }, r.etag, [policy('x'), policy('X')])).rejects.toBeInstanceOf(
        UniqueViolation,
      );
      expect(await s.iot.get(t.id, 'hub', r.resourceGroup, r.name)).toEqual(r);
      expect(await names(s, t.id, r.id)).toEqual(['a', 'b']);
    });

    it('case=cascade: deleting a resource, or its tenant, deletes its policies', async () => {
      const a = await tenant(s);
      const r = resourceRow(a.id);
      await s.iot.insert(r, [policy('a')]);
      expect(await s.iot.delete(a.id, r.id)).toBe(true);
      expect(await s.iot.delete(a.id, r.id)).toBe(false);
      expect(await s.iot.findByName('hub', r.name)).toBeUndefined();
      expect(await s.iot.policies(a.id, r.id)).toEqual([]);

      const b = await tenant(s);
      const d = resourceRow(b.id, unique('gone-with-tenant'));
      const e = resourceRow(b.id, unique('gone-dps'), 'Rg', 'dps');
      await s.iot.insert(d, [policy('a')]);
      await s.iot.insert(e, [policy('b')]);
      await s.tenants.delete(b.id);
      expect(await s.iot.findByName('hub', d.name)).toBeUndefined();
      expect(await s.iot.findByName('dps', e.name)).toBeUndefined();
      expect(await s.iot.policies(b.id, d.id)).toEqual([]);
      expect(await s.iot.policies(b.id, e.id)).toEqual([]);
      // the name is free again
      await s.iot.insert(resourceRow(a.id, d.name), []);
    });

    it('touchPolicy records last use by key name (case-insensitively), never moves it backwards and leaves the resource (etag) alone', async () => {
      const t = await tenant(s);
      const r = resourceRow(t.id);
      await s.iot.insert(r, [policy('Owner'), policy('reader')]);
      await s.iot.touchPolicy(t.id, r.id, 'OWNER', T0 + 100);
      expect(await s.iot.policies(t.id, r.id)).toEqual([stored(policy('Owner'), T0 + 100), stored(policy('reader'))]);
      await s.iot.touchPolicy(t.id, r.id, 'owner', T0 + 50);
      expect((await s.iot.policies(t.id, r.id))[0]?.lastUsedAt).toBe(T0 + 100);
      await s.iot.touchPolicy(t.id, r.id, 'owner', T0 + 200);
      expect((await s.iot.policies(t.id, r.id))[0]?.lastUsedAt).toBe(T0 + 200);
      await s.iot.touchPolicy(t.id, r.id, 'nobody', T0 + 300);
      await s.iot.touchPolicy(t.id, randomUUID(), 'owner', T0 + 300);
      expect(await s.iot.get(t.id, 'hub', r.resourceGroup, r.name)).toEqual(r);
    });

    it('a policy kept by name through a policy-set replacement keeps its last use; a new one starts unused', async () => {
      const t = await tenant(s);
      const r = resourceRow(t.id);
      await s.iot.insert(r, [policy('owner'), policy('gone')]);
      await s.iot.touchPolicy(t.id, r.id, 'owner', T0 + 10);
      await s.iot.touchPolicy(t.id, r.id, 'gone', T0 + 20);
      expect(
        await s.iot.update(t.id, { ...r, etag: 'e2' }, r.etag, [
          policy('fresh'),
          { ...policy('OWNER', 'RegistryWrite'), primaryEnc: 'rotated' },
        ]),
      ).toBe(true);
      expect(await s.iot.policies(t.id, r.id)).toEqual([
        stored(policy('fresh')),
        stored({ ...policy('OWNER', 'RegistryWrite'), primaryEnc: 'rotated' }, T0 + 10),
      ]);
      expect(await s.iot.update(t.id, { ...r, etag: 'e3' }, 'e2', [policy('gone')])).toBe(true);
      expect(await s.iot.policies(t.id, r.id)).toEqual([stored(policy('gone'))]);
    });
  });
}
