import fs from 'node:fs';
import path from 'node:path';
import type { Store } from './port.js';
import { kyselyStore, migrateToLatest } from './kysely/index.js';
import { openSqlite } from './dialects/sqlite.js';

export type StoreTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string };

export function storeTarget(cfg: { databaseUrl?: string; dataDir: string }): StoreTarget {
  return cfg.databaseUrl ? { kind: 'postgres', url: cfg.databaseUrl } : { kind: 'sqlite', file: path.join(cfg.dataDir, 'latch.db') };
}

/**
 * Opens the store and migrates it to the latest schema, or only up to migration `upTo` (a restore
 * of a backup taken at that schema); a store already past `upTo` throws SchemaAheadError.
 */
export async function openStore(target: StoreTarget, upTo?: string): Promise<Store> {
  if (target.kind === 'sqlite') {
    const db = openSqlite(target.file);
    await migrateToLatest(db, undefined, upTo).catch(async (e: unknown) => {
      await db.destroy();
      throw e;
    });
    return kyselyStore(db, 'sqlite');
  }
  // Loaded on use: a Latch on SQLite never loads the PostgreSQL driver.
  const { openPostgres } = await import('./dialects/postgres.js');
  const { db } = await openPostgres({ url: target.url, schema: target.schema });
  await migrateToLatest(db, { schema: target.schema }, upTo).catch(async (e: unknown) => {
    await db.destroy();
    throw e;
  });
  return kyselyStore(db, 'postgres');
}

/**
 * Reads `keys` from the store's meta table without writing anything, before the store is opened
 * for use (the master-key check at start): undefined when there is no store yet (no SQLite file,
 * no meta table). Never checkpoints, never migrates. SQLite with a WAL file present (a crash, or
 * a server running) is read by a read-only connection, which reads the WAL as it is; without one,
 * by a read-write connection that only reads: SQLite removes the -wal and -shm files it makes when
 * it closes, with nothing to checkpoint (a read-only connection would leave them behind).
 */
export async function peekMeta(target: StoreTarget, keys: string[]): Promise<Map<string, string> | undefined> {
  if (target.kind === 'sqlite') {
    if (target.file === ':memory:' || !fs.existsSync(target.file)) return undefined;
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(target.file, { readonly: fs.existsSync(`${target.file}-wal`), fileMustExist: true });
    try {
      if (!db.prepare(`select 1 from sqlite_master where type = 'table' and name = 'meta'`).get()) return undefined;
      const rows = db.prepare(`select key, value from meta where key in (${keys.map(() => '?').join(',')})`).all(...keys);
      return new Map((rows as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    } finally {
      db.close();
    }
  }
  const { default: pg } = await import('pg');
  const { postgresPoolConfig } = await import('./dialects/postgres.js');
  const c = new pg.Client(postgresPoolConfig({ url: target.url, schema: target.schema }));
  await c.connect();
  try {
    const has = await c.query<{ t: string | null }>(`select to_regclass('meta')::text as t`);
    if (!has.rows[0]?.t) return undefined;
    const rows = await c.query<{ key: string; value: string }>('select key, value from meta where key = any($1)', [keys]);
    return new Map(rows.rows.map((r) => [r.key, r.value]));
  } finally {
    await c.end();
  }
}
