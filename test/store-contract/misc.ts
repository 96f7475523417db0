import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueViolation, type Store } from '../../src/store/port.js';
import type { Agent, AssetType, SigningKey } from '../../src/domain/types.js';
import { T0, event, sessionRow, tenant, userRow, type Open } from './fixtures.js';

const agentRow = (tenantId: string, name = `agent-${randomUUID().slice(0, 8)}`, at = T0): Agent => ({
  id: randomUUID(),
  tenantId,
  name,
  label: 'L',
  hardwareModel: 'IR1101',
  hardwareSerial: 'S1',
  brokerVersion: '1',
  softwareVersion: '2',
  connectionState: 'DISCONNECTED',
  dataPipelinesStatus: 'NONE',
  creationTime: at,
  lastSeenTime: null,
});
const assetRow = (tenantId: string, name = `asset-${randomUUID().slice(0, 8)}`, at = T0): AssetType => ({
  id: randomUUID(),
  tenantId,
  name,
  description: null,
  connectionType: 'MODBUS_TCP',
  dataModel: { t: { type: 'number', register: 40001 } },
  config: { port: 502 },
  createdTime: at,
  updatedTime: at,
});

export function signingKeysContract(open: Open) {
  describe('signingKeys', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it('inserts, lists oldest first, retires once, deletes expired', async () => {
      const base = (await s.signingKeys.list()).length;
      const k1: SigningKey = {
        kid: randomUUID(),
        alg: 'ES256',
        publicJwk: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b' },
        privateEnc: 'sealed',
        createdAt: T0,
        retiredAt: null,
        verifyUntil: null,
      };
      const k2: SigningKey = { ...k1, kid: randomUUID(), createdAt: T0 + 1 };
      await s.signingKeys.insert(k1);
      await s.signingKeys.insert(k2);
      const listed = (await s.signingKeys.list()).slice(base);
      expect(listed).toEqual([k1, k2]);
      await s.signingKeys.retire(k1.kid, T0 + 5, T0 + 100);
      await s.signingKeys.retire(k1.kid, T0 + 6, T0 + 200); // no-op: already retired
      expect((await s.signingKeys.list()).find((k) => k.kid === k1.kid)).toEqual({ ...k1, retiredAt: T0 + 5, verifyUntil: T0 + 100 });
      expect(await s.signingKeys.deleteExpired(T0 + 100)).toBe(0);
      expect(await s.signingKeys.deleteExpired(T0 + 101)).toBe(1);
      expect((await s.signingKeys.list()).map((k) => k.kid)).not.toContain(k1.kid);
      await expect(s.signingKeys.insert(k2)).rejects.toBeInstanceOf(UniqueViolation);
    });
  });
}

