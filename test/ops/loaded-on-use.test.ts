import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * What a start on the embedded default (SQLite, plain HTTP) does not load: the PostgreSQL driver
 * (pg) and the certificate library (node-forge) are loaded only by the configurations that use
 * them. Each cost 50–100 ms of every cold start. Checked in a process of its own, since this one
 * has loaded both for other tests.
 */
describe('modules loaded on use', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-loaded-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function loadedBy(env: Record<string, string>, tls: boolean): string[] {
    const script = `
      import { createRequire } from 'node:module';
      import { loadConfig } from './src/config.ts';
      import { loadTls } from './src/crypto/tls.ts';
      import { startServer } from './src/main.ts';
      const config = loadConfig(process.env);
      const https = ${tls} ? await loadTls(config) : null;
      const server = await startServer(config, { listen: false, https, print: () => undefined });
      await server.close();
      const cache = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify(['pg', 'node-forge'].filter((m) => cache.some((f) => f.includes('/node_modules/' + m + '/')))));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, LATCH_ADMIN_PASSWORD: 'loaded-on-use-pw-1', LATCH_LOG_LEVEL: 'warn', ...env },
      encoding: 'utf8',
    });
    return JSON.parse(out.trim().split('\n').pop()!) as string[];
  }

  it('a start on SQLite without TLS loads neither pg nor node-forge', () => {
    expect(loadedBy({ LATCH_DATA_DIR: path.join(dir, 'plain') }, false)).toEqual([]);
  });

  it('a start with a self-signed certificate loads node-forge (and still not pg)', () => {
    expect(loadedBy({ LATCH_DATA_DIR: path.join(dir, 'tls'), LATCH_TLS_SELF_SIGNED: 'true' }, true)).toEqual(['node-forge']);
  });
});
