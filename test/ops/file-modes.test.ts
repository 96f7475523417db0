import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import { startServer } from '../../src/main.js';
import { loadConfig } from '../../src/config.js';
import { loadTls } from '../../src/crypto/tls.js';
import { backupCommand, rotateMasterKeyCommand } from '../../src/admin.js';
import { generateMasterKey } from '../../src/crypto/envelope.js';
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

  /** Every directory under (and including) `dir` with its mode, and every file: what the walk checks. */
  function walk(dir: string): { dirs: [string, string][]; files: [string, string][] } {
    const out = { dirs: [[dir, mode(dir)]] as [string, string][], files: [] as [string, string][] };
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        const sub = walk(p);
        out.dirs.push(...sub.dirs);
        out.files.push(...sub.files);
      } else out.files.push([p, mode(p)]);
    }
    return out;
  }
  const expectPrivate = (dir: string) => {
    const w = walk(dir);
    expect(w.dirs.filter(([, m]) => m !== '700')).toEqual([]);
    expect(w.files.filter(([, m]) => m !== '600')).toEqual([]);
    return w.files.map(([f]) => path.relative(dir, f)).sort();
  };

  const config = (dataDir: string) =>
    loadConfig({ LATCH_DATA_DIR: dataDir, LATCH_ADMIN_PASSWORD: 'admin-password-1', LATCH_PORT: '0', LATCH_TLS_SELF_SIGNED: 'true' });

  /** `latch serve --tls-self-signed` in process: TLS material, a listening server, one login over HTTPS, a write. */
  async function serveOnce(dataDir: string) {
    const cfg = config(dataDir);
    const tls = await loadTls(cfg);
    const server = await startServer(cfg, { https: tls, log: silentLogger(), print: () => undefined });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const url = new URL('/iam/auth/token', server.url);
        const r = https.request(url, { method: 'POST', ca: tls!.ca, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        r.on('error', reject);
        r.end(JSON.stringify({ username: 'admin', password: 'admin-password-1' }));
      });
      expect(status).toBe(200);
      await server.services.auditBuffer.flush();
    } finally {
      await server.close();
    }
  }

  it('after a TLS self-signed run, a master-key rotation and a backup, every directory in the data dir is 0700 and every file 0600', async () => {
    const dir = path.join(root, 'walk', 'data');
    await serveOnce(dir);
    await rotateMasterKeyCommand(config(dir), { log: silentLogger(), print: () => undefined });
    await backupCommand(config(dir), path.join(dir, 'backup.jsonl'), { log: silentLogger(), print: () => undefined });
    expect(mode(path.join(root, 'walk'))).toBe('700');
    const files = expectPrivate(dir);
    for (const f of [
      'latch.db',
      'master.key',
      'master.key.retired',
      'backup.jsonl',
      'tls/ca.pem',
      'tls/ca-key.pem',
      'tls/server.pem',
      'tls/server-key.pem',
    ])
      expect(files).toContain(f);
  });

  it('tightens everything it owns when it finds the data dir opened up (0755 directories, 0644 files), master.key.new included', async () => {
    const dir = path.join(root, 'loose');
    await serveOnce(dir);
    await rotateMasterKeyCommand(config(dir), { log: silentLogger(), print: () => undefined });
    // a rotation begun but not finished: the new key waits in master.key.new
    fs.writeFileSync(path.join(dir, 'master.key.new'), generateMasterKey() + '\n', { mode: 0o644 });
    const opened = walk(dir);
    for (const [d] of opened.dirs) fs.chmodSync(d, 0o755);
    for (const [f] of opened.files) fs.chmodSync(f, 0o644);
    expect(mode(path.join(dir, 'tls', 'ca-key.pem'))).toBe('644');
    await serveOnce(dir);
    const files = expectPrivate(dir);
    expect(files).toContain('master.key.new');
    expect(files).toContain('master.key.retired');
  });
});
