import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_init.js';
import * as m0002 from './0002_iot.js';
import * as m0003 from './0003_policy_last_used.js';
import * as m0004 from './0004_central.js';
import * as m0005 from './0005_refresh_token_id.js';
import * as m0006 from './0006_login_failures.js';
import * as m0007 from './0007_central_token_last_used.js';

/** Every migration, in order. Append only; never edit a shipped one. */
export const migrations: Record<string, Migration> = {
  '0001_init': m0001,
  '0002_iot': m0002,
  '0003_policy_last_used': m0003,
  '0004_central': m0004,
  '0005_refresh_token_id': m0005,
  '0006_login_failures': m0006,
  '0007_central_token_last_used': m0007,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
