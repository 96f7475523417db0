// A child `node` process running one of the scripts beside this file, with its stdout read line by
// line: for the tests that kill -9 a server or an admin command and look at what survived.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const bundles = new Map<string, string[]>();

/**
 * How to run a script: bundled once per test process with the esbuild that tsx brings (packages
 * stay external, resolved from node_modules), because starting through tsx costs ~4 s of a loaded
 * 2-core machine and the crash tests start a process per round; tsx when that esbuild is absent.
 */
function command(file: string): string[] {
  let argv = bundles.get(file);
  if (argv) return argv;
  const esbuild = path.join(ROOT, 'node_modules/.bin/esbuild');
  const out = path.join(ROOT, 'node_modules/.cache/latch-test', `${path.basename(file, '.ts')}-${process.pid}.mjs`);
  const r = fs.existsSync(esbuild)
    ? spawnSync(esbuild, [
        '--bundle',
        '--platform=node',
        '--format=esm',
        '--packages=external',
        '--log-level=error',
        file,
        `--outfile=${out}`,
      ])
    : undefined;
  if (r?.status === 0) {
    argv = [out];
    process.once('exit', () => fs.rmSync(out, { force: true }));
  } else argv = ['--import', 'tsx', file];
  bundles.set(file, argv);
  return argv;
}

export interface Child {
  proc: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  kill9(): Promise<void>;
  /** Writes one line to the child's stdin. */
  send(line: string): void;
}

/** `launcher`: a command that runs node (e.g. `strace -f -o trace`), given before node's own argv. */
export function runScript(
  script: string,
  env: Record<string, string | undefined>,
  onLine: (line: string, c: Child) => void,
  launcher: string[] = [],
): Child {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const argv = [...launcher, process.execPath, ...command(file)];
  const proc = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  let buf = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const c: Child = {
    proc,
    exited,
    stderr: () => err,
    send: (line) => void proc.stdin!.write(line + '\n'),
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      onLine(line, c);
    }
  });
  return c;
}
