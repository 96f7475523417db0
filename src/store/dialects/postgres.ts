import pg from 'pg';
import { Kysely, PostgresAdapter, PostgresDialect, sql, type DialectAdapter, type MigrationLockOptions } from 'kysely';
import type { DB } from '../kysely/schema.js';

export interface PostgresOptions {
  url: string;
  /** Schema to work in (tests isolate each run in its own); created if missing. */
  schema?: string;
  max?: number;
}

/** int8 (our epoch-ms columns, counts) as JS numbers: all our values are < 2^53. */
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
};

export function postgresPoolConfig(opts: PostgresOptions): pg.PoolConfig {
  return {
    connectionString: opts.url,
    max: opts.max ?? 10,
    types,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  };
}

/**
 * Kysely's PostgreSQL migration lock is one advisory lock for the whole database, so every Latch
 * schema of a database migrated one after another: a start waited for the migrations of any other
 * schema — under load, for those of every test run on the machine, past set-up timeouts (whose
 * clean-up then dropped the schema under the migration still queued for it).
 * The lock is per schema here: nodes of one schema still migrate one at a time. (Latch 0.1.0 takes
 * Kysely's lock instead. It has nothing to migrate on a schema this release opened, so the two
 * could only race on a new, empty schema started by both at once: the loser's transactional DDL
 * fails on the winner's tables, and its restart finds the work done.)
 */
class SchemaMigrationLock extends PostgresAdapter {
  private key = (opt: MigrationLockOptions) =>
    sql`hashtext('latch.migrate.' || coalesce(${opt.lockTableSchema ?? null}, current_schema()))`;

  override async acquireMigrationLock(db: Kysely<unknown>, opt: MigrationLockOptions): Promise<void> {
    await sql`select set_config('lock_timeout', '3600000', true), pg_advisory_lock(${this.key(opt)})`.execute(db);
  }

  override async releaseMigrationLock(db: Kysely<unknown>, opt: MigrationLockOptions): Promise<void> {
    await sql`select pg_advisory_unlock(${this.key(opt)})`.execute(db);
  }
}

class LatchPostgresDialect extends PostgresDialect {
  override createAdapter(): DialectAdapter {
    return new SchemaMigrationLock();
  }
}

export async function openPostgres(opts: PostgresOptions): Promise<{ db: Kysely<DB>; pool: pg.Pool }> {
  if (opts.schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new Error(`bad schema name ${opts.schema}`);
    // `CREATE SCHEMA IF NOT EXISTS` is not safe against itself: two nodes creating one schema at
    // once, one fails on pg_namespace's unique index. A lock on the name, held until the commit
    // that makes the schema visible, lets the second find it there.
    const c = new pg.Client({ connectionString: opts.url });
    await c.connect();
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`latch.schema.${opts.schema}`]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}`);
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
  }
  const pool = new pg.Pool(postgresPoolConfig(opts));
  return { db: new Kysely<DB>({ dialect: new LatchPostgresDialect({ pool }) }), pool };
}
