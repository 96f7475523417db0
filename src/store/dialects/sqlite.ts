import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { DB } from '../kysely/schema.js';
import { Lru } from '../../util/lru.js';
import { ensurePrivateDir, ensurePrivateFile } from '../../util/private-files.js';

/**
 * Kysely's SQLite driver prepares every query anew; parsing and planning were about a fifth of a
 * request's CPU. The SQL of a query shape never changes (values are bound parameters), so each
 * statement is prepared once and reused (bounded; SQLite re-prepares by itself after a schema change).
 */
function withStatementCache(db: Database.Database, max = 500): SqliteDatabase {
  const statements = new Lru<string, SqliteStatement>(max);
  return {
    prepare(sql) {
      let st = statements.get(sql);
      if (!st) statements.set(sql, (st = db.prepare(sql)));
      return st;
    },
    close: () => db.close(),
  };
}

/** Opens SQLite: WAL, synchronous=FULL (a committed credential survives power loss), FKs on; the file and its dir private (0600 / 0700). */
export function openSqlite(file: string): Kysely<DB> {
  if (file !== ':memory:') {
    ensurePrivateDir(path.dirname(file));
    ensurePrivateFile(file);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(db) }) });
}

export function isSqliteUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
