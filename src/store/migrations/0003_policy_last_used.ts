import type { Kysely } from 'kysely';

// Frozen. When a shared access policy (hub or DPS) last verified a SAS token: epoch ms, null until then.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('iot_policies').addColumn('last_used_at', 'bigint').execute();
}
