import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/store/dialects/sqlite.js';
import { walFileFlush } from '../../src/store/dialects/wal-sync.js';
import { kyselyStore, migrateToLatest } from '../../src/store/kysely/index.js';
import type { DB } from '../../src/store/kysely/schema.js';

/**
 * SQLite commits are made durable by Latch's own WAL flush (WalSync), off the event loop. These
 * tests hold that flush to prove that nothing settles before it: not the write, not the
 * transaction, not a group-committed store.write, and not a read that could see the commit.
 */

/** A WAL flush the test opens by hand, counting how often it was asked. */
function gatedFlush() {
  const gate = {
    calls: 0,
    pending: [] as { resolve: () => void; reject: (e: unknown) => void }[],
    flush: () =>
      new Promise<void>((resolve, reject) => {
        gate.calls++;
        gate.pending.push({ resolve, reject });
      }),
    close: () => undefined,
    open() {
      for (const p of gate.pending.splice(0)) p.resolve();
    },
    fail(e: Error) {
      for (const p of gate.pending.splice(0)) p.reject(e);
    },
  };
  return gate;
}

/** Settled within a few turns of the event loop, or still pending. */
async function state(p: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  let s: 'pending' | 'resolved' | 'rejected' = 'pending';
  p.then(
    () => (s = 'resolved'),
    () => (s = 'rejected'),
  );
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return s;
}

/** Lets every flush through until `p` settles (the setup steps of a test). */
async function opened<T>(gate: ReturnType<typeof gatedFlush>, p: Promise<T>): Promise<T> {
  let done = false;
  p.finally(() => (done = true)).catch(() => undefined);
  while (!done) {
    gate.open();
    await new Promise((r) => setImmediate(r));
  }
  return p;
}

