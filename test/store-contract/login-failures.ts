import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailureCounter } from '../../src/services/throttle.js';
import type { Store } from '../../src/store/port.js';
import { T0, type Open } from './fixtures.js';

const WINDOW = 15 * 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The contract of a failure counter (`LoginFailureRepo`), whatever holds the counts: the store
 * (SQLite, PostgreSQL) or one node's memory (test/security/failure-counter.test.ts).
 */
export function failureCounterContract(name: string, open: () => Promise<{ counter: FailureCounter; close(): Promise<void> }>) {
  describe(name, () => {
    let c: FailureCounter;
    let close: () => Promise<void>;
    beforeAll(async () => void ({ counter: c, close } = await open()));
    afterAll(async () => close?.());
    const key = () => `pair user:${randomUUID()}|10.0.0.1`;

    it('case=count: each failure counts one more, per key, and get answers what was recorded', async () => {
      const [a, b] = [key(), key()];
      const seen: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await c.record([{ key: a, forgetAt: T0 + i + WINDOW }], T0 + i);
        seen.push(r.get(a)!.failures);
      }
      expect(seen).toEqual([1, 2, 3]);
      const both = await c.record(
        [
          { key: a, forgetAt: T0 + 10 + WINDOW },
          { key: b, forgetAt: T0 + 10 + WINDOW },
        ],
        T0 + 10,
      );
      expect(Object.fromEntries(both)).toEqual({
        [a]: { failures: 4, lastFailureAt: T0 + 10, forgetAt: T0 + 10 + WINDOW },
        [b]: { failures: 1, lastFailureAt: T0 + 10, forgetAt: T0 + 10 + WINDOW },
      });
      expect(Object.fromEntries(await c.get([a, b, key()], T0 + 11))).toEqual(Object.fromEntries(both));
      expect((await c.get([], T0)).size).toBe(0);
    });

    it('case=forget: a count past its forgetAt is not answered, and the next failure starts again at 1', async () => {
      const a = key();
      await c.record([{ key: a, forgetAt: T0 + WINDOW }], T0);
      await c.record([{ key: a, forgetAt: T0 + WINDOW }], T0);
      expect((await c.get([a], T0 + WINDOW)).get(a)?.failures).toBe(2); // still counts at forgetAt itself
      expect((await c.get([a], T0 + WINDOW + 1)).has(a)).toBe(false);
      const r = await c.record([{ key: a, forgetAt: T0 + 2 * WINDOW + 1 }], T0 + WINDOW + 1);
      expect(r.get(a)).toEqual({ failures: 1, lastFailureAt: T0 + WINDOW + 1, forgetAt: T0 + 2 * WINDOW + 1 });
    });

    it('case=clear: clears the keys given only, and clearing an unknown key is a no-op', async () => {
      const [a, b, d] = [key(), key(), key()];
      await c.record(
        [
          { key: a, forgetAt: T0 + WINDOW },
          { key: b, forgetAt: T0 + WINDOW },
        ],
        T0,
      );
      await c.record([{ key: d, forgetAt: T0 + WINDOW }], T0);
      await c.clear([a, d]);
      await c.clear([key()]);
      await c.clear([]);
      expect([...(await c.get([a, b, d], T0)).keys()]).toEqual([b]);
      expect((await c.record([{ key: a, forgetAt: T0 + WINDOW }], T0)).get(a)?.failures).toBe(1);
    });

    it('case=sweep: deleteForgotten removes the forgotten counts only and answers how many', async () => {
      const [old1, old2, live] = [key(), key(), key()];
      const far = T0 + 1000 * WINDOW; // later than any other case's counts
      await c.record(
        [
          { key: old1, forgetAt: far },
          { key: old2, forgetAt: far },
        ],
        far - WINDOW,
      );
      await c.record([{ key: live, forgetAt: far + 10 }], far - WINDOW + 10);
      expect(await c.deleteForgotten(far + 1)).toBeGreaterThanOrEqual(2);
      expect([...(await c.get([old1, old2, live], far)).keys()]).toEqual([live]);
      expect(await c.deleteForgotten(far + 1)).toBe(0);
      // swept means gone: a new failure starts again at 1
      expect((await c.record([{ key: old1, forgetAt: far + WINDOW }], far + 5)).get(old1)?.failures).toBe(1);
    });

    it('case=long-keys: a key as long as a login can submit (4096 random CJK characters, 12 kB) counts like any other', async () => {
      const long = `pair user:${Array.from({ length: 4096 }, () => String.fromCharCode(0x4e00 + Math.floor(Math.random() * 0x5000))).join('')}|10.0.0.1`;
      const near = long.slice(0, -1) + '2';
      for (let i = 0; i < 3; i++) await c.record([{ key: long, forgetAt: T0 + WINDOW }], T0);
      await c.record([{ key: near, forgetAt: T0 + WINDOW }], T0);
      const counts = await c.get([long, near], T0);
      expect([counts.get(long)?.failures, counts.get(near)?.failures]).toEqual([3, 1]);
      await c.clear([long]);
      expect([...(await c.get([long, near], T0)).keys()]).toEqual([near]);
    });

    it('case=concurrency: failures recorded at the same time are all counted (no lost update)', async () => {
      const [a, b] = [key(), key()];
      const n = 24;
      const results = await Promise.all(
        Array.from({ length: n }, () =>
          c.record(
            [
              { key: a, forgetAt: T0 + WINDOW },
              { key: b, forgetAt: T0 + WINDOW },
            ],
            T0,
          ),
        ),
      );
      // Each caller saw a different count: the increments were serialised, none lost.
      expect(results.map((r) => r.get(a)!.failures).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      expect((await c.get([a, b], T0)).get(b)?.failures).toBe(n);
    });
  });
}

