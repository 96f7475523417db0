import path from 'node:path';
import Database from 'better-sqlite3';
import {
  Kysely,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import type { DB } from '../kysely/schema.js';
import { Lru } from '../../util/lru.js';
import { ensurePrivateDir, ensurePrivateFile } from '../../util/private-files.js';
import { WalSync, walFileFlush, type WalFlusher } from './wal-sync.js';

/**
 * Kysely's SQLite driver prepares every query anew; parsing and planning were about a fifth of a
 * request's CPU. The SQL of a query shape never changes (values are bound parameters), so each
 * statement is prepared once and reused (bounded; SQLite re-prepares by itself after a schema change).
 * Kysely asks for the statement of every query it runs, so this is also where a write is seen:
 * `onWrite` is called for each statement that can change the database.
 */
function withStatementCache(db: Database.Database, onWrite: () => void, max = 500): SqliteDatabase {
  const statements = new Lru<string, SqliteStatement & { readonly: boolean }>(max);
  return {
    prepare(sql) {
      let st = statements.get(sql);
      if (!st) statements.set(sql, (st = db.prepare(sql)));
      if (!st.readonly) onWrite();
      return st;
    },
    close: () => db.close(),
  };
}

/**
 * Kysely's driver, with durable commits made off the event loop (see WalSync): a connection that
 * wrote and is released outside a transaction has committed, and its release (so the query's or
 * the transaction's promise) settles only once the WAL is flushed; the single connection itself
 * is free for the next query at once.
 */
class DurableSqliteDriver extends SqliteDriver {
  constructor(
    config: ConstructorParameters<typeof SqliteDriver>[0],
    private readonly db: Database.Database,
    private readonly wal: { sync: WalSync; flusher: WalFlusher } | undefined,
    private readonly writes: { pending: boolean },
  ) {
    super(config);
  }

  override async acquireConnection() {
    this.wal?.sync.check();
    return super.acquireConnection();
  }

  override async destroy(): Promise<void> {
    await super.destroy();
    this.wal?.flusher.close();
  }

  // A transaction rolled back has left nothing to make durable (the group commit rolls back a
  // batch in which a unit failed before running it again): no flush is owed for its writes.
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await super.rollbackTransaction(connection);
    this.writes.pending = false;
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    if (!this.wal) return;
    if (this.writes.pending && !this.db.inTransaction) {
      this.writes.pending = false;
      this.wal.sync.committedOne();
    }
    await this.wal.sync.durable();
  }
}

export interface SqliteOptions {
  /** How the WAL is flushed (tests hold it to see that nothing settles before it); default fdatasync of `<file>-wal`. */
  walFlush?: WalFlusher;
}

/**
 * Opens SQLite: WAL, FKs on, the file and its dir private (0600 / 0700). Durability is that of
 * synchronous=FULL — a committed credential survives power loss — with the commit's fsync made
 * by Latch in the thread pool (WalSync) rather than by SQLite on the event loop.
 */
export function openSqlite(file: string, options: SqliteOptions = {}): Kysely<DB> {
  const onDisk = file !== ':memory:';
  if (onDisk) {
    ensurePrivateDir(path.dirname(file));
    ensurePrivateFile(file);
  }
  const db = new Database(file);
  // A file system without shared memory keeps SQLite in its rollback journal: then SQLite syncs every commit itself (FULL).
  const wal = onDisk && db.pragma('journal_mode = WAL', { simple: true }) === 'wal';
  // NORMAL in WAL mode: SQLite syncs at checkpoints but not at each commit; WalSync flushes each commit.
  db.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const writes = { pending: false };
  const flusher = wal ? (options.walFlush ?? walFileFlush(file)) : undefined;
  const durable = flusher && { sync: new WalSync(flusher), flusher };
  const config = { database: withStatementCache(db, () => (writes.pending = true)) };
  const dialect = new (class extends SqliteDialect {
    override createDriver(): Driver {
      return new DurableSqliteDriver(config, db, durable, writes);
    }
  })(config);
  return new Kysely<DB>({ dialect });
}
