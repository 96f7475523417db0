import { sql } from 'kysely';
import type { FailureCount } from '../../domain/throttle.js';
import type { LoginFailureRepo } from '../port.js';
import { affected, num, type Db } from './util.js';

const toCount = (r: { failures: number; last_failure_at: number; forget_at: number }): FailureCount => ({
  failures: num(r.failures),
  lastFailureAt: num(r.last_failure_at),
  forgetAt: num(r.forget_at),
});

const byKey = (rows: { key: string; failures: number; last_failure_at: number; forget_at: number }[]) =>
  new Map(rows.map((r) => [r.key, toCount(r)]));

export const loginFailures = (db: Db): LoginFailureRepo => ({
  async get(keys, now) {
    if (!keys.length) return new Map();
    return byKey(await db.selectFrom('login_failures').selectAll().where('key', 'in', keys).where('forget_at', '>=', now).execute());
  },
  async record(failures, at) {
    if (!failures.length) return new Map();
    const rows = await db
      .insertInto('login_failures')
      .values(failures.map((f) => ({ key: f.key, failures: 1, last_failure_at: at, forget_at: f.forgetAt })))
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
    return byKey(rows);
  },
  async clear(key) {
    await db.deleteFrom('login_failures').where('key', '=', key).execute();
  },
  async deleteForgotten(now) {
    return affected(await db.deleteFrom('login_failures').where('forget_at', '<', now).execute());
  },
});
