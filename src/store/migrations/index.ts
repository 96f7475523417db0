import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_init.js';

/** Every migration, in order. Append only; never edit a shipped one. */
export const migrations: Record<string, Migration> = {
  '0001_init': m0001,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