const dirs: string[] = [];
const dbs: Kysely<DB>[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.destroy();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function open(gate: ReturnType<typeof gatedFlush>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-wal-'));
  dirs.push(dir);
  const db = openSqlite(path.join(dir, 'latch.db'), { walFlush: gate });
  dbs.push(db);
  return { db, file: path.join(dir, 'latch.db') };
}

describe('SQLite: a commit settles only after its WAL flush', () => {
  it('a file store runs in WAL mode with SQLite at NORMAL (its flush is ours); an in-memory one at FULL, with no flush', async () => {
    const gate = gatedFlush();
    const { db } = open(gate);
    const mode = (q: string, on: Kysely<DB>) =>
      opened(gate, sql.raw<Record<string, unknown>>(q).execute(on)).then((r) => Object.values(r.rows[0]!)[0]);
    expect(await mode('pragma journal_mode', db)).toBe('wal');
    expect(await mode('pragma synchronous', db)).toBe(1);
    const memory = openSqlite(':memory:');
    dbs.push(memory);
    expect(await mode('pragma synchronous', memory)).toBe(2);
    const calls = gate.calls;
    await sql`create table t (v text)`.execute(memory);
    expect(gate.calls).toBe(calls);
  });

  it('an autocommit write and a transaction wait for the flush; the connection is free meanwhile', async () => {
    const gate = gatedFlush();
    const { db } = open(gate);
    const create = sql`create table t (id integer primary key, v text)`.execute(db);
    expect(await state(create)).toBe('pending');
    expect(gate.calls).toBe(1);
    gate.open();
    expect(await state(create)).toBe('resolved');

    const insert = sql`insert into t (v) values ('a')`.execute(db);
    const tx = db.transaction().execute(async (trx) => {
      await sql`insert into t (v) values ('b')`.execute(trx);
      await sql`insert into t (v) values ('c')`.execute(trx);
    });
    expect(await state(insert)).toBe('pending');
    expect(await state(tx)).toBe('pending');
    gate.open();
    expect(await state(insert)).toBe('resolved');
    // the transaction committed while the first flush ran: it needs the next one
    expect(await state(tx)).toBe('pending');
    expect(gate.calls).toBe(3);
    gate.open();
    expect(await state(tx)).toBe('resolved');
    const rows = await sql<{ v: string }>`select v from t order by id`.execute(db);
    expect(rows.rows.map((r) => r.v)).toEqual(['a', 'b', 'c']);
    expect(gate.calls).toBe(3); // a read with nothing pending flushes nothing
  });

  it('a read that could see an unflushed commit waits for it too', async () => {
    const gate = gatedFlush();
    const { db } = open(gate);
    await opened(gate, sql`create table t (v text)`.execute(db));
    const insert = sql`insert into t values ('secret-free row')`.execute(db);
    const read = sql<{ n: number }>`select count(*) as n from t`.execute(db);
    expect(await state(insert)).toBe('pending');
    expect(await state(read)).toBe('pending');
    gate.open();
    expect((await read).rows[0]!.n).toBe(1);
    await insert;
  });

  it('group commit: the units of one store.write batch share one flush, and none settles before it', async () => {
    const gate = gatedFlush();
    const { db } = open(gate);
    await opened(gate, migrateToLatest(db));
    const store = kyselyStore(db, 'sqlite', async () => undefined);
    const before = gate.calls;
    const units = [
      store.write((tx) => tx.meta.put('a', '1')),
      store.write((tx) => tx.meta.put('b', '2')),
      store.write(async (tx) => {
        await tx.meta.put('c', '3');
        throw new Error('this unit fails');
      }),
      store.write((tx) => tx.meta.put('d', '4')),
    ];
    for (const u of units) expect(await state(u)).toBe('pending');
    expect(gate.calls - before).toBe(1);
    gate.open();
    const settled = await Promise.allSettled(units);
    // the failing unit fails alone, and nothing of it is written; the rest of its batch commits with the one flush
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(gate.calls - before).toBe(1);
    expect(await Promise.all(['a', 'b', 'c', 'd'].map((k) => store.meta.get(k)))).toEqual(['1', '2', undefined, '4']);
  });

  it('a rolled-back transaction owes no flush: it settles with the flush held, and asks for none', async () => {
    const gate = gatedFlush();
    const { db } = open(gate);
    await opened(gate, sql`create table t (v text)`.execute(db));
    const calls = gate.calls;
    const rolledBack = db.transaction().execute(async (trx) => {
      await sql`insert into t values ('x')`.execute(trx);
      throw new Error('undo');
    });
    await expect(rolledBack).rejects.toThrow('undo');
    expect(gate.calls).toBe(calls);
    // and the next commit is flushed as ever
    const insert = sql`insert into t values ('y')`.execute(db);
    expect(await state(insert)).toBe('pending');
    expect(gate.calls).toBe(calls + 1);
    gate.open();
    await insert;
    expect((await sql<{ v: string }>`select v from t`.execute(db)).rows).toEqual([{ v: 'y' }]);
  });

  it('a failed flush fails the writes that waited for it and every query after it (a restart recovers)', async () => {
    const gate = gatedFlush();
    const { db, file } = open(gate);
    await opened(gate, sql`create table t (v text)`.execute(db));
    const insert = sql`insert into t values ('x')`.execute(db);
    const read = sql`select * from t`.execute(db);
    expect(await state(insert)).toBe('pending');
    gate.fail(new Error('EIO'));
    await expect(insert).rejects.toThrow(/could not be flushed to disk.*EIO/);
    await expect(read).rejects.toThrow(/could not be flushed/);
    const calls = gate.calls;
    await expect(sql`insert into t values ('y')`.execute(db)).rejects.toThrow(/restart Latch/);
    await expect(sql`select 1`.execute(db)).rejects.toThrow(/restart Latch/);
    expect(gate.calls).toBe(calls); // nothing more is run or flushed: a later success would prove nothing
    await db.destroy();
    dbs.splice(dbs.indexOf(db), 1);
    const again = openSqlite(file);
    dbs.push(again);
    expect((await sql<{ v: string }>`select v from t order by v`.execute(again)).rows.map((r) => r.v)).toEqual(['x']);
  });
});

/** What this process's descriptors on `<file>-wal` point at (a replaced file reads "… (deleted)"). */
function heldWal(file: string): string[] {
  return fs
    .readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((l) => l.startsWith(`${file}-wal`));
}

describe('walFileFlush', () => {
  it('flushes the WAL SQLite writes now: a replaced WAL file is followed, no WAL file means nothing to do, close lets go', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-wal-'));
    dirs.push(dir);
    const file = path.join(dir, 'latch.db');
    const wal = walFileFlush(file);
    await wal.flush(); // no WAL file yet
    expect(heldWal(file)).toEqual([]);
    let db = openSqlite(file);
    await sql`create table t (v text)`.execute(db);
    await wal.flush();
    // SQLite's descriptor, the store's own flusher's and this one's
    expect(heldWal(file)).toEqual(Array(3).fill(`${file}-wal`));
    await db.destroy(); // the last connection checkpoints and removes the WAL file; the store's flusher lets go
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    expect(heldWal(file)).toEqual([`${file}-wal (deleted)`]);
    db = openSqlite(file);
    dbs.push(db);
    await sql`insert into t values ('b')`.execute(db);
    await wal.flush();
    // this flusher now holds the new WAL file, not the removed one
    expect(heldWal(file)).toEqual(Array(3).fill(`${file}-wal`));
    wal.close();
    expect(heldWal(file)).toEqual(Array(2).fill(`${file}-wal`));
  });
});