export function auditContract(open: Open) {
  describe('audit', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it('appends one and many; queries newest first with total, paging and filters', async () => {
      const t = await tenant(s);
      const e0 = event(t.id, T0, 'user.created', 'alice');
      await s.audit.append(e0);
      const more = [
        event(t.id, T0 + 1, 'api_key.created', 'bob'),
        event(t.id, T0 + 2, 'user.created', 'bob'),
        event(t.id, T0 + 3, 'user.deleted', 'alice'),
      ];
      await s.audit.appendMany(more);
      await s.audit.appendMany([]);
      const all = await s.audit.query(t.id, { offset: 0, limit: 50 });
      expect(all.total).toBe(4);
      expect(all.items.map((e) => e.at)).toEqual([T0 + 3, T0 + 2, T0 + 1, T0]);
      expect(all.items[3]).toEqual(e0);
      const page2 = await s.audit.query(t.id, { offset: 1, limit: 2 });
      expect(page2).toEqual({ items: [all.items[1], all.items[2]], total: 4 });
      expect(await s.audit.query(t.id, { offset: 10, limit: 2 })).toEqual({ items: [], total: 4 });
      const byActor = await s.audit.query(t.id, { offset: 0, limit: 50, actorId: 'bob' });
      expect(byActor.total).toBe(2);
      expect(byActor.items.every((e) => e.actorId === 'bob')).toBe(true);
      const byAction = await s.audit.query(t.id, { offset: 0, limit: 50, action: 'user.created' });
      expect(byAction.items.map((e) => e.at)).toEqual([T0 + 2, T0]);
      const window = await s.audit.query(t.id, { offset: 0, limit: 50, from: T0 + 1, to: T0 + 3 });
      expect(window.items.map((e) => e.at)).toEqual([T0 + 2, T0 + 1]);
      expect(window.total).toBe(2);
      const combined = await s.audit.query(t.id, { offset: 0, limit: 50, from: T0, actorId: 'alice', action: 'user.deleted' });
      expect(combined.items.map((e) => e.at)).toEqual([T0 + 3]);
    });

    it('case=tenant-isolation: a tenant sees only its own audit events', async () => {
      const a = await tenant(s);
      const b = await tenant(s);
      await s.audit.append(event(a.id, T0));
      expect(await s.audit.query(b.id, { offset: 0, limit: 50 })).toEqual({ items: [], total: 0 });
      expect((await s.audit.query(a.id, { offset: 0, limit: 50 })).total).toBe(1);
    });

    it('keeps events after their tenant is deleted', async () => {
      const a = await tenant(s);
      await s.audit.append(event(a.id, T0));
      await s.tenants.delete(a.id);
      expect((await s.audit.query(a.id, { offset: 0, limit: 50 })).total).toBe(1);
    });
  });
}

export function agentsContract(open: Open) {
  describe('agents', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it('inserts, gets, pages in creation order with total, deletes', async () => {
      const t = await tenant(s);
      const rows = [agentRow(t.id, 'a1', T0 + 2), agentRow(t.id, 'a2', T0), agentRow(t.id, 'a3', T0 + 1)];
      for (const r of rows) await s.agents.insert(r);
      expect(await s.agents.get(t.id, rows[0]!.id)).toEqual(rows[0]);
      expect(await s.agents.list(t.id, { offset: 0, limit: 2 })).toEqual({ items: [rows[1], rows[2]], total: 3 });
      expect(await s.agents.list(t.id, { offset: 2, limit: 2 })).toEqual({ items: [rows[0]], total: 3 });
      expect(await s.agents.delete(t.id, rows[0]!.id)).toBe(true);
      expect(await s.agents.delete(t.id, rows[0]!.id)).toBe(false);
    });

    it('case=tenant-isolation: another tenant neither gets, lists nor deletes an agent', async () => {
      const a = await tenant(s);
      const b = await tenant(s);
      const r = agentRow(a.id);
      await s.agents.insert(r);
      expect(await s.agents.get(b.id, r.id)).toBeUndefined();
      expect(await s.agents.list(b.id, { offset: 0, limit: 50 })).toEqual({ items: [], total: 0 });
      expect(await s.agents.delete(b.id, r.id)).toBe(false);
      expect(await s.agents.get(a.id, r.id)).toEqual(r);
    });

    it('case=unique: agent names are unique per tenant, case-insensitively', async () => {
      const t = await tenant(s);
      await s.agents.insert(agentRow(t.id, 'Edge-1'));
      await expect(s.agents.insert(agentRow(t.id, 'edge-1'))).rejects.toBeInstanceOf(UniqueViolation);
      await s.agents.insert(agentRow((await tenant(s)).id, 'Edge-1'));
    });
  });
}

