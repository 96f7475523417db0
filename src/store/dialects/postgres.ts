import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
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
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), pool };
}
