import type { Kysely } from 'kysely';

// Frozen. When an IoT Central API token last authenticated a request: epoch ms, null until then.
// Additive only: a node of the previous version runs on this schema unchanged.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('central_api_tokens').addColumn('last_used_at', 'bigint').execute();
}
