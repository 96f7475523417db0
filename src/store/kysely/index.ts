import { Migrator, sql, type Kysely } from 'kysely';
import type { Store } from '../port.js';
import { migrationProvider } from '../migrations/index.js';
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
import { WriteQueue } from './write-queue.js';

/** The one Store implementation, over either dialect. */
export function kyselyStore(db: Kysely<DB>, dialect: Store['dialect'], onClose: () => Promise<void> = () => db.destroy()): Store {
  const bind = (d: Kysely<DB>): Omit<Store, 'transaction' | 'write' | 'close' | 'ping' | 'dialect'> => ({
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
  });
  // Inside a transaction, a nested transaction() or write() joins the outer one.
  const boundTo = (trx: Kysely<DB>): Store => {
    const tx: Store = { ...store, ...bind(trx), transaction: (inner) => inner(tx), write: (inner) => inner(tx) };
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
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: onClose,
  };
  return store;
}

/**
 * `schema` (PostgreSQL): the schema the store lives in. Kysely looks for its migration tables in
 * every schema of the database unless told which one, so a fresh schema next to another Latch
 * schema would skip creating them and fail.
 */
export async function migrateToLatest(db: Kysely<DB>, schema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message}`, { cause: error });
  }
}
