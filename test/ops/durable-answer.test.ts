// A token is answered only once its commit is on disk, proved on the system calls of a real
// server: `latch serve` (SQLite) runs under strace, issues tokens to concurrent clients, and for
// every answered refresh token the trace must show, in this order, the WAL write that holds the
// token's row, an fdatasync of that WAL file that began after it and returned, and only then the
// HTTP answer that carries the token. Latch makes that fdatasync itself, in the thread pool
// (src/store/dialects/wal-sync.ts); with SQLite's own FULL commit it happened inside COMMIT. A
// commit answered before its flush (SQLite's NORMAL alone) fails this test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digest } from '../../src/crypto/secrets.js';
import { call } from './two-nodes.js';
import { runScript } from './process.js';

const PASSWORD = 'durable-answer-admin-pw-1';
const CLIENTS = 8;
const TOKENS_EACH = 4;

interface Syscall {
  pid: string;
  name: string;
  /** the arguments as strace printed them (strings in full: -s) */
  text: string;
  /** index of the trace line where it began, and where it returned */
  begin: number;
  end: number;
  ok: boolean;
}

/** strace -f output as calls with where each began and returned (an interrupted call spans an "unfinished" and a "resumed" line). */
function parseTrace(file: string): Syscall[] {
  const calls: Syscall[] = [];
  const open = new Map<string, Syscall>();
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const m = /^(\d+) +(.*)$/.exec(line);
      if (!m) return;
      const [, pid, rest] = m as unknown as [string, string, string];
      const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(rest);
      if (resumed) {
        const c = open.get(pid);
        if (c && c.name === resumed[1]) {
          c.text += resumed[2];
          c.end = i;
          c.ok = /\) += \d+/.test(resumed[2]!);
          open.delete(pid);
        }
        return;
      }
      const call = /^(\w+)\((.*)$/.exec(rest);
      if (!call) return;
      const c: Syscall = { pid, name: call[1]!, text: call[2]!, begin: i, end: i, ok: false };
      calls.push(c);
      if (rest.endsWith('<unfinished ...>')) open.set(pid, c);
      else c.ok = /\) += \d+/.test(rest);
    });
  return calls;
}

describe('a token is answered only after its commit is on disk (SQLite, system calls of a real server)', () => {
  it('for every answered refresh token: WAL write of its row → fdatasync of the WAL begun after it and returned → the answer', async () => {
    const strace = spawnSync('strace', ['-V']);
    expect(strace.status, 'strace is needed (Debian package strace; .ci/run installs it)').toBe(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-durable-'));
    const trace = path.join(dir, 'trace.txt');
    let resolveUrl: (u: { url: string; pid: number }) => void;
    const url = new Promise<{ url: string; pid: number }>((r) => (resolveUrl = r));
    const server = runScript(
      './crash-node.ts',
      {
        LATCH_DATA_DIR: path.join(dir, 'data'),
        LATCH_MASTER_KEY: randomBytes(32).toString('base64'),
        LATCH_ADMIN_PASSWORD: PASSWORD,
        LATCH_DATABASE_URL: '',
      },
      (line) => line.startsWith('{') && resolveUrl(JSON.parse(line) as { url: string; pid: number }),
      ['strace', '-f', '-y', '-s', '100000', '-e', 'trace=pwrite64,fdatasync,fsync,write,writev', '-o', trace],
    );
    const refreshTokens: string[] = [];
    let pid: number | undefined;
    try {
      const started = await Promise.race([
        url,
        server.exited.then((e) => Promise.reject(new Error(`exited ${JSON.stringify(e)}: ${server.stderr()}`))),
      ]);
      pid = started.pid;
      const base = started.url;
      const login = await call(base, 'POST', '/iam/auth/token', { body: { username: 'admin', password: PASSWORD } });
      const token = login.body.access_token as string;
      const tenant = (await call(base, 'GET', '/iam/users/me', { token })).body.tenant_id as string;
      const key = (await call(base, 'POST', '/iam/api-keys', { token, tenant, body: { name: 'durable', roles: ['EI Admin'] } })).body;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          for (let i = 0; i < TOKENS_EACH; i++) {
            const r = await call(base, 'POST', '/iam/auth/token', {
              body: { grant_type: 'client_credentials', client_id: key.clientId, client_secret: key.secret },
            });
            expect(r.status).toBe(200);
            refreshTokens.push(r.body.refresh_token as string);
          }
        }),
      );
    } finally {
      // the server itself (strace passes no signal on): strace writes out the trace and exits with it
      if (pid) process.kill(pid, 'SIGKILL');
      else server.proc.kill('SIGKILL');
      await server.exited;
    }

    const calls = parseTrace(trace);
    const wal = (c: Syscall) => c.text.startsWith(`${/^\d+/.exec(c.text)?.[0] ?? ''}<${path.join(dir, 'data', 'latch.db-wal')}>`);
    const flushes = calls.filter((c) => c.name === 'fdatasync' && wal(c) && c.ok);
    expect(refreshTokens).toHaveLength(CLIENTS * TOKENS_EACH);
    for (const rt of refreshTokens) {
      const hash = digest(rt);
      const written = calls.find((c) => c.name === 'pwrite64' && wal(c) && c.text.includes(hash));
      const answer = calls.find((c) => (c.name === 'writev' || c.name === 'write') && c.text.includes('<socket:[') && c.text.includes(rt));
      expect(written, 'the WAL write holding the refresh token row').toBeDefined();
      expect(answer, 'the HTTP answer carrying the refresh token').toBeDefined();
      const flushed = flushes.find((f) => f.begin > written!.end && f.end < answer!.begin);
      expect(
        flushed,
        `an fdatasync of the WAL between the write (line ${written!.end}) and the answer (line ${answer!.begin})`,
      ).toBeDefined();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
