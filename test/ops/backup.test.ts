import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { backupCommand, restoreCommand } from '../../src/admin.js';
import { BACKUP_TABLES } from '../../src/store/kysely/backup.js';
import { openStore, type StoreTarget } from '../../src/store/open.js';
import { makeTestApp, PG_URL, pgSchema, testConfig, type TestApp } from '../harness.js';
import { expectIntact, populate } from './instance.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-backup-'));
const schemas: ReturnType<typeof pgSchema>[] = [];
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const s of schemas) await s.drop();
});

const sqliteTarget = (): StoreTarget => ({ kind: 'sqlite', file: path.join(dir, `${randomBytes(4).toString('hex')}.db`) });
const pgTarget = (): StoreTarget => {
  const s = pgSchema();
  schemas.push(s);
  return { kind: 'postgres', url: PG_URL, schema: s.schema };
};
const other = (d: 'sqlite' | 'postgres') => (d === 'sqlite' ? 'postgres' : 'sqlite');
const targetOf = (d: 'sqlite' | 'postgres') => (d === 'sqlite' ? sqliteTarget() : pgTarget());
const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, any>);

describe.each(['sqlite', 'postgres'] as const)('latch backup on %s, latch restore on the other dialect', (from) => {
  it('round-trips a populated instance taken while the server serves writes: logins, API keys, listkeys, Central tokens, sessions', async () => {
    const masterKey = randomBytes(32).toString('base64');
    const source = targetOf(from);
    const t = await makeTestApp({ target: source, masterKey });
    const file = path.join(dir, `${from}.jsonl`);
    let p: Awaited<ReturnType<typeof populate>>;
    let written = 0;
    try {
      p = await populate(t);
      // writes keep committing while the backup reads its snapshot
      let stop = false;
      const writer = (async () => {
        while (!stop) {
          await t.createApiKey(t.defaultTenantId, ['EI Admin']);
          written++;
        }
      })();
      await new Promise((r) => setTimeout(r, 50));
      const r = await backupCommand(testConfig({}, masterKey), file, { target: source });
      stop = true;
      await writer;
      expect(r.tables.api_keys).toBeGreaterThan(1);
      expect(written).toBeGreaterThan(0);
    } finally {
      await t.close();
    }

    const recs = lines(file);
    expect(recs[0]).toMatchObject({ format: 'latch-backup', version: 1, schema: '0007_central_token_last_used', source: from });
    expect(recs.at(-1)).toEqual({ end: true, rows: recs.length - 2 });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const rows = recs.slice(1, -1) as { table: string; row: Record<string, any> }[];
    // one snapshot: every API key in the file has its api_key.created event, and no event names a missing key
    const keys = new Set(rows.filter((r) => r.table === 'api_keys').map((r) => r.row.id as string));
    const created = new Set(
      rows.filter((r) => r.table === 'audit_events' && r.row.action === 'api_key.created').map((r) => r.row.target_id),
    );
    expect(created).toEqual(keys);
    // secrets only as stored: sealed values and digests, never a plaintext SAS key or API-key secret
    const text = fs.readFileSync(file, 'utf8');
    for (const pol of Object.values(p.hubs).flat()) expect(text).not.toContain(pol.primaryKey);
    expect(text).not.toContain(p.apiKey.secret);
    expect(text).not.toContain(p.user.password);
    expect(rows.filter((r) => r.table === 'iot_policies').every((r) => String(r.row.primary_enc).startsWith('v2.'))).toBe(true);

    const dest = targetOf(other(from));
    const restored = await restoreCommand(testConfig({}, masterKey), file, { target: dest });
    expect(restored.rows).toBe(rows.length);
    const t2: TestApp = await makeTestApp({ target: dest, masterKey });
    try {
      await expectIntact(t2, p);
    } finally {
      await t2.close();
    }

    // a store that holds data is refused, and so is the wrong master key; neither writes anything
    await expect(restoreCommand(testConfig({}, masterKey), file, { target: dest })).rejects.toThrow(/needs an empty store/);
    const fresh = targetOf(other(from));
    await expect(restoreCommand(testConfig({}), file, { target: fresh })).rejects.toThrow(/sealed under another master key/);
    const truncated = path.join(dir, `${from}-truncated.jsonl`);
    fs.writeFileSync(truncated, text.split('\n').slice(0, -3).join('\n'));
    await expect(restoreCommand(testConfig({}, masterKey), truncated, { target: fresh })).rejects.toThrow(/truncated/);
    const after = await backupCommand(testConfig({}, masterKey), path.join(dir, `${from}-empty.jsonl`), { target: fresh });
    expect(after.rows, 'the refused restores left the store empty').toBe(0);
  }, 90_000);
});

describe('backup format', () => {
  it('covers every table the migrations create', () => {
    const file = path.join(dir, 'tables.db');
    return (async () => {
      const s = await openStore({ kind: 'sqlite', file });
      await s.close();
      const db = new Database(file, { readonly: true });
      const tables = (
        db
          .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'")
          .all() as {
          name: string;
        }[]
      )
        .map((r) => r.name)
        .sort();
      db.close();
      expect(tables).toEqual(BACKUP_TABLES.map((t) => t.name).sort());
    })();
  });
});
