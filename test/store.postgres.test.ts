import { describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open.js';
import { runStoreContract } from './store-contract/index.js';
import { PG_URL, pgSchema } from './harness.js';

// Never skipped: without PostgreSQL this file fails (openStore throws), as CI must.
describe('store contract on PostgreSQL', () => {
  runStoreContract(async () => {
    const { schema, drop } = pgSchema();
    const store = await openStore({ kind: 'postgres', url: PG_URL, schema });
    const close = store.close;
    return Object.assign(store, {
      close: async () => {
        try {
          await close();
        } finally {
          await drop();
        }
      },
    });
  });
});

describe('PostgreSQL schemas', () => {
  it('case=concurrency: two fresh schemas of one database migrate at the same time (each keeps its own migration tables)', async () => {
    const a = pgSchema();
    const b = pgSchema();
    try {
      const stores = await Promise.all([
        openStore({ kind: 'postgres', url: PG_URL, schema: a.schema }),
        openStore({ kind: 'postgres', url: PG_URL, schema: b.schema }),
      ]);
      for (const s of stores) {
        expect(await s.tenants.count()).toBe(0);
        await s.close();
      }
    } finally {
      await a.drop();
      await b.drop();
    }
  });
});
