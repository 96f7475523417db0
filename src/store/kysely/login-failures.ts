import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { FailureCount } from '../../domain/throttle.js';
import type { LoginFailureRepo } from '../port.js';
import { affected, num, type Db } from './util.js';

const toCount = (r: { failures: number; last_failure_at: number; forget_at: number }): FailureCount => ({
  failures: num(r.failures),
  lastFailureAt: num(r.last_failure_at),
  forgetAt: num(r.forget_at),
});

/**
 * The stored form of a key. A PostgreSQL b-tree entry holds at most about 2.7 kB, and a submitted
 * username may be 4096 characters: a longer key is stored as its SHA-256 (a key that merely looks
 * like one shares a count with it, and both name the same client address, so nothing is gained).
 */
const MAX_KEY_BYTES = 512;
const stored = (key: string): string =>
  Buffer.byteLength(key) <= MAX_KEY_BYTES ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;

/** The counts of `rows`, by the callers' keys. */
function byKey(keys: string[], rows: { key: string; failures: number; last_failure_at: number; forget_at: number }[]) {
  const counts = new Map(rows.map((r) => [r.key, toCount(r)]));
  const found = new Map<string, FailureCount>();
  for (const k of keys) {
    const c = counts.get(stored(k));
    if (c) found.set(k, c);
  }
  return found;
}

export const loginFailures = (db: Db, dialect: 'sqlite' | 'postgres'): LoginFailureRepo => ({
  async get(keys, now) {
    if (!keys.length) return new Map();
    return byKey(
      keys,
      await db.selectFrom('login_failures').selectAll().where('key', 'in', keys.map(stored)).where('forget_at', '>=', now).execute(),
    );
  },
  async record(failures, at) {
    if (!failures.length) return new Map();
    const rows = await db
      .insertInto('login_failures')
      .values(
        failures
          .map((f) => ({ key: stored(f.key), failures: 1, last_failure_at: at, forget_at: f.forgetAt }))
          // every statement locks its rows in one order (key order), so two never wait on each other in a cycle
          .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)),
      )
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          // countFailure (domain/throttle.ts), done by the row's own lock: no count is lost
          failures: sql<number>`case when login_failures.forget_at < ${at} then 1 else login_failures.failures + 1 end`,
          last_failure_at: eb.ref('excluded.last_failure_at'),
          forget_at: eb.ref('excluded.forget_at'),
        })),
      )
      .returningAll()
      .execute();
    return byKey(
      failures.map((f) => f.key),
      rows,
    );
  },
  async clear(keys) {
    if (keys.length) await db.deleteFrom('login_failures').where('key', 'in', keys.map(stored)).execute();
  },
  async deleteForgotten(now) {
    if (dialect === 'sqlite') return affected(await db.deleteFrom('login_failures').where('forget_at', '<', now).execute());
    // PostgreSQL: rows a login is counting right now are skipped (swept next time), so the sweep
    // never waits on a login, and a login never deadlocks with the sweep.
    return affected(
      await db
        .deleteFrom('login_failures')
        .where('key', 'in', (eb) => eb.selectFrom('login_failures').select('key').where('forget_at', '<', now).forUpdate().skipLocked())
        .execute(),
    );
  },
});
