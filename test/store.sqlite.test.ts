import { describe } from 'vitest';
import { openSqlite } from '../src/store/dialects/sqlite.js';
import { kyselyStore, migrateToLatest } from '../src/store/kysely/index.js';
import { runStoreContract } from './store-contract/index.js';

describe('store contract on SQLite (:memory:)', () => {
  runStoreContract(async () => {
    const db = openSqlite(':memory:');
    await migrateToLatest(db);
    return kyselyStore(db, 'sqlite');
  });
});
