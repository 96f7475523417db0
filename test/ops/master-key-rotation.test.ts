import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Envelope, masterKeyId } from '../../src/crypto/envelope.js';
import { openStore, type StoreTarget } from '../../src/store/open.js';
import type { Store } from '../../src/store/port.js';
import { sealedContext } from '../../src/services/master-key.js';
import { main } from '../../src/cli/main.js';
import { rotateMasterKeyCommand } from '../../src/admin.js';
import { makeTestApp, PG_URL, pgSchema, testConfig, type TestApp } from '../harness.js';
import { expectIntact, populate } from './instance.js';
import { runScript } from './process.js';

const newKey = () => randomBytes(32).toString('base64');

/** Every sealed value opened with `envelope`, by where it lives: what a rotation must keep. */
async function plaintexts(store: Store, envelope: Envelope): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const s of await store.sealed.list()) {
    const { sealed, ...where } = s;
    out.set(JSON.stringify(where), envelope.open(sealed, sealedContext(s)));
  }
  return out;
}

async function withStore<T>(target: StoreTarget, fn: (s: Store) => Promise<T>): Promise<T> {
  const s = await openStore(target);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

describe.each(['sqlite', 'postgres'] as const)('master-key rotation on %s', (dialect) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-rotate-'));
  const pg = pgSchema();
  const target: StoreTarget =
    dialect === 'sqlite' ? { kind: 'sqlite', file: path.join(dir, 'latch.db') } : { kind: 'postgres', url: PG_URL, schema: pg.schema };
  const K1 = newKey();
  const K2 = newKey();
  let before: Map<string, string>;
  let populated: Awaited<ReturnType<typeof populate>>;
  const start = (masterKey: string, env: Record<string, string> = {}) => makeTestApp({ target, masterKey, env });

  beforeAll(async () => {
    const t = await start(K1);
    try {
      populated = await populate(t, 40);
      before = await plaintexts(t.server.deps.store, new Envelope(Buffer.from(K1, 'base64')));
    } finally {
      await t.close();
    }
  }, 60_000);
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (dialect === 'postgres') await pg.drop();
  });

  /** One run of `latch master-key rotate` in its own process, killed with SIGKILL after `killAfter` progress lines. */
  async function rotate(killAfter?: number): Promise<'killed' | 'completed'> {
    let progress = 0;
    let result: string | undefined;
    const c = runScript(
      './admin-process.ts',
      {
        LATCH_MASTER_KEY: K1,
        LATCH_MASTER_KEY_NEW: K2,
        LATCH_DATA_DIR: dir,
        LATCH_DATABASE_URL: dialect === 'postgres' ? PG_URL : '',
        TEST_PG_SCHEMA: pg.schema,
        TEST_BATCH: '5',
      },
      (line, child) => {
        if (line.startsWith('resealed ') && ++progress === killAfter) child.proc.kill('SIGKILL');
        if (line.startsWith('{')) result = line;
      },
    );
    const { code, signal } = await c.exited;
    if (signal === 'SIGKILL') return 'killed';
    expect(code, c.stderr()).toBe(0);
    expect(JSON.parse(result!)).toMatchObject({ from: masterKeyId(Buffer.from(K1, 'base64')), to: masterKeyId(Buffer.from(K2, 'base64')) });
    return 'completed';
  }

  it('killed with SIGKILL mid-way, re-run: completes; a node needs both keys meanwhile; afterwards the new key alone opens every secret', async () => {
    const kills: number[] = [];
    // 40 hubs × 5 policies × 2 keys + the Central app key + the JWT key ≈ 400 values, 5 per transaction: ≈ 80 commits
    for (const at of [3, 17, 30]) if ((await rotate(at)) === 'killed') kills.push(at);
    expect(kills.length).toBeGreaterThanOrEqual(3);

    // mid-way: values under both keys; a node with one key refuses to start, a node with both serves everything
    await withStore(target, async (s) => {
      const kids = new Set((await s.sealed.list()).map((v) => Envelope.kidOf(v.sealed)));
      expect(kids.size).toBe(2);
    });
    await expect(start(K1)).rejects.toThrow(/rotation from key \w+ to key \w+ is in progress/);
    await expect(start(K2)).rejects.toThrow(/rotation from key \w+ to key \w+ is in progress/);
    const both = await start(K1, { LATCH_MASTER_KEY_NEW: K2 });
    try {
      await expectIntact(both, populated, { refresh: false });
    } finally {
      await both.close();
    }

    expect(await rotate()).toBe('completed');
    const again = await rotateMasterKeyCommand(testConfig({ LATCH_MASTER_KEY_NEW: K2, LATCH_DATA_DIR: dir }, K1), {
      target,
      print: () => undefined,
    });
    expect(again, 're-running a finished rotation is a no-op').toMatchObject({ resealed: 0, alreadyComplete: true });

    const k2 = new Envelope(Buffer.from(K2, 'base64'));
    await withStore(target, async (s) => {
      expect(await plaintexts(s, k2)).toEqual(before);
      for (const v of await s.sealed.list()) expect(Envelope.kidOf(v.sealed)).toBe(k2.sealKid);
      expect(await s.meta.get('master_key_rotation')).toBeUndefined();
    });
    await expect(start(K1)).rejects.toThrow(/does not match/);
    const t = await start(K2);
    try {
      await expectIntact(t, populated);
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe('latch master-key rotate with the key file (SQLite)', () => {
  it('writes the new key 0600, keeps the old one as master.key.retired, and the server starts on the new file alone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-rotate-file-'));
    const target: StoreTarget = { kind: 'sqlite', file: path.join(dir, 'latch.db') };
    try {
      const env = { LATCH_DATA_DIR: dir, LATCH_MASTER_KEY: '' };
      const first = await makeTestApp({ target, env });
      let p: Awaited<ReturnType<typeof populate>>;
      try {
        p = await populate(first, 2);
      } finally {
        await first.close();
      }
      const oldKey = fs.readFileSync(path.join(dir, 'master.key'), 'utf8');
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['master-key', 'rotate', '--data-dir', dir], {
        stdout: { write: (s: string) => out.push(s) },
        stderr: { write: (s: string) => err.push(s) },
        env: { ...env },
        isTTY: false,
      });
      expect(code, err.join('')).toBe(0);
      const r = JSON.parse(out.join('')) as { resealed: number; keyFile: string; retiredKeyFile: string };
      expect(r.resealed).toBeGreaterThan(10);
      expect(fs.existsSync(path.join(dir, 'master.key.new'))).toBe(false);
      expect(fs.readFileSync(path.join(dir, 'master.key.retired'), 'utf8')).toBe(oldKey);
      expect(fs.readFileSync(path.join(dir, 'master.key'), 'utf8')).not.toBe(oldKey);
      for (const f of ['master.key', 'master.key.retired']) expect(fs.statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);

      fs.rmSync(path.join(dir, 'master.key.retired'));
      const t: TestApp = await makeTestApp({ target, env });
      try {
        await expectIntact(t, p);
      } finally {
        await t.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('with LATCH_MASTER_KEY and no new key: a clear message, exit 1', async () => {
    const err: string[] = [];
    const code = await main(['master-key', 'rotate'], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => err.push(s) },
      env: { LATCH_MASTER_KEY: newKey() },
      isTTY: false,
    });
    expect(code).toBe(1);
    expect(err.join('')).toContain('Set LATCH_MASTER_KEY_NEW');
  });
});