/** The store's counter (`Store.loginFailures`) and the cluster lock. */
export function loginFailuresContract(open: Open) {
  failureCounterContract('loginFailures', async () => {
    const s = await open();
    return { counter: s.loginFailures, close: () => s.close() };
  });

  describe('loginFailures (store)', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it('case=concurrency: the sweep skips a count a login is recording meanwhile, never waiting on it', async () => {
      const [busy, idle] = [`pair user:${randomUUID()}|10.0.0.9`, `pair user:${randomUUID()}|10.0.0.9`];
      for (const k of [busy, idle]) await s.loginFailures.record([{ key: k, forgetAt: T0 }], T0 - 1);
      if (s.dialect === 'sqlite') {
        // One connection, so nothing runs meanwhile: the login's count lands first, and the sweep keeps it.
        await s.loginFailures.record([{ key: busy, forgetAt: T0 + 2 * WINDOW }], T0 + WINDOW);
        expect(await s.loginFailures.deleteForgotten(T0 + WINDOW)).toBeGreaterThanOrEqual(1);
        const kept = await s.loginFailures.get([busy, idle], T0 + WINDOW);
        expect([...kept.keys()]).toEqual([busy]);
        expect(kept.get(busy)?.failures).toBe(1);
        return;
      }
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let recorded!: () => void;
      const inside = new Promise<void>((r) => (recorded = r));
      const login = s.transaction(async (tx) => {
        await tx.loginFailures.record([{ key: busy, forgetAt: T0 + 2 * WINDOW }], T0 + WINDOW);
        recorded();
        await held;
      });
      await inside;
      expect(await s.loginFailures.deleteForgotten(T0 + WINDOW)).toBeGreaterThanOrEqual(1); // idle, not busy
      release();
      await login;
      const left = await s.loginFailures.get([busy, idle], T0 + WINDOW);
      expect([...left.keys()]).toEqual([busy]);
      expect(left.get(busy)?.failures).toBe(1);
    });
  });

  describe('clusterLock', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it('case=concurrency: callers of one name run one at a time, in one transaction each', async () => {
      const name = `contract-${randomUUID()}`;
      const steps: string[] = [];
      const job = (id: string) =>
        s.clusterLock(name, async (tx) => {
          steps.push(`${id} in`);
          await tx.meta.put(name, id);
          await sleep(30);
          steps.push(`${id} out`);
          return (await tx.meta.get(name))!;
        });
      const answers = await Promise.all([job('a'), job('b'), job('c')]);
      expect(answers).toEqual(['a', 'b', 'c']); // nobody saw another's write in the middle of its own
      for (let i = 0; i < steps.length; i += 2) expect(steps[i + 1]).toBe(steps[i]!.replace(' in', ' out'));
    });

    it('case=rollback: what fn wrote is rolled back when it throws, and the lock is free again', async () => {
      const name = `contract-${randomUUID()}`;
      await expect(
        s.clusterLock(name, async (tx) => {
          await tx.meta.put(name, 'x');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await s.meta.get(name)).toBeUndefined();
      expect(await s.clusterLock(name, async () => 'free')).toBe('free');
    });

    it('case=nested: inside a transaction it joins that transaction', async () => {
      const name = `contract-${randomUUID()}`;
      await expect(
        s.transaction(async (tx) => {
          await tx.clusterLock(name, (inner) => inner.meta.put(name, 'y'));
          throw new Error('outer');
        }),
      ).rejects.toThrow('outer');
      expect(await s.meta.get(name)).toBeUndefined();
    });
  });
}
