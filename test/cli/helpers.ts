import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.js';
import { startServer, type Server } from '../../src/main.js';
import { testLogger } from '../harness.js';
import { main } from '../../src/cli/main.js';
import type { Clock } from '../../src/deps.js';

export const ADMIN_PASSWORD = 'admin-password-1';

export interface CliServer {
  server: Server;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/** A real server on 127.0.0.1, any free port, SQLite in a temp data dir. */
export async function startCliServer(opts: { clock?: Clock; env?: Record<string, string> } = {}): Promise<CliServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-cli-data-'));
  const config = loadConfig({
    LATCH_DATA_DIR: dataDir,
    LATCH_PORT: '0',
    LATCH_HOST: '127.0.0.1',
    LATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LATCH_MASTER_KEY: randomBytes(32).toString('base64'),
    ...opts.env,
  });
  const server = await startServer(config, { listen: true, log: testLogger(), print: () => undefined, clock: opts.clock });
  return {
    server,
    url: server.url,
    dataDir,
    async close() {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One user's CLI: its own XDG_CONFIG_HOME; `run` calls main() in-process. */
export class Cli {
  readonly configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-cli-config-'));
  now: () => number = Date.now;

  constructor(readonly env: Record<string, string> = {}) {}

  get profileFile(): string {
    return path.join(this.configHome, 'latch', 'profile.json');
  }

  profile(): Record<string, unknown> {
    return JSON.parse(fs.readFileSync(this.profileFile, 'utf8')) as Record<string, unknown>;
  }

  editProfile(patch: Record<string, unknown>): void {
    fs.writeFileSync(this.profileFile, JSON.stringify({ ...this.profile(), ...patch }));
  }

  async run(argv: string[], env: Record<string, string> = {}): Promise<RunResult> {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { XDG_CONFIG_HOME: this.configHome, HOME: this.configHome, ...this.env, ...env },
      isTTY: false,
      now: () => this.now(),
    });
    return { code, stdout, stderr };
  }

  /** Run and expect exit 0 and nothing on stderr; returns stdout. */
  async ok(argv: string[], env?: Record<string, string>): Promise<string> {
    const r = await this.run(argv, env);
    if (r.code !== 0) throw new Error(`latch ${argv.join(' ')} → ${r.code}\n${r.stderr}`);
    return r.stdout;
  }

  async json<T = unknown>(argv: string[]): Promise<T> {
    return JSON.parse(await this.ok([...argv, '-o', 'json'])) as T;
  }

  login(url: string, username = 'admin', password = ADMIN_PASSWORD): Promise<string> {
    return this.ok(['iam', 'login', '--server', url, '--username', username, '--password', password]);
  }

  cleanup(): void {
    fs.rmSync(this.configHome, { recursive: true, force: true });
  }
}
