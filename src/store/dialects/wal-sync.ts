import fs from 'node:fs';
import path from 'node:path';

/** Flushes the WAL file to stable storage, in libuv's thread pool, never on the event loop. */
export interface WalFlusher {
  flush(): Promise<void>;
  /** Lets go of what it holds (the store is closing). */
  close(): void;
}

/**
 * Durable commits without an fsync on the event loop (SQLite, WAL mode).
 *
 * With `synchronous=FULL`, SQLite fsyncs the WAL inside every COMMIT, and better-sqlite3 runs
 * that COMMIT on the event loop: every request waits while the disk flushes (about 2 ms a commit
 * on the machine of docs/performance.md). Latch instead opens SQLite with `synchronous=NORMAL`,
 * which in WAL mode differs from FULL only in that one fsync (checkpoints still sync the WAL
 * before and the database after; SQLite's documentation, "PRAGMA synchronous"), and makes that
 * fsync itself: `fdatasync` of the WAL file in the thread pool, after the commit, before the
 * commit's promise settles. So nothing is answered before the commit is on disk, as with FULL.
 *
 * One flush serves every commit made before it started (group commit): while a flush runs, later
 * commits wait for the next one, which starts when it returns.
 *
 * Security/integrity: a connection released while some commit is not yet flushed waits for that
 * flush too, readers included, so no query of this process answers with data that a power loss
 * could still take back (as with FULL, where the commit was flushed before anything could read it).
 *
 * A failed flush is final, as in PostgreSQL (which stops on a failed fsync): after one, Linux may
 * have dropped the unwritten pages, so a later flush that succeeds proves nothing about the
 * frames before it, and SQLite's recovery stops at the first missing frame. Every waiting and
 * every later query fails until the process restarts and SQLite recovers the WAL.
 */
export class WalSync {
  /** Commits made (counted when the connection that wrote them is released outside a transaction). */
  private committed = 0;
  /** Every commit up to this count is on disk. */
  private flushed = 0;
  private running = false;
  private failed: Error | undefined;
  private waiters: { upTo: number; resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(private readonly flusher: WalFlusher) {}

  /** A write transaction (or an autocommit write) has just committed. */
  committedOne(): void {
    this.committed++;
  }

  /** Throws once a flush has failed: nothing more is run (see above). */
  check(): void {
    if (this.failed !== undefined) throw this.failed;
  }

  /** Resolves once every commit made so far is on disk (at once when nothing is pending). */
  durable(): Promise<void> | undefined {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    if (this.flushed >= this.committed) return undefined;
    const upTo = this.committed;
    return new Promise((resolve, reject) => {
      this.waiters.push({ upTo, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.running || this.waiters.length === 0) return;
    this.running = true;
    // Everything committed before the flush starts is covered by it.
    const upTo = this.committed;
    this.flusher.flush().then(
      () => this.settle(upTo, undefined),
      (e: unknown) => this.settle(upTo, e ?? new Error('WAL flush failed')),
    );
  }

  private settle(upTo: number, error: unknown): void {
    this.running = false;
    if (error !== undefined) {
      this.failed = new Error(`the SQLite WAL could not be flushed to disk; restart Latch to recover it: ${(error as Error).message}`, {
        cause: error,
      });
      for (const w of this.waiters.splice(0)) w.reject(this.failed);
      return;
    }
    this.flushed = Math.max(this.flushed, upTo);
    const covered = this.waiters.filter((w) => w.upTo <= upTo);
    this.waiters = this.waiters.filter((w) => w.upTo > upTo);
    for (const w of covered) w.resolve();
    this.pump();
  }
}

/**
 * `fdatasync` of `<db>-wal` in the thread pool: one job per flush, so its completion is one hop of
 * the event loop. The descriptor is kept, and checked against the file's name before each flush
 * (a cheap stat): if SQLite has replaced the WAL file, the new one is opened, and its directory
 * synced once (a new file is durable only once its name is). No WAL file means nothing waits in
 * one. A flush through any descriptor writes out the file's data, whoever wrote it.
 */
export function walFileFlush(dbFile: string): WalFlusher {
  const wal = `${dbFile}-wal`;
  let fd = -1;
  let inode = -1;
  const current = (): number | undefined => {
    let ino: number;
    try {
      ino = fs.statSync(wal).ino;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    if (ino !== inode) {
      if (fd >= 0) fs.closeSync(fd);
      fd = fs.openSync(wal, 'r');
      inode = fs.fstatSync(fd).ino;
      const dir = fs.openSync(path.dirname(dbFile), 'r');
      try {
        fs.fsyncSync(dir);
      } finally {
        fs.closeSync(dir);
      }
    }
    return fd;
  };
  return {
    flush: () =>
      new Promise<void>((resolve, reject) => {
        const d = current();
        if (d === undefined) return resolve();
        fs.fdatasync(d, (e) => (e ? reject(e) : resolve()));
      }),
    close() {
      if (fd >= 0) fs.closeSync(fd);
      fd = inode = -1;
    },
  };
}