export function assetTypesContract(open: Open) {
  describe('assetTypes', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it('inserts, gets (JSON round-trips), pages, replaces, deletes', async () => {
      const t = await tenant(s);
      const a = assetRow(t.id, 'Fridge', T0);
      const b = assetRow(t.id, 'Pump', T0 + 1);
      await s.assetTypes.insert(a);
      await s.assetTypes.insert(b);
      expect(await s.assetTypes.get(t.id, a.id)).toEqual(a);
      expect(await s.assetTypes.list(t.id, { offset: 0, limit: 1 })).toEqual({ items: [a], total: 2 });
      const changed: AssetType = {
        ...a,
        name: 'Freezer',
        description: 'cold',
        connectionType: 'MQTT',
        dataModel: { x: [1, 2] },
        config: {},
        updatedTime: T0 + 50,
      };
      expect(await s.assetTypes.replace(t.id, changed)).toBe(true);
      expect(await s.assetTypes.get(t.id, a.id)).toEqual(changed);
      expect(await s.assetTypes.replace(t.id, { ...changed, id: randomUUID() })).toBe(false);
      expect(await s.assetTypes.delete(t.id, a.id)).toBe(true);
      expect(await s.assetTypes.get(t.id, a.id)).toBeUndefined();
    });

    it('case=tenant-isolation: another tenant neither gets, lists, replaces nor deletes an asset type', async () => {
      const a = await tenant(s);
      const b = await tenant(s);
      const r = assetRow(a.id);
      await s.assetTypes.insert(r);
      expect(await s.assetTypes.get(b.id, r.id)).toBeUndefined();
      expect(await s.assetTypes.list(b.id, { offset: 0, limit: 50 })).toEqual({ items: [], total: 0 });
      expect(await s.assetTypes.replace(b.id, { ...r, tenantId: b.id, name: 'stolen' })).toBe(false);
      expect(await s.assetTypes.delete(b.id, r.id)).toBe(false);
      expect(await s.assetTypes.get(a.id, r.id)).toEqual(r);
    });

    it('case=unique: names are unique per tenant, also on replace', async () => {
      const t = await tenant(s);
      await s.assetTypes.insert(assetRow(t.id, 'Same'));
      const other = assetRow(t.id, 'Other');
      await s.assetTypes.insert(other);
      await expect(s.assetTypes.insert(assetRow(t.id, 'SAME'))).rejects.toBeInstanceOf(UniqueViolation);
      await expect(s.assetTypes.replace(t.id, { ...other, name: 'same' })).rejects.toBeInstanceOf(UniqueViolation);
    });
  });
}

export function metaContract(open: Open) {
  describe('meta', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it('putIfAbsent: the first writer wins, later writers read its value', async () => {
      const k = `k-${randomUUID()}`;
      expect(await s.meta.get(k)).toBeUndefined();
      expect(await s.meta.putIfAbsent(k, 'first')).toBe('first');
      expect(await s.meta.putIfAbsent(k, 'second')).toBe('first');
      expect(await s.meta.get(k)).toBe('first');
    });

    it('case=concurrency: parallel putIfAbsent all answer the same single winner', async () => {
      const k = `k-${randomUUID()}`;
      const values = Array.from({ length: 12 }, (_, i) => `v${i}`);
      const answers = await Promise.all(values.map((v) => s.meta.putIfAbsent(k, v)));
      expect(new Set(answers).size).toBe(1);
      expect(values).toContain(answers[0]);
    });
  });
}

