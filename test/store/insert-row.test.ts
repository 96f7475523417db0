import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { openSqlite } from '../../src/store/dialects/sqlite.js';
import { openPostgres } from '../../src/store/dialects/postgres.js';
import { migrateToLatest } from '../../src/store/kysely/index.js';
import { insertRow } from '../../src/store/kysely/util.js';
import type { DB } from '../../src/store/kysely/schema.js';
import { PG_URL, pgSchema } from '../harness.js';

/** insertRow (the hot path's precompiled single-row insert), on each dialect, below the store port. */
describe.each(['sqlite', 'postgres'] as const)('insertRow on %s', (dialect) => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
  });
  async function open(): Promise<Kysely<DB>> {
    if (dialect === 'sqlite') {
      const db = openSqlite(':memory:');
      closers.push(() => db.destroy());
      await migrateToLatest(db);
      return db;
    }
    const { schema, drop } = pgSchema();
    const db = (await openPostgres({ url: PG_URL, schema })).db;
    closers.push(drop, () => db.destroy());
    await migrateToLatest(db, { schema });
    return db;
  }
  const row = (detail: unknown, at: number) => ({
    id: randomUUID(),
    tenant_id: 't1',
    at,
    actor_type: null,
    actor_id: 'a',
    action: 'x.y',
    target_type: null,
    target_id: null,
    request_id: null,
    client_address: null,
    detail,
  });

  it('binds each row’s own values, in and out of a transaction; a column left undefined takes its default', async () => {
    const db = await open();
    await insertRow(db, 'audit_events', row('{"n":1}', 1));
    await db.transaction().execute((trx) => insertRow(trx, 'audit_events', row('{"n":2}', 2)));
    await insertRow(db, 'audit_events', { ...row(undefined, 3) });
    const got = await db.selectFrom('audit_events').select(['at', 'detail']).orderBy('at').execute();
    expect(got.map((r) => [Number(r.at), r.detail])).toEqual([
      [1, '{"n":1}'],
      [2, '{"n":2}'],
      [3, null],
    ]);
  });

  it('a value Kysely turns into an expression is always built by Kysely (the compiled SQL is not reused for it)', async () => {
    const db = await open();
    for (const at of [10, 11]) await insertRow(db, 'audit_events', row(sql`${'{"via":"expression"}'}`, at));
    await insertRow(db, 'audit_events', row('{"via":"value"}', 12));
    const got = await db.selectFrom('audit_events').select(['at', 'detail']).orderBy('at').execute();
    expect(got.map((r) => [Number(r.at), r.detail])).toEqual([
      [10, '{"via":"expression"}'],
      [11, '{"via":"expression"}'],
      [12, '{"via":"value"}'],
    ]);
  });
});
