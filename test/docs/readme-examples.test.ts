// The README's worked examples, run as written and in order (issue 9, item 4): every fenced block
// whose info string is `sh test` or `ts test` is extracted; the shell blocks run in one bash session
// (`set -euo pipefail`, so variables carry from one block to the next as in one terminal, and any
// failing command fails the test); a `ts test` block is saved to a file and run in that session with
// `node --import tsx`, as the README says (`npx tsx`). The servers are the test's own: a fresh data
// dir, the admin password given in LATCH_ADMIN_PASSWORD, plain http and, on the same data dir, the
// --tls-self-signed server of the Azure examples; the examples reach them through LATCH_URL and
// LATCH_TLS_URL, the variables they read (defaults http://127.0.0.1:8080 and https://127.0.0.1:8443).
// `npx latch` runs this checkout's CLI: a `latch` on PATH (npx runs a command found there).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { loadTls } from '../../src/crypto/tls.js';
import { startServer, type Server } from '../../src/main.js';
import { testLogger } from '../harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const ADMIN_PASSWORD = 'readme-admin-password-1';

interface Block {
  lang: 'sh' | 'ts';
  line: number;
  code: string;
}

/** The blocks marked for testing (```sh test / ```ts test), in README order. */
function testedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const re = /^```(sh|ts) test[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown))
    blocks.push({ lang: m[1] as Block['lang'], line: markdown.slice(0, m.index).split('\n').length, code: m[2]! });
  return blocks;
}

/** The commands the tested blocks call: each must be in the README's list of tools. */
const TOOLS = ['curl', 'jq', 'node', 'npx'];

describe('README examples', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-readme-'));
  const dataDir = path.join(work, 'data');
  const home = path.join(work, 'home');
  const bin = path.join(work, 'bin');
  const servers: Server[] = [];

  beforeAll(async () => {
    fs.mkdirSync(home);
    fs.mkdirSync(bin);
    // The CLI bundled once (tsx would cost seconds per command), behind a `latch` on PATH.
    const cache = path.join(ROOT, 'node_modules/.cache/latch-readme');
    fs.mkdirSync(cache, { recursive: true });
    const cli = path.join(cache, `latch-${process.pid}.mjs`);
    const esbuild = spawnSync(path.join(ROOT, 'node_modules/.bin/esbuild'), [
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--packages=external',
      '--log-level=error',
      path.join(ROOT, 'src/cli/index.ts'),
      `--outfile=${cli}`,
    ]);
    expect(esbuild.status, esbuild.stderr?.toString()).toBe(0);
    fs.writeFileSync(path.join(bin, 'latch'), `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`, { mode: 0o755 });

    const env = { LATCH_DATA_DIR: dataDir, LATCH_ADMIN_PASSWORD: ADMIN_PASSWORD, LATCH_PORT: '0', LATCH_HOST: '127.0.0.1' };
    const log = testLogger();
    servers.push(await startServer(loadConfig(env), { log, print: () => undefined }));
    const tlsConfig = loadConfig({ ...env, LATCH_TLS_SELF_SIGNED: 'true' });
    servers.push(await startServer(tlsConfig, { https: await loadTls(tlsConfig), log, print: () => undefined }));
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) await s.close();
    fs.rmSync(work, { recursive: true, force: true });
    const cache = path.join(ROOT, 'node_modules/.cache/latch-readme');
    for (const f of fs.readdirSync(cache)) if (f.includes(`-${process.pid}`)) fs.rmSync(path.join(cache, f), { force: true });
  });

  const blocks = testedBlocks(README);

  it('marks the worked examples for testing', () => {
    expect(blocks.filter((b) => b.lang === 'sh').length).toBeGreaterThanOrEqual(5);
    expect(blocks.filter((b) => b.lang === 'ts').length).toBeGreaterThanOrEqual(2);
  });

  it('lists every tool the examples use', () => {
    const tools = README.slice(README.indexOf('## Tools the examples use'));
    expect(tools.length).toBeLessThan(README.length);
    for (const t of TOOLS) expect(tools).toContain(`\`${t}\``);
    // the command words of the shell blocks: first word of a line, and after |, &&, ; and $( (comments dropped)
    const code = blocks
      .filter((b) => b.lang === 'sh')
      .map((b) => b.code.replace(/(^|\s)#.*$/gm, ''))
      .join('\n');
    const used = new Set([...code.matchAll(/(?:^|\||&&|;|\$\()[ \t]*(?:[A-Z_]+=(?!\$\()\S*[ \t]+)*([a-z][\w-]*)/gm)].map((m) => m[1]!));
    const builtins = new Set(['export', 'echo', 'for', 'do', 'done', 'in', 'then', 'fi', 'if', 'test']);
    for (const cmd of used) if (!builtins.has(cmd) && !/^[A-Z_]+$/.test(cmd)) expect(TOOLS, `a README example runs ${cmd}`).toContain(cmd);
  });

  it('run in order against a fresh server, every command exiting 0', async () => {
    const script = ['set -euo pipefail'];
    blocks.forEach((b, i) => {
      script.push(`echo '### README.md line ${b.line} (${b.lang})' >&2`);
      if (b.lang === 'sh') script.push(b.code);
      else {
        // beside node_modules, so the SDKs the example imports resolve as they do in a checkout
        const file = path.join(ROOT, 'node_modules/.cache/latch-readme', `block-${process.pid}-${i}.mts`);
        fs.writeFileSync(file, b.code);
        script.push(`node --import tsx ${JSON.stringify(file)}`);
      }
    });
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn('bash', ['-c', script.join('\n')], {
        cwd: ROOT,
        env: {
          PATH: `${bin}:${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
          HOME: home,
          XDG_CONFIG_HOME: home,
          LATCH_URL: servers[0]!.url,
          LATCH_TLS_URL: servers[1]!.url,
          LATCH_DATA_DIR: dataDir,
          LATCH_ADMIN_PASSWORD: ADMIN_PASSWORD,
          npm_config_yes: 'false',
          npm_config_offline: 'true',
          npm_config_update_notifier: 'false',
        },
      });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    if (process.env.LATCH_README_TRACE) process.stderr.write(stdout + stderr);
    expect({ code, tail: stderr.split('\n').slice(-30).join('\n') }).toEqual({ code: 0, tail: expect.any(String) as string });
    // what the examples say they print
    expect(stdout).toContain('"agents":[]');
    expect(stdout).toContain('iothubowner');
    expect(stdout).toContain('"keyName":"iothubowner"');
  }, 300_000);
});