export function transactionContract(open: Open) {
  describe('transaction', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it("commits everything written through tx and returns fn's value", async () => {
      const u = await s.transaction(async (tx) => {
        const t = await tenant(tx);
        const u = userRow(t.id);
        await tx.users.insert(u);
        await tx.audit.append(event(t.id, T0));
        return u;
      });
      expect(await s.users.get(u.id)).toBeDefined();
    });

    it('case=rollback: a throw leaves nothing behind (tenant, user, key, audit)', async () => {
      const tenantId = randomUUID();
      const userId = randomUUID();
      await expect(
        s.transaction(async (tx) => {
          await tx.tenants.insert({ id: tenantId, name: `rb-${tenantId}`, parentId: null, createdAt: T0 });
          await tx.users.insert({ ...userRow(tenantId), id: userId });
          await tx.audit.append(event(tenantId, T0));
          await tx.transaction(async (inner) => inner.meta.putIfAbsent(`rb-${tenantId}`, 'x'));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await s.tenants.get(tenantId)).toBeUndefined();
      expect(await s.users.get(userId)).toBeUndefined();
      expect((await s.audit.query(tenantId, { offset: 0, limit: 10 })).total).toBe(0);
      expect(await s.meta.get(`rb-${tenantId}`)).toBeUndefined();
    });

    it('case=rollback: a UniqueViolation inside rolls back earlier writes of the same transaction', async () => {
      const t = await tenant(s);
      const taken = userRow(t.id);
      await s.users.insert(taken);
      const fresh = userRow(t.id);
      await expect(
        s.transaction(async (tx) => {
          await tx.users.insert(fresh);
          await tx.users.insert({ ...userRow(t.id), username: taken.username });
        }),
      ).rejects.toBeInstanceOf(UniqueViolation);
      expect(await s.users.get(fresh.id)).toBeUndefined();
    });

    it('ping answers', async () => {
      await expect(s.ping()).resolves.toBeUndefined();
    });
  });
}

/** store.write: the group-commit queue (token issuance writes through it). */
export function writeContract(open: Open) {
  describe('write (group commit)', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it('concurrent writes share one transaction and each answers its own value', async () => {
      const t = await tenant(s);
      const rows = Array.from({ length: 20 }, () => sessionRow(t.id));
      const ids = await Promise.all(
        rows.map((r) =>
          s.write(async (tx) => {
            await tx.sessions.insert(r);
            await tx.audit.append(event(t.id, T0));
            return r.id;
          }),
        ),
      );
      expect(ids).toEqual(rows.map((r) => r.id));
      for (const r of rows) expect(await s.sessions.get(r.id)).toEqual(r);
      expect((await s.audit.query(t.id, { offset: 0, limit: 100 })).total).toBe(20);
    });

    it('case=constraint: a unique violation in one write of a batch fails that write only, wholly; the others commit', async () => {
      const t = await tenant(s);
      const taken = userRow(t.id);
      await s.users.insert(taken);
      const before = Array.from({ length: 5 }, () => sessionRow(t.id));
      const after = Array.from({ length: 5 }, () => sessionRow(t.id));
      const doomed = sessionRow(t.id);
      const put = (r: ReturnType<typeof sessionRow>) => s.write((tx) => tx.sessions.insert(r));
      const results = await Promise.allSettled([
        ...before.map(put),
        s.write(async (tx) => {
          await tx.sessions.insert(doomed); // written first, then rolled back with its own savepoint
          await tx.users.insert({ ...userRow(t.id), username: taken.username });
        }),
        ...after.map(put),
      ]);
      expect(results.map((r) => r.status)).toEqual([...Array(5).fill('fulfilled'), 'rejected', ...Array(5).fill('fulfilled')]);
      expect((results[5] as PromiseRejectedResult).reason).toBeInstanceOf(UniqueViolation);
      expect(await s.sessions.get(doomed.id)).toBeUndefined();
      for (const r of [...before, ...after]) expect(await s.sessions.get(r.id)).toEqual(r);
      // the queue goes on after a failure
      const next = sessionRow(t.id);
      await s.write((tx) => tx.sessions.insert(next));
      expect(await s.sessions.get(next.id)).toEqual(next);
    });

    it('case=thrown: an error thrown by one write rejects it alone, and write() inside transaction() joins it', async () => {
      const t = await tenant(s);
      const ok = sessionRow(t.id);
      const gone = sessionRow(t.id);
      const [a, b] = await Promise.allSettled([
        s.write((tx) => tx.sessions.insert(ok)),
        s.write(async (tx) => {
          await tx.sessions.insert(gone);
          throw new Error('boom');
        }),
      ]);
      expect(a.status).toBe('fulfilled');
      expect(b.status === 'rejected' && (b.reason as Error).message).toBe('boom');
      expect(await s.sessions.get(ok.id)).toBeDefined();
      expect(await s.sessions.get(gone.id)).toBeUndefined();
      const inner = sessionRow(t.id);
      await expect(
        s.transaction(async (tx) => {
          await tx.write((w) => w.sessions.insert(inner));
          throw new Error('outer');
        }),
      ).rejects.toThrow('outer');
      expect(await s.sessions.get(inner.id)).toBeUndefined();
    });

    it('case=rerun: after a failing unit the batch is run again isolated, and every other unit is written exactly once', async () => {
      const t = await tenant(s);
      // each unit makes its event inside, with a fresh id on every run: a run that was not rolled back would leave a second row
      const unit = () => s.write((tx) => tx.audit.append(event(t.id, T0)));
      const results = await Promise.allSettled([
        ...Array.from({ length: 4 }, unit),
        s.write(async (tx) => {
          await tx.audit.append(event(t.id, T0));
          throw new Error('boom');
        }),
        ...Array.from({ length: 4 }, unit),
      ]);
      expect(results.map((r) => r.status)).toEqual([...Array(4).fill('fulfilled'), 'rejected', ...Array(4).fill('fulfilled')]);
      expect((await s.audit.query(t.id, { offset: 0, limit: 100 })).total).toBe(8);
    });

    it('case=shapes: the hot inserts (one statement compiled per column list, reused) store each row as given', async () => {
      const t = await tenant(s);
      // different values through the same statement, in every position: a misbound value would come back elsewhere
      const rows = Array.from({ length: 6 }, (_, i) => ({
        ...sessionRow(t.id, randomUUID(), i % 2 ? 'api_key' : 'user'),
        createdAt: T0 + i,
        expiresAt: T0 + 3_600_000 + i,
        revokedAt: i % 3 === 0 ? null : T0 + 10 + i,
        clientAddress: i % 2 ? null : `10.0.0.${i}`,
      }));
      const events = rows.map((r, i) => ({
        ...event(t.id, T0 + i, `action.${i}`, i % 2 ? null : `actor-${i}`),
        detail: i % 2 ? null : { i },
      }));
      await Promise.all(
        rows.map((r, i) =>
          s.write(async (tx) => {
            await tx.sessions.insert(r);
            await tx.sessions.addRefreshToken({
              id: r.id,
              hash: `h-${r.id}`,
              sessionId: r.id,
              createdAt: T0 + i,
              expiresAt: T0 + 100 + i,
              usedAt: null,
            });
            await tx.audit.append(events[i]!);
          }),
        ),
      );
      for (const r of rows) expect(await s.sessions.get(r.id)).toEqual(r);
      const stored = (await s.audit.query(t.id, { offset: 0, limit: 100 })).items;
      expect([...stored].sort((a, b) => a.at - b.at)).toEqual(events);
      expect(await s.sessions.consumeRefreshToken({ id: rows[3]!.id, hash: `h-${rows[3]!.id}` }, T0 + 50)).toMatchObject({
        status: 'ok',
        session: rows[3],
      });
    });

    it('case=alone: a failing write alone in its batch rejects with its own error, leaves nothing, and the queue goes on', async () => {
      const t = await tenant(s);
      const gone = sessionRow(t.id);
      await expect(
        s.write(async (tx) => {
          await tx.sessions.insert(gone);
          await tx.sessions.insert(gone);
        }),
      ).rejects.toBeInstanceOf(UniqueViolation);
      expect(await s.sessions.get(gone.id)).toBeUndefined();
      const next = sessionRow(t.id);
      await s.write((tx) => tx.sessions.insert(next));
      expect(await s.sessions.get(next.id)).toEqual(next);
    });
  });
}
