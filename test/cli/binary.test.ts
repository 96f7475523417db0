// The real `latch` binary (node --import tsx src/cli/index.ts) against a real server: proves the
// wiring of index.ts (argv, env, stdout/stderr, exit code).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, Cli, startCliServer, type CliServer } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let srv: CliServer;
const cli = new Cli();

function latch(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', ...argv],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: cli.configHome, XDG_CONFIG_HOME: cli.configHome, ...env },
        timeout: 60_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  srv = await startCliServer();
});
afterAll(async () => {
  await srv?.close();
  cli.cleanup();
});

describe('the latch binary', () => {
  it('logs in from the environment, creates and lists an API key, and exits with the right codes', async () => {
    const login = await latch(['iam', 'login', '--query', 'username', '-o', 'tsv'], {
      LATCH_SERVER: srv.url,
      LATCH_USERNAME: 'admin',
      LATCH_PASSWORD: ADMIN_PASSWORD,
    });
    expect(login).toEqual({ code: 0, stdout: 'admin\n', stderr: '' });
    const created = await latch([
      'iam',
      'api-key',
      'create',
      '-n',
      'bin-1',
      '-r',
      'EI Admin',
      '--only-show-errors',
      '--query',
      'name',
      '-o',
      'tsv',
    ]);
    expect(created).toEqual({ code: 0, stdout: 'bin-1\n', stderr: '' });
    expect(await latch(['iam', 'api-key', 'list', '--query', '[].name', '-o', 'tsv'])).toEqual({ code: 0, stdout: 'bin-1\n', stderr: '' });
    expect((await latch(['iam', 'api-key', 'show', '-n', 'nope'])).code).toBe(3);
    expect((await latch(['iam', 'api-key', 'create'])).code).toBe(2);
    const help = await latch(['iam', 'api-key', 'create', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('latch iam api-key create : Create an API key.');
  }, 60_000);
});
