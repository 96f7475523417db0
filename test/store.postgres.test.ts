import pg from 'pg';
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

  it("case=concurrency: a schema's migrations do not wait for another schema's (the migration lock is per schema)", async () => {
    // Another client holds the lock Kysely takes for every migration of the database (its
    // PostgresAdapter's constant advisory lock id), as a long migration elsewhere would.
    const other = new pg.Client({ connectionString: PG_URL });
    await other.connect();
    const { schema, drop } = pgSchema();
    try {
      await other.query('select pg_advisory_lock(3853314791062309107)');
      const opened = openStore({ kind: 'postgres', url: PG_URL, schema });
      const waited = await Promise.race([opened.then(() => false), new Promise((r) => setTimeout(() => r(true), 10_000))]);
      expect(waited, 'the migration waited for a lock of the whole database').toBe(false);
      await (await opened).close();
    } finally {
      await other.end();
      await drop();
    }
  });

  it('case=concurrency: fresh schemas open many at a time, and several nodes open one fresh schema at once, round after round', async () => {
    for (let round = 0; round < 4; round++) {
      const own = Array.from({ length: 6 }, () => pgSchema());
      const shared = pgSchema();
      try {
        const stores = await Promise.all([
          ...own.map((s) => openStore({ kind: 'postgres', url: PG_URL, schema: s.schema })),
          ...Array.from({ length: 4 }, () => openStore({ kind: 'postgres', url: PG_URL, schema: shared.schema })),
        ]);
        for (const s of stores) {
          expect(await s.tenants.count()).toBe(0);
          await s.close();
        }
      } finally {
        for (const s of [...own, shared]) await s.drop();
      }
    }
  });

  it('case=concurrency: a schema migrates while other schemas of the database are created and dropped (nothing but its own schema is read)', async () => {
    // Another client churning schemas with tables, as other Latch databases (test runs) do.
    let churning = true;
    const churn = (async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        while (churning) {
          const { schema } = pgSchema();
          await c.query(`CREATE SCHEMA ${schema}`);
          for (let i = 0; i < 5; i++) await c.query(`CREATE TABLE ${schema}.t${i} (id serial primary key, v text)`);
          await c.query(`DROP SCHEMA ${schema} CASCADE`);
        }
      } finally {
        await c.end();
      }
    })();
    try {
      for (let round = 0; round < 15; round++) {
        const { schema, drop } = pgSchema();
        try {
          const store = await openStore({ kind: 'postgres', url: PG_URL, schema });
          expect(await store.tenants.count()).toBe(0);
          await store.close();
        } finally {
          await drop();
        }
      }
    } finally {
      churning = false;
      await churn;
    }
  });
});
