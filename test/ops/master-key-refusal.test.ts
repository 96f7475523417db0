// A store sealed under one master key, started with another or with none (master.key removed):
// `latch serve` refuses before writing anything — no new key file, no migration, no checkpoint,
// no new row — and says why in one paragraph, without a stack trace.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestApp, PG_URL, pgSchema } from '../harness.js';
import { runScript } from './process.js';

const newKey = () => randomBytes(32).toString('base64');
const ENV = { LATCH_PORT: '0', LATCH_ADMIN_PASSWORD: 'admin-password-1', LATCH_LOG_LEVEL: 'warn' };

/** Starts `latch serve`; with `stop`, sends SIGTERM (or SIGKILL) once it listens. Answers exit code and stderr. */
async function serve(env: Record<string, string | undefined>, stop?: 'SIGTERM' | 'SIGKILL') {
  const c = runScript('./serve-process.ts', { ...ENV, LATCH_MASTER_KEY: undefined, ...env }, (line, child) => {
    if (stop && line.startsWith('Latch listening on')) child.proc.kill(stop);
  });
  const { code, signal } = await c.exited;
  return { code, signal, stderr: c.stderr() };
}

/** Every file of `dir` (WAL and shm included) with its mode and the SHA-256 of its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, f);
    out[f] = `${(fs.statSync(p).mode & 0o777).toString(8)} ${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`;
  }
  return out;
}

function expectRefusal(r: { code: number | null; stderr: string }, what: RegExp) {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.code).not.toBeNull();
  expect(r.stderr).toMatch(/^ERROR: Refusing to start: /);
  expect(r.stderr).toMatch(what);
  expect(r.stderr).toMatch(/canary \(meta 'master_key_check'/);
  expect(r.stderr).toMatch(/Nothing was written\..*LATCH_MASTER_KEY.*latch master-key rotate/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/traceback/i);
}

describe('a wrong or missing master key at start (SQLite data dir, real processes)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'after a stop by %s: without master.key, or with another LATCH_MASTER_KEY, the data dir stays byte for byte as it was',
    async (stop) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-keyrefusal-'));
      dirs.push(dir);
      const first = await serve({ LATCH_DATA_DIR: dir }, stop);
      expect(first.signal ?? first.code, first.stderr).toBe(stop === 'SIGKILL' ? 'SIGKILL' : 0);
      expect(fs.existsSync(path.join(dir, 'master.key'))).toBe(true);
      fs.rmSync(path.join(dir, 'master.key'));
      // After a kill the WAL holds the last commits: the refusal reads them without a checkpoint. The
      // -shm file is SQLite's shared-memory index of the WAL, rebuilt by whichever connection opens
      // the database first after a crash, reading ones included: its bytes are not data.
      const comparable = () => {
        const s = snapshot(dir);
        if (stop === 'SIGKILL') s['latch.db-shm'] = 'present';
        return s;
      };
      const before = comparable();
      expect(Object.keys(before)).toEqual(stop === 'SIGKILL' ? ['latch.db', 'latch.db-shm', 'latch.db-wal'] : ['latch.db']);

      expectRefusal(await serve({ LATCH_DATA_DIR: dir }), /no master key is configured .* has no master\.key/);
      expect(comparable()).toEqual(before);

      expectRefusal(
        await serve({ LATCH_DATA_DIR: dir, LATCH_MASTER_KEY: newKey() }),
        /the master key does not match the one the store at .*latch\.db was sealed under/,
      );
      expect(comparable()).toEqual(before);
    },
    60_000,
  );
});

describe('a wrong master key at start (PostgreSQL, real process)', () => {
  const s = pgSchema();
  afterAll(() => s.drop());

  /** Every row of every table of the schema, as text: what must not change. */
  async function rows(): Promise<string> {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      const tables = await c.query<{ t: string }>(`select tablename as t from pg_tables where schemaname = $1 order by 1`, [s.schema]);
      const out: string[] = [];
      for (const { t } of tables.rows) {
        const r = await c.query(`select * from ${s.schema}.${t} order by 1`);
        out.push(`${t}: ${JSON.stringify(r.rows)}`);
      }
      return out.join('\n');
    } finally {
      await c.end();
    }
  }

  it('another LATCH_MASTER_KEY is refused with the message, and no row changes', async () => {
    const t = await makeTestApp({ target: { kind: 'postgres', url: PG_URL, schema: s.schema }, masterKey: newKey() });
    await t.createUser(t.defaultTenantId, ['EI Admin']);
    await t.close();
    const before = await rows();
    expect(before).toMatch(/master_key_check/);
    const url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${s.schema}`)}`;
    const r = await serve({ LATCH_DATABASE_URL: url, LATCH_DATA_DIR: '/nonexistent/latch', LATCH_MASTER_KEY: newKey() });
    expectRefusal(r, new RegExp(`the master key does not match the one the store at PostgreSQL \\(LATCH_DATABASE_URL\\) was sealed under`));
    expect(await rows()).toBe(before);
  }, 60_000);
});
