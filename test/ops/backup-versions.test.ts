// Backups across releases: a backup taken by an older release restores into this one (the store
// is migrated up from the backup's schema, the rows go in, the later migrations run on them), and
// a backup from a newer release is refused before anything is written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { restoreCommand } from '../../src/admin.js';
import { loadConfig } from '../../src/config.js';
import { migrations } from '../../src/store/migrations/index.js';
import { openStore, type StoreTarget } from '../../src/store/open.js';
import { makeTestApp, PG_URL, pgSchema, TestClock, testConfig } from '../harness.js';
import { expectIntact, type Populated } from './instance.js';

/** Made once by Latch 0.1.0 (see its _comment); test-only keys and secrets. */
const FIXTURE = fileURLToPath(new URL('../fixtures/backup-v0.1.0', import.meta.url));
const info = JSON.parse(fs.readFileSync(`${FIXTURE}.json`, 'utf8')) as {
  masterKey: string;
  clock: number;
  admin: { username: string; password: string };
  populated: Populated;
  otherUser: { username: string; password: string };
};
const LATEST = Object.keys(migrations).at(-1)!;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-backup-versions-'));
const schemas: ReturnType<typeof pgSchema>[] = [];
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const s of schemas) await s.drop();
});

function targetOf(dialect: 'sqlite' | 'postgres'): StoreTarget {
  if (dialect === 'sqlite') return { kind: 'sqlite', file: path.join(dir, `${randomBytes(4).toString('hex')}.db`) };
  const s = pgSchema();
  schemas.push(s);
  return { kind: 'postgres', url: PG_URL, schema: s.schema };
}

/** The fixture's lines with `edit` applied to each parsed record, written to a file of its own. */
function derived(name: string, edit: (rec: Record<string, any>) => Record<string, any>): string {
  const file = path.join(dir, name);
  const lines = fs.readFileSync(`${FIXTURE}.jsonl`, 'utf8').trim().split('\n');
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(edit(JSON.parse(l) as Record<string, any>))).join('\n') + '\n');
  return file;
}

/** Whether anything exists at `target`: the SQLite file, or the PostgreSQL schema. */
async function exists(target: StoreTarget): Promise<boolean> {
  if (target.kind === 'sqlite') return fs.existsSync(target.file);
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return (await c.query('select 1 from pg_namespace where nspname = $1', [target.schema])).rowCount === 1;
  } finally {
    await c.end();
  }
}

async function restoreAndCheck(dialect: 'sqlite' | 'postgres', file: string, o: { refresh: boolean }) {
  const target = targetOf(dialect);
  const r = await restoreCommand(testConfig({}, info.masterKey), file, { target });
  const t = await makeTestApp({ target, masterKey: info.masterKey, clock: new TestClock(info.clock) });
  try {
    expect((await t.token({ username: info.admin.username, password: info.admin.password })).statusCode).toBe(200);
    expect((await t.token({ username: info.otherUser.username, password: info.otherUser.password })).statusCode).toBe(200);
    // the user's password, the API key's secret, listkeys' SAS keys, the Central token, the session
    await expectIntact(t, info.populated, o);
  } finally {
    await t.close();
  }
  return r;
}

describe.each(['sqlite', 'postgres'] as const)('restoring backups of other releases on %s', (dialect) => {
  it("restores Latch 0.1.0's backup and migrates it to this release's schema; everything in it works", async () => {
    const r = await restoreAndCheck(dialect, `${FIXTURE}.jsonl`, { refresh: true });
    expect(r).toMatchObject({ from: '0005_refresh_token_id', schema: LATEST, rows: 48 });
  }, 60_000);

  it('restores a backup taken at an older schema (0004, before refresh tokens carried their row id): migrated on restore', async () => {
    // The 0.1.0 backup as a store at 0004 would have written it: refresh_tokens without `id`.
    const file = derived('at-0004.jsonl', (rec) => {
      if (rec.format) return { ...rec, schema: '0004_central' };
      if (rec.table !== 'refresh_tokens') return rec;
      const { id: _id, ...row } = rec.row as Record<string, unknown>;
      return { ...rec, row };
    });
    // The 0.1.0 refresh tokens name their row id, which a 0004 row did not have: not refreshed here.
    const r = await restoreAndCheck(dialect, file, { refresh: false });
    expect(r).toMatchObject({ from: '0004_central', schema: LATEST });
  }, 60_000);

  it('without a master key configured, refuses before anything is written (no key is generated for a backup)', async () => {
    const keyDir = fs.mkdtempSync(path.join(dir, 'keys-'));
    const target = targetOf(dialect);
    await expect(restoreCommand(loadConfig({ LATCH_DATA_DIR: keyDir }), `${FIXTURE}.jsonl`, { target })).rejects.toThrow(
      /No master key: set LATCH_MASTER_KEY to the key of the instance the backup was taken from/,
    );
    expect(fs.readdirSync(keyDir)).toEqual([]);
    expect(await exists(target)).toBe(false);
  });

  it('refuses an older backup into a store already migrated past it (migrations only go up)', async () => {
    const file = derived('at-0004-again.jsonl', (rec) => (rec.format ? { ...rec, schema: '0004_central' } : rec));
    const target = targetOf(dialect);
    await (await openStore(target)).close();
    await expect(restoreCommand(testConfig({}, info.masterKey), file, { target })).rejects.toThrow(
      new RegExp(`already at schema ${LATEST}, past the backup's 0004_central; .*restore into a new database or data dir`),
    );
  });

  it('refuses a backup from a newer release with a clear error, before anything is written', async () => {
    const file = derived('from-the-future.jsonl', (rec) => (rec.format ? { ...rec, schema: '9999_from_a_later_release' } : rec));
    const target = targetOf(dialect);
    await expect(restoreCommand(testConfig({}, info.masterKey), file, { target })).rejects.toThrow(
      new RegExp(
        `taken at schema 9999_from_a_later_release, which this Latch does not know \\(its newest is ${LATEST}\\): it comes from a newer release.*nothing was written`,
      ),
    );
    expect(await exists(target)).toBe(false);
  });
});
