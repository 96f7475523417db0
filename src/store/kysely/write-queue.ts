import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema.js';

type Result = { ok: boolean; v: unknown };

interface Unit {
  fn: (trx: Transaction<DB>) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** The most units one transaction takes; the rest wait for the next commit. */
const MAX_BATCH = 256;

/**
 * Group commit: writes queued while a commit is in progress (or in the same tick) share one
 * transaction, so one commit (one fsync on SQLite, one WAL flush on PostgreSQL) serves them all.
 * A batch is first run plainly, unit after unit; should any unit throw (a constraint violation,
 * say), that transaction is rolled back whole and the batch runs again with each unit in its own
 * SAVEPOINT, so the one that throws is rolled back to its savepoint and rejects alone while the
 * others commit. Failures are rare, so the common batch spends no savepoint statements (two of
 * the five statements a token's unit would otherwise run); a unit must therefore be safe to run
 * twice, which a unit that only writes through its transaction is. Every promise settles only
 * after the COMMIT has returned, so nothing is answered before it is durable; a failed COMMIT
 * rejects every unit of the batch.
 */
export class WriteQueue {
  private queue: Unit[] = [];
  private busy = false;

  constructor(private readonly db: Kysely<DB>) {}

  run<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.busy || this.queue.length === 0) return;
    this.busy = true;
    // setImmediate: every request whose bytes arrived in this I/O phase queues its write first.
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_BATCH);
    let results: Result[];
    try {
      // A batch of one needs no isolation: its unit's failure is the batch's.
      results = (await this.attempt(batch, false)) ?? (await this.attempt(batch, true))!;
    } catch (e) {
      for (const u of batch) u.reject(e);
      return this.done();
    }
    batch.forEach((u, i) => (results[i]!.ok ? u.resolve(results[i]!.v) : u.reject(results[i]!.v)));
    this.done();
  }

  /**
   * One transaction over the batch. Plain (`isolated` false): undefined when a unit threw and the
   * batch has more than one unit (the transaction was rolled back; run it isolated). Isolated:
   * each unit in a savepoint. Throws when the transaction itself fails (BEGIN, COMMIT).
   */
  private async attempt(batch: Unit[], isolated: boolean): Promise<Result[] | undefined> {
    const results: Result[] = [];
    let unitFailed = false;
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const u of batch) {
          if (!isolated) {
            try {
              results.push({ ok: true, v: await u.fn(trx) });
            } catch (e) {
              unitFailed = true;
              results.push({ ok: false, v: e });
              throw e;
            }
            continue;
          }
          await sql`savepoint latch_w`.execute(trx);
          try {
            results.push({ ok: true, v: await u.fn(trx) });
          } catch (e) {
            await sql`rollback to savepoint latch_w`.execute(trx);
            results.push({ ok: false, v: e });
          }
          await sql`release savepoint latch_w`.execute(trx);
        }
      });
    } catch (e) {
      if (!unitFailed) throw e;
      return batch.length === 1 ? results : undefined;
    }
    return results;
  }

  private done(): void {
    this.busy = false;
    this.kick();
  }
}
