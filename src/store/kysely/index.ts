import { Migrator, PostgresAdapter, sql, type DatabaseIntrospector, type Kysely, type TableMetadata } from 'kysely';
import type { Store } from '../port.js';
import { migrationProvider, migrations } from '../migrations/index.js';
import type { DB } from './schema.js';
import { tenants } from './tenants.js';
import { users } from './users.js';
import { assignments, roles } from './roles.js';
import { apiKeys } from './api-keys.js';
import { sessions } from './sessions.js';
import { signingKeys } from './signing-keys.js';
import { audit } from './audit.js';
import { agents } from './agents.js';
import { assetTypes } from './asset-types.js';
import { meta } from './meta.js';
import { iot } from './iot-resources.js';
import { central } from './central.js';
import { sealed } from './sealed.js';
import { backup } from './backup.js';
import { loginFailures } from './login-failures.js';
import { WriteQueue } from './write-queue.js';

/** The one Store implementation, over either dialect. */
export function kyselyStore(db: Kysely<DB>, dialect: Store['dialect'], onClose: () => Promise<void> = () => db.destroy()): Store {
  const bind = (d: Kysely<DB>): Omit<Store, 'transaction' | 'write' | 'clusterLock' | 'close' | 'ping' | 'dialect'> => ({
    tenants: tenants(d),
    users: users(d),
    roles: roles(d),
    assignments: assignments(d),
    apiKeys: apiKeys(d),
    sessions: sessions(d),
    signingKeys: signingKeys(d),
    audit: audit(d),
    agents: agents(d),
    assetTypes: assetTypes(d),
    meta: meta(d),
    iot: iot(d),
    central: central(d),
    sealed: sealed(d),
    backup: backup(d, dialect),
    loginFailures: loginFailures(d, dialect),
  });
  const lock = async (trx: Kysely<DB>, name: string): Promise<void> => {
    // The schema is part of the key: Latch stores in other schemas of the database never wait on this one.
    if (dialect === 'postgres')
      await sql`select pg_advisory_xact_lock(hashtextextended(${name} || '@' || current_schema(), 0))`.execute(trx);
  };
  // Inside a transaction, a nested transaction() or write() joins the outer one. The units of one
  // group commit share their transaction, so its repositories are bound once for all of them.
  let last: { trx: Kysely<DB>; tx: Store } | undefined;
  const boundTo = (trx: Kysely<DB>): Store => {
    if (last?.trx === trx) return last.tx;
    const tx: Store = {
      ...store,
      ...bind(trx),
      transaction: (inner) => inner(tx),
      write: (inner) => inner(tx),
      clusterLock: async (name, inner) => {
        await lock(trx, name);
        return inner(tx);
      },
    };
    last = { trx, tx };
    return tx;
  };
  const queue = new WriteQueue(db);
  const store: Store = {
    dialect,
    ...bind(db),
    async transaction(fn) {
      return db.transaction().execute((trx) => fn(boundTo(trx)));
    },
    write: (fn) => queue.run((trx) => fn(boundTo(trx))),
    async clusterLock(name, fn) {
      return db.transaction().execute(async (trx) => {
        await lock(trx, name);
        return fn(boundTo(trx));
      });
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: onClose,
  };
  return store;
}

/**
 * Migrates to the latest schema, or up to migration `to` (tests of a migration build the schema
 * before it). On PostgreSQL (told by `postgres`, or seen from the dialect) the store is in
 * `postgres.schema` (default: the connection's current schema). Kysely looks for its migration
 * tables in every schema of the database unless told which one, so a fresh schema next to another
 * Latch schema would skip creating them and fail; and its own introspector reads every schema.
 */
export async function migrateToLatest(db: Kysely<DB>, postgres?: { schema?: string }, to?: string): Promise<void> {
  postgres ??= db.getExecutor().adapter instanceof PostgresAdapter ? {} : undefined;
  const schema = postgres?.schema;
  const migrating = postgres ? withIntrospector(db, schemaIntrospector(db, schema)) : db;
  const migrator = new Migrator({
    db: migrating,
    provider: migrationProvider,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  if (to !== undefined) {
    // Kysely would migrate down to `to`, and ours have no down: it would only forget they ran.
    const last = (await migrator.getMigrations()).filter((m) => m.executedAt).at(-1)?.name;
    if (last !== undefined && last > to) throw new SchemaAheadError(last, to);
  }
  if (to === undefined && (await ranByLaterRelease(migrating, schema))) return;
  const { error, results } = await (to === undefined ? migrator.migrateToLatest() : migrator.migrateTo(to));
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Whether a later release has migrated this store past every migration this one knows (rolling
 * upgrade: this node still runs while a newer one has migrated). Migrations are expand-only
 * (docs/operations.md), so the schema still serves this release, and there is nothing to run;
 * Kysely's migrator would refuse to start over migrations it does not know. A store that lacks
 * one of ours while holding unknown ones is not ours to fix: the migrator's error stands.
 */
async function ranByLaterRelease(db: Kysely<DB>, schema: string | undefined): Promise<boolean> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === 'kysely_migration')) return false;
  const table = sql.table(schema ? `${schema}.kysely_migration` : 'kysely_migration');
  const ran = new Set((await sql<{ name: string }>`select name from ${table}`.execute(db)).rows.map((r) => r.name));
  const ours = Object.keys(migrations);
  return [...ran].some((n) => !ours.includes(n)) && ours.every((n) => ran.has(n));
}

/** A store asked to migrate up to `to` is already past it (migrations only go up). */
export class SchemaAheadError extends Error {
  constructor(
    readonly at: string,
    readonly to: string,
  ) {
    super(`the store is already at schema ${at}, past ${to}`);
  }
}

/**
 * What the migrator needs to know on PostgreSQL (does our schema exist, which tables does it hold),
 * asked of our schema only. Kysely's own introspector reads every table of every schema and calls
 * has_schema_privilege() and pg_get_serial_sequence() by name on each: a schema that another client
 * drops meanwhile fails the whole query with `schema "…" does not exist` (seen when other Latch
 * databases, such as test runs, were dropped while this one migrated).
 */
function schemaIntrospector(db: Kysely<DB>, schema: string | undefined): DatabaseIntrospector {
  const ns = schema === undefined ? sql`current_schema()` : sql`${schema}`;
  const getTables = async (): Promise<TableMetadata[]> => {
    const r = await sql<{ name: string; schema: string; kind: string }>`
      select c.relname as name, n.nspname as schema, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${ns} and c.relkind in ('r', 'p', 'v')`.execute(db);
    return r.rows.map((t) => ({ name: t.name, schema: t.schema, isView: t.kind === 'v', columns: [] }));
  };
  return {
    async getSchemas() {
      const r = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${ns}`.execute(db);
      return r.rows;
    },
    getTables,
    async getMetadata() {
      return { tables: await getTables() };
    },
  };
}

/** `db` with another introspector; every other member is the instance's own (bound to it: Kysely keeps private fields). */
function withIntrospector(db: Kysely<DB>, introspection: DatabaseIntrospector): Kysely<DB> {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'introspection') return introspection;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
