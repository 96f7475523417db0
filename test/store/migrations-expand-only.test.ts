import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { openPostgres } from '../../src/store/dialects/postgres.js';
import { openSqlite } from '../../src/store/dialects/sqlite.js';
import { migrateToLatest } from '../../src/store/kysely/index.js';
import type { DB } from '../../src/store/kysely/schema.js';
import { migrations } from '../../src/store/migrations/index.js';
import { openStore, type StoreTarget } from '../../src/store/open.js';
import { PG_URL, pgSchema } from '../harness.js';
import { PREVIOUS } from '../ops/upgrade/previous-release.js';

/**
 * Rolling upgrade (docs/operations.md): a node of the previous release keeps serving on a schema
 * migrated by this one, so every migration after the previous release is expand-only. What can be
 * checked cheaply: after each of them, every table, column and index of the previous release's
 * schema is still there, and a column it adds to one of those tables takes a default or null
 * (the previous release inserts rows without it).
 */
const NAMES = Object.keys(migrations);
const LAST_SHIPPED = PREVIOUS.migrations.at(-1)!;
const NEWER = NAMES.slice(PREVIOUS.migrations.length);

interface Column {
  table: string;
  column: string;
  /** NOT NULL without a default: an insert that does not name it fails. */
  required: boolean;
}
interface Shape {
  columns: Column[];
  indexes: string[];
}

async function shapeOf(db: Kysely<DB>, dialect: 'sqlite' | 'postgres'): Promise<Shape> {
  if (dialect === 'sqlite') {
    const cols = await sql<{ t: string; c: string; notnull: number; dflt: string | null; pk: number }>`
      select m.name as t, p.name as c, p."notnull" as "notnull", p.dflt_value as dflt, p.pk as pk
      from sqlite_master m join pragma_table_info(m.name) p
      where m.type = 'table' and m.name not like 'sqlite_%'`.execute(db);
    const idx = await sql<{ name: string }>`select name from sqlite_master where type = 'index' and name not like 'sqlite_%'`.execute(db);
    return {
      columns: cols.rows.map((r) => ({ table: r.t, column: r.c, required: (r.notnull === 1 || r.pk > 0) && r.dflt === null })),
      indexes: idx.rows.map((r) => r.name),
    };
  }
  const cols = await sql<{ t: string; c: string; nullable: string; dflt: string | null }>`
    select table_name as t, column_name as c, is_nullable as nullable, column_default as dflt
    from information_schema.columns where table_schema = current_schema()`.execute(db);
  const idx = await sql<{ name: string }>`select indexname as name from pg_catalog.pg_indexes where schemaname = current_schema()`.execute(
    db,
  );
  return {
    columns: cols.rows.map((r) => ({ table: r.t, column: r.c, required: r.nullable === 'NO' && r.dflt === null })),
    indexes: idx.rows.map((r) => r.name),
  };
}

/** What `after` broke of `before` for a node that only knows `before`. */
function contractions(before: Shape, after: Shape): string[] {
  const key = (c: Column) => `${c.table}.${c.column}`;
  const now = new Map(after.columns.map((c) => [key(c), c]));
  const oldTables = new Set(before.columns.map((c) => c.table));
  const had = new Set(before.columns.map(key));
  const out: string[] = [];
  for (const c of before.columns) if (!now.has(key(c))) out.push(`column ${key(c)} dropped or renamed`);
  for (const c of after.columns)
    if (oldTables.has(c.table) && !had.has(key(c)) && c.required) out.push(`column ${key(c)} added NOT NULL without a default`);
  for (const i of before.indexes) if (!after.indexes.includes(i)) out.push(`index ${i} dropped or renamed`);
  return out;
}

describe('migrations after the previous release', () => {
  it(`the previous release's migrations (${PREVIOUS.version}) are this release's first ones, in order: shipped ones are never removed or renamed`, () => {
    expect(NAMES.slice(0, PREVIOUS.migrations.length)).toEqual(PREVIOUS.migrations);
  });
});

describe.each(['sqlite', 'postgres'] as const)('migrations are expand-only on %s', (dialect) => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
  });

  async function fresh(): Promise<{ db: Kysely<DB>; pg?: { schema: string } }> {
    if (dialect === 'sqlite') {
      const db = openSqlite(':memory:');
      closers.push(() => db.destroy());
      return { db };
    }
    const { schema, drop } = pgSchema();
    closers.push(drop);
    const { db } = await openPostgres({ url: PG_URL, schema });
    closers.push(() => db.destroy());
    return { db, pg: { schema } };
  }

  it(`each migration after ${LAST_SHIPPED} keeps every table, column and index of ${PREVIOUS.version}, and adds no required column to them (${NEWER.length} to check)`, async () => {
    const { db, pg } = await fresh();
    await migrateToLatest(db, pg, LAST_SHIPPED);
    const shipped = await shapeOf(db, dialect);
    for (const name of NEWER) {
      await migrateToLatest(db, pg, name);
      expect(contractions(shipped, await shapeOf(db, dialect)), `migration ${name}`).toEqual([]);
    }
  });

  it('the check sees a contraction: a dropped column, a dropped index, a required column added', async () => {
    const { db, pg } = await fresh();
    await migrateToLatest(db, pg, LAST_SHIPPED);
    const shipped = await shapeOf(db, dialect);
    await db.schema.alterTable('iot_policies').dropColumn('last_used_at').execute();
    await db.schema.dropIndex('refresh_tokens_session').execute();
    await db.schema
      .alterTable('api_keys')
      .addColumn('required_now', 'text', (c) => c.notNull())
      .execute();
    expect(contractions(shipped, await shapeOf(db, dialect)).sort()).toEqual([
      'column api_keys.required_now added NOT NULL without a default',
      'column iot_policies.last_used_at dropped or renamed',
      'index refresh_tokens_session dropped or renamed',
    ]);
  });

  it('a store migrated by a later release (a migration this one does not know) still opens, with nothing to run', async () => {
    let target: StoreTarget;
    if (dialect === 'sqlite') {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-later-'));
      closers.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      target = { kind: 'sqlite', file: path.join(dir, 'latch.db') };
    } else {
      const s = pgSchema();
      closers.push(s.drop);
      target = { kind: 'postgres', url: PG_URL, schema: s.schema };
    }
    await (await openStore(target)).close();
    const db = target.kind === 'sqlite' ? openSqlite(target.file) : (await openPostgres({ url: PG_URL, schema: target.schema })).db;
    await sql`insert into kysely_migration (name, timestamp) values ('9999_later', '2030-01-01T00:00:00.000Z')`.execute(db);
    await db.destroy();
    const store = await openStore(target);
    expect(await store.tenants.count()).toBe(0);
    expect(await store.backup.schemaVersion()).toBe('9999_later');
    await store.close();
  });
});
