import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Housekeeping } from '../../src/services/housekeeping.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/port.js';
import { PG_URL, pgSchema, TestClock } from '../harness.js';

/**
 * Once-per-cluster upkeep (issue 19, item 7): every node offers to run each job, the cluster
 * lock lets one of them run it per turn, and the shared login-failure counts are swept.
 */

const WINDOW = 15 * 60_000;
const log = pino({ level: 'silent' });

async function seed(s: Store, now: number): Promise<void> {
  await s.loginFailures.record([{ key: 'pair user:old|10.0.0.1', forgetAt: now - 1 }], now - WINDOW - 1);
  await s.loginFailures.record([{ key: 'pair user:live|10.0.0.1', forgetAt: now + WINDOW }], now);
}

/** The seeded keys still stored, forgotten or not. */
const remaining = async (s: Store) => [...(await s.loginFailures.get(['pair user:old|10.0.0.1', 'pair user:live|10.0.0.1'], 0)).keys()];

describe('cluster jobs', () => {
  it('two nodes ticking at once on PostgreSQL: one of them sweeps, once per turn', async () => {
    const { schema, drop } = pgSchema();
    const stores: Store[] = [];
    try {
      for (let i = 0; i < 2; i++) stores.push(await openStore({ kind: 'postgres', url: PG_URL, schema }));
      const clock = new TestClock();
      await seed(stores[0]!, clock.now());
      const nodes = stores.map((s) => new Housekeeping(s, clock, log));
      for (let turn = 0; turn < 3; turn++) {
        const ran = await Promise.all(nodes.map((h) => h.tick()));
        expect(ran.flat()).toEqual(['login-failures-sweep']);
        expect(await remaining(stores[1]!)).toEqual(['pair user:live|10.0.0.1']);
        // the same turn again: nothing to do on either node
        expect((await Promise.all(nodes.map((h) => h.tick()))).flat()).toEqual([]);
        clock.advance(5 * 60_000);
      }
      await Promise.all(nodes.map((h) => h.close()));
    } finally {
      for (const s of stores) await s.close();
      await drop();
    }
  });

  it('sweeps only forgotten counts (SQLite, one node)', async () => {
    const store = await openStore({ kind: 'sqlite', file: ':memory:' });
    try {
      const clock = new TestClock();
      await seed(store, clock.now());
      const h = new Housekeeping(store, clock, log);
      expect(await h.tick()).toEqual(['login-failures-sweep']);
      expect(await remaining(store)).toEqual(['pair user:live|10.0.0.1']);
      await h.close();
    } finally {
      await store.close();
    }
  });

  it('a job that fails is logged, does not stop the others, and runs again at the next tick', async () => {
    const store = await openStore({ kind: 'sqlite', file: ':memory:' });
    try {
      let attempts = 0;
      const h = new Housekeeping(store, new TestClock(), log, [
        {
          name: 'flaky',
          everyMs: 60_000,
          run: async () => {
            if (++attempts === 1) throw new Error('first time fails');
          },
        },
        { name: 'steady', everyMs: 60_000, run: async () => undefined },
      ]);
      expect(await h.tick()).toEqual(['steady']);
      expect(await h.tick()).toEqual(['flaky']);
    } finally {
      await store.close();
    }
  });
});
