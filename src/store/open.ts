import path from 'node:path';
import type { Store } from './port.js';
import { kyselyStore, migrateToLatest } from './kysely/index.js';
import { openSqlite } from './dialects/sqlite.js';

export type StoreTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string };

export function storeTarget(cfg: { databaseUrl?: string; dataDir: string }): StoreTarget {
  return cfg.databaseUrl ? { kind: 'postgres', url: cfg.databaseUrl } : { kind: 'sqlite', file: path.join(cfg.dataDir, 'latch.db') };
}

/** Opens the store and migrates it to the latest schema. */
export async function openStore(target: StoreTarget): Promise<Store> {
  if (target.kind === 'sqlite') {
    const db = openSqlite(target.file);
    await migrateToLatest(db);
    return kyselyStore(db, 'sqlite');
  }
  // Loaded on use: a Latch on SQLite never loads the PostgreSQL driver.
  const { openPostgres } = await import('./dialects/postgres.js');
  const { db } = await openPostgres({ url: target.url, schema: target.schema });
  await migrateToLatest(db, { schema: target.schema });
  return kyselyStore(db, 'postgres');
}
