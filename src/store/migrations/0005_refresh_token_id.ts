import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen. A refresh token names its row: `id`, a time-ordered UUID carried in the token, becomes the
// primary key, and `hash` (the token's SHA-256 digest) is compared on lookup but no longer indexed.
// Keyed by the digest, every issued token landed on a random leaf of the index, so each group
// commit wrote about one index page per token. Rows of tokens issued before this migration keep
// the digest as their id: such a token names no row, and is found by its digest as before.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('refresh_tokens_0005')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db
    .insertInto('refresh_tokens_0005')
    .columns(['id', 'hash', 'session_id', 'created_at', 'expires_at', 'used_at'])
    .expression(db.selectFrom('refresh_tokens').select([sql`hash`.as('id'), 'hash', 'session_id', 'created_at', 'expires_at', 'used_at']))
    .execute();
  await db.schema.dropTable('refresh_tokens').execute();
  await db.schema.alterTable('refresh_tokens_0005').renameTo('refresh_tokens').execute();
  await db.schema.createIndex('refresh_tokens_session').on('refresh_tokens').column('session_id').execute();
  // PostgreSQL named the constraints after the table they were made in.
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`alter table refresh_tokens rename constraint refresh_tokens_0005_pkey to refresh_tokens_pkey`.execute(db);
    await sql`alter table refresh_tokens rename constraint refresh_tokens_0005_session_id_fkey to refresh_tokens_session_id_fkey`.execute(
      db,
    );
  }
}
