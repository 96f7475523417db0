import type { PrincipalType, Session } from '../../domain/types.js';
import type { SessionRepo } from '../port.js';
import { affected, guardUnique, insertRow, num, numOrNull, type Db } from './util.js';
import type { DB } from './schema.js';

const toSession = (r: DB['sessions']): Session => ({
  id: r.id,
  tenantId: r.tenant_id,
  principalType: r.principal_type as PrincipalType,
  principalId: r.principal_id,
  createdAt: num(r.created_at),
  expiresAt: num(r.expires_at),
  revokedAt: numOrNull(r.revoked_at),
  clientAddress: r.client_address,
});

export const sessions = (db: Db): SessionRepo => ({
  async insert(s) {
    await guardUnique(
      'sessions',
      insertRow(db, 'sessions', {
        id: s.id,
        tenant_id: s.tenantId,
        principal_type: s.principalType,
        principal_id: s.principalId,
        created_at: s.createdAt,
        expires_at: s.expiresAt,
        revoked_at: s.revokedAt,
        client_address: s.clientAddress,
      } satisfies DB['sessions']),
    );
  },
  async get(id) {
    const r = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toSession(r);
  },
  async listForTenant(tenantId) {
    return (
      await db.selectFrom('sessions').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').orderBy('id').execute()
    ).map(toSession);
  },
  async listForPrincipal(type, id) {
    return (
      await db
        .selectFrom('sessions')
        .selectAll()
        .where('principal_type', '=', type)
        .where('principal_id', '=', id)
        .orderBy('created_at', 'desc')
        .execute()
    ).map(toSession);
  },
  async addRefreshToken(t) {
    await guardUnique(
      'refresh_tokens',
      insertRow(db, 'refresh_tokens', {
        id: t.id,
        hash: t.hash,
        session_id: t.sessionId,
        created_at: t.createdAt,
        expires_at: t.expiresAt,
        used_at: t.usedAt,
      } satisfies DB['refresh_tokens']),
    );
  },
  async consumeRefreshToken({ id, hash }, now) {
    // One conditional UPDATE decides the race: the row lock (PostgreSQL) or the writer lock
    // (SQLite) lets exactly one caller see used_at IS NULL.
    const won = await db
      .updateTable('refresh_tokens')
      .set({ used_at: now })
      .where('id', '=', id)
      .where('hash', '=', hash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['id', 'hash', 'session_id', 'created_at', 'expires_at', 'used_at'])
      .executeTakeFirst();
    if (won) {
      const s = await db.selectFrom('sessions').selectAll().where('id', '=', won.session_id).executeTakeFirst();
      if (!s) return { status: 'unknown' };
      return {
        status: 'ok',
        session: toSession(s),
        token: {
          id: won.id,
          hash: won.hash,
          sessionId: won.session_id,
          createdAt: num(won.created_at),
          expiresAt: num(won.expires_at),
          usedAt: now,
        },
      };
    }
    const row = await db
      .selectFrom('refresh_tokens')
      .select(['session_id', 'used_at'])
      .where('id', '=', id)
      .where('hash', '=', hash)
      .executeTakeFirst();
    if (!row) return { status: 'unknown' };
    return row.used_at !== null ? { status: 'reused', sessionId: row.session_id } : { status: 'expired', sessionId: row.session_id };
  },
  async findRefreshToken({ id, hash }) {
    const r = await db
      .selectFrom('refresh_tokens')
      .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
      .selectAll('sessions')
      .select([
        'refresh_tokens.id as rt_id',
        'refresh_tokens.hash as rt_hash',
        'refresh_tokens.created_at as rt_created_at',
        'refresh_tokens.expires_at as rt_expires_at',
        'refresh_tokens.used_at as rt_used_at',
      ])
      .where('refresh_tokens.id', '=', id)
      .where('refresh_tokens.hash', '=', hash)
      .executeTakeFirst();
    if (!r) return undefined;
    const { rt_id, rt_hash, rt_created_at, rt_expires_at, rt_used_at, ...session } = r;
    return {
      token: {
        id: rt_id,
        hash: rt_hash,
        sessionId: session.id,
        createdAt: num(rt_created_at),
        expiresAt: num(rt_expires_at),
        usedAt: numOrNull(rt_used_at),
      },
      session: toSession(session),
    };
  },
  async revoke(id, at) {
    return (
      affected(await db.updateTable('sessions').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute()) > 0
    );
  },
  async revokeForPrincipal(type, id, at) {
    const rows = await db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('principal_type', '=', type)
      .where('principal_id', '=', id)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  },
});
