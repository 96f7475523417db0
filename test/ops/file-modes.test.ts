import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/main.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../harness.js';

/** Issue 11: latch.db (and its -wal / -shm) are 0600, the data dir 0700, also when they existed more open. */
describe('data dir and database file modes', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-modes-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const mode = (f: string) => (fs.statSync(f).mode & 0o777).toString(8);

  async function start(dataDir: string) {
    const server = await startServer(loadConfig({ LATCH_DATA_DIR: dataDir, LATCH_ADMIN_PASSWORD: 'admin-password-1', LATCH_PORT: '0' }), {
      listen: false,
      log: silentLogger(),
      print: () => undefined,
    });
    // a write, so the WAL and its index exist
    await server.services.auditBuffer.flush();
    return server;
  }

  it('creates the data dir 0700 and latch.db, -wal, -shm and master.key 0600', async () => {
    const dir = path.join(root, 'fresh', 'data');
    const server = await start(dir);
    try {
      expect(mode(dir)).toBe('700');
      for (const f of ['latch.db', 'latch.db-wal', 'latch.db-shm', 'master.key']) expect([f, mode(path.join(dir, f))]).toEqual([f, '600']);
    } finally {
      await server.close();
    }
  });

  it('tightens a data dir and database left 0755 / 0644', async () => {
    const dir = path.join(root, 'old');
    await (await start(dir)).close();
    fs.chmodSync(dir, 0o755);
    for (const f of ['latch.db', 'latch.db-wal', 'latch.db-shm'])
      if (fs.existsSync(path.join(dir, f))) fs.chmodSync(path.join(dir, f), 0o644);
    const server = await start(dir);
    try {
      expect(mode(dir)).toBe('700');
      for (const f of ['latch.db', 'latch.db-wal', 'latch.db-shm']) expect([f, mode(path.join(dir, f))]).toEqual([f, '600']);
    } finally {
      await server.close();
    }
  });
});
