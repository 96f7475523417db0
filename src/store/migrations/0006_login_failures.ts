import type { Kysely } from 'kysely';

// Frozen. Failed-login counts shared by the nodes of a cluster (on SQLite, the one node keeps them
// in memory and this table stays empty). Additive only: a node of the previous version runs on
// this schema unchanged. `key` names what was counted (a credential and an address, never a
// secret); a count whose `forget_at` has passed no longer counts and is swept.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('login_failures')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
    .addColumn('forget_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_failures_forget_at').on('login_failures').column('forget_at').execute();
}
