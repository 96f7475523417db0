/**
 * The CLI profile: `$XDG_CONFIG_HOME/latch/profile.json` (default `~/.config/latch`), directory
 * 0700, file 0600 (it holds tokens). Written atomically (temp file + rename) so a crash never
 * leaves half a profile; a lock file serialises refreshes between concurrent `latch` processes,
 * because refresh tokens are single use and presenting a spent one revokes the whole session.
 * The file also keeps the `config` section of `latch config set` (defaults), across logins and logouts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface Profile {
  server: string;
  /** `user` (password login) or `api_key` (client credentials). */
  type: 'user' | 'api_key';
  username: string;
  /** Default tenant of tenant-scoped commands (the home tenant at login, or `iam tenant set`). */
  tenantId: string;
  tenantName: string | null;
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires. */
  expiresOn: number;
  /** Epoch ms when the refresh token expires. */
  refreshExpiresOn: number;
  /** Access token lifetime in seconds as the server issued it (drives the refresh margin). */
  expiresIn: number;
}

export type ConfigSections = Record<string, Record<string, string>>;

export class ProfileStore {
  readonly dir: string;
  readonly file: string;

  constructor(env: Record<string, string | undefined>) {
    const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
    this.dir = path.join(base, 'latch');
    this.file = path.join(this.dir, 'profile.json');
  }

  /** The whole file: the session's fields (absent when signed out) and `config` (`latch config set`). */
  private readRaw(): Record<string, unknown> {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw e;
    }
    try {
      const raw = JSON.parse(text) as unknown;
      return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }

  private write(raw: Record<string, unknown>): void {
    this.ensureDir();
    const tmp = path.join(this.dir, `.profile.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(raw, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, this.file);
    fs.chmodSync(this.file, 0o600);
  }

  load(): Profile | undefined {
    const { config: _config, ...p } = this.readRaw();
    return typeof p.server === 'string' ? (p as unknown as Profile) : undefined;
  }

  /** Stores the session; the `config` section is kept. */
  save(p: Profile): void {
    const { config } = this.readRaw();
    this.write(config === undefined ? { ...p } : { ...p, config });
  }

  /** Removes the session (true when there was one); the `config` section stays. */
  clear(): boolean {
    const raw = this.readRaw();
    if (raw.config !== undefined) this.write({ config: raw.config });
    else fs.rmSync(this.file, { force: true });
    return typeof raw.server === 'string';
  }

  /** `latch config` values by section and key (`{ core: { output: 'table' } }`). */
  config(): ConfigSections {
    const c = this.readRaw().config;
    return c && typeof c === 'object' ? (c as ConfigSections) : {};
  }

  saveConfig(config: ConfigSections): void {
    const { config: _old, ...rest } = this.readRaw();
    this.write(Object.keys(config).length ? { ...rest, config } : rest);
  }

  private ensureDir(): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(this.dir, 0o700);
  }

  /** Run `fn` holding `profile.lock` (created exclusively; a lock older than 30 s is stale). */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    this.ensureDir();
    const lock = path.join(this.dir, 'profile.lock');
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        fs.writeFileSync(lock, String(process.pid), { mode: 0o600, flag: 'wx' });
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        try {
          if (Date.now() - fs.statSync(lock).mtimeMs > 30_000) fs.unlinkSync(lock);
        } catch {
          // removed by its owner meanwhile
        }
        if (Date.now() > deadline) throw new Error(`Timed out waiting for the profile lock ${lock}`, { cause: e });
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    try {
      return await fn();
    } finally {
      fs.rmSync(lock, { force: true });
    }
  }
}
