import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema.js';

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
 * Each unit runs in its own SAVEPOINT: one that throws (a constraint violation, say) is rolled
 * back to its savepoint and rejects alone, the others commit. Every promise settles only after
 * the COMMIT has returned, so nothing is answered before it is durable; a failed COMMIT rejects
 * every unit of the batch.
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
    const results: { ok: boolean; v: unknown }[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const u of batch) {
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
      for (const u of batch) u.reject(e);
      return this.done();
    }
    batch.forEach((u, i) => (results[i]!.ok ? u.resolve(results[i]!.v) : u.reject(results[i]!.v)));
    this.done();
  }

  private done(): void {
    this.busy = false;
    this.kick();
  }
}
