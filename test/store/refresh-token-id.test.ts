import { afterAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { digest, generateSecret } from '../../src/crypto/secrets.js';
import { refreshTokenKey } from '../../src/services/sessions.js';
import { timeOrderedId } from '../../src/domain/ids.js';
import { openPostgres } from '../../src/store/dialects/postgres.js';
import { openSqlite } from '../../src/store/dialects/sqlite.js';
import { kyselyStore, migrateToLatest } from '../../src/store/kysely/index.js';
import type { DB } from '../../src/store/kysely/schema.js';
import { makeTestApp, PG_URL, pgSchema, type TestApp } from '../harness.js';
import { sessionRow, T0, tenant } from '../store-contract/fixtures.js';

/**
 * Migration 0005: a refresh token carries its row's time-ordered id, and a token issued before it
 * (which names no row) is still found by its digest: below the port on each dialect, then through
 * the token endpoint.
 */
describe.each(['sqlite', 'postgres'] as const)('refresh tokens that name their row, on %s', (dialect) => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
  });

  /** A database migrated up to 0004 only, as a Latch of before this change left it. */
  async function at0004(): Promise<{ db: Kysely<DB>; migrate: () => Promise<void>; schema?: string }> {
    if (dialect === 'sqlite') {
      const db = openSqlite(':memory:');
      await migrateToLatest(db, undefined, '0004_central');
      return { db, migrate: () => migrateToLatest(db) };
    }
    const { schema, drop } = pgSchema();
    closers.push(drop);
    const { db } = await openPostgres({ url: PG_URL, schema });
    await migrateToLatest(db, { schema }, '0004_central');
    return { db, migrate: () => migrateToLatest(db, { schema }), schema };
  }

  it('migration 0005 keeps a stored token working: found by its digest, spent once, removed with its session', async () => {
    const { db, migrate } = await at0004();
    const store = kyselyStore(db, dialect);
    try {
      const t = await tenant(store);
      const x = sessionRow(t.id);
      await store.sessions.insert(x);
      const legacy = generateSecret('rt'); // the shape issued before 0005: no row id
      const hash = digest(legacy);
      await sql`insert into refresh_tokens (hash, session_id, created_at, expires_at, used_at)
                values (${hash}, ${x.id}, ${T0}, ${T0 + 1000}, ${null})`.execute(db);
      await migrate();

      const key = refreshTokenKey(legacy)!;
      expect(key).toEqual({ id: hash, hash });
      expect(await store.sessions.findRefreshToken(key)).toMatchObject({ token: { id: hash, hash, sessionId: x.id, usedAt: null } });
      expect((await store.sessions.consumeRefreshToken(key, T0 + 1)).status).toBe('ok');
      expect(await store.sessions.consumeRefreshToken(key, T0 + 2)).toEqual({ status: 'reused', sessionId: x.id });

      // A token of the new shape beside it, keyed by the id it carries.
      const id = timeOrderedId(T0);
      const token = generateSecret('rt', id);
      await store.sessions.addRefreshToken({ id, hash: digest(token), sessionId: x.id, createdAt: T0, expiresAt: T0 + 1000, usedAt: null });
      expect(refreshTokenKey(token)).toEqual({ id, hash: digest(token) });
      expect((await store.sessions.consumeRefreshToken(refreshTokenKey(token)!, T0 + 3)).status).toBe('ok');

      // The foreign key survived the table's rebuild: deleting the tenant takes its sessions and their tokens.
      expect(await store.tenants.delete(t.id)).toBe(true);
      const left = await sql<{ n: number | string }>`select count(*) as n from refresh_tokens`.execute(db);
      expect(Number(left.rows[0]!.n)).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('after 0005 the row id is the primary key and the digest is indexed nowhere', async () => {
    const { db, migrate, schema } = await at0004();
    try {
      await migrate();
      if (dialect === 'sqlite') {
        const indexes = await sql<{ name: string }>`select name from pragma_index_list('refresh_tokens') order by name`.execute(db);
        const cols = await Promise.all(
          indexes.rows.map(async (i) =>
            (await sql<{ name: string }>`select name from pragma_index_info(${i.name})`.execute(db)).rows.map((c) => c.name),
          ),
        );
        expect(cols.sort()).toEqual([['id'], ['session_id']]);
      } else {
        const r = await sql<{ conname: string; contype: string }>`
          select c.conname, c.contype from pg_constraint c join pg_class t on t.oid = c.conrelid
          join pg_namespace n on n.oid = t.relnamespace
          where n.nspname = ${schema} and t.relname = 'refresh_tokens' order by c.conname`.execute(db);
        expect(r.rows).toEqual([
          { conname: 'refresh_tokens_pkey', contype: 'p' },
          { conname: 'refresh_tokens_session_id_fkey', contype: 'f' },
        ]);
        const idx = await sql<{ indexdef: string }>`
          select indexdef from pg_indexes where schemaname = ${schema} and tablename = 'refresh_tokens' order by indexname`.execute(db);
        expect(idx.rows.map((i) => /\((\w+)\)$/.exec(i.indexdef)?.[1])).toEqual(['id', 'session_id']);
      }
    } finally {
      await db.destroy();
    }
  });

  describe('through the token endpoint', () => {
    let t: TestApp;
    afterAll(async () => t?.close());

    it('a token stored before 0005 refreshes once, and its successor carries its row id', async () => {
      t = await makeTestApp({ dialect });
      const login = await t.login(t.admin.username, t.admin.password);
      // What migration 0005 made of a token stored before it: its row keyed by its digest.
      const legacy = generateSecret('rt');
      const now = t.clock.now();
      await t.server.deps.store.sessions.addRefreshToken({
        id: digest(legacy),
        hash: digest(legacy),
        sessionId: login.session_state,
        createdAt: now,
        expiresAt: now + 60_000,
        usedAt: null,
      });
      const refresh = (rt: string) => t.token({ grant_type: 'refresh_token', refresh_token: rt });
      const next = await refresh(legacy);
      expect(next.statusCode, next.body).toBe(200);
      const successor = next.json().refresh_token as string;
      expect(successor).toMatch(/^latch_rt_[0-9a-f]{32}[0-9A-Za-z]{49}$/);
      const rowId = refreshTokenKey(successor)!.id;
      expect(parseInt(rowId.replaceAll('-', '').slice(0, 12), 16)).toBe(t.clock.now()); // time-ordered: its issue instant
      expect((await refresh(successor)).statusCode).toBe(200);
      // Spent: the second use of the old token is reuse, and revokes the session.
      const again = await refresh(legacy);
      expect(again.statusCode).toBe(400);
      expect(again.json()).toMatchObject({ error: 'invalid_grant', error_description: 'Stale token' });
    });

    it('a new-shape token whose random part was changed (checksum recomputed) is unknown, not its row', async () => {
      const login = await t.login(t.admin.username, t.admin.password);
      const key = refreshTokenKey(login.refresh_token)!;
      // Same row id, other random part, valid checksum: a well-formed token that is not the stored one.
      const forged = generateSecret('rt', key.id);
      const r = await t.token({ grant_type: 'refresh_token', refresh_token: forged });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
      // and the real one was not spent by it
      expect((await t.token({ grant_type: 'refresh_token', refresh_token: login.refresh_token })).statusCode).toBe(200);
    });
  });
});
