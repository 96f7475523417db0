import { describe } from 'vitest';
import { openStore } from '../src/store/open.js';
import { runStoreContract } from './store-contract/index.js';
import { PG_URL, pgSchema } from './harness.js';

// Never skipped: without PostgreSQL this file fails (openStore throws), as CI must.
describe('store contract on PostgreSQL', () => {
  runStoreContract(async () => {
    const { schema, drop } = pgSchema();
    const store = await openStore({ kind: 'postgres', url: PG_URL, schema });
    const close = store.close;
    return Object.assign(store, { close: async () => { try { await close(); } finally { await drop(); } } });
  });
});
