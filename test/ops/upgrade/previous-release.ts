// The previous release, for the tests that run it beside this one (rolling upgrade): which commit
// it is (previous-release.json, the one place to change at a release), and its source tree,
// extracted once per machine with its node_modules.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface PreviousRelease {
  version: string;
  /** The release's annotated tag; a clone without tags falls back to `commit`. */
  tag: string;
  commit: string;
  /** Its migrations, in order: those of this release after them must be expand-only. */
  migrations: string[];
}

export const PREVIOUS = JSON.parse(fs.readFileSync(new URL('./previous-release.json', import.meta.url), 'utf8')) as PreviousRelease;

/** The commit of the previous release: its tag when the clone has it (and it must agree), else the recorded hash. */
export function previousCommit(): string {
  const r = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${PREVIOUS.tag}^{commit}`], { cwd: ROOT, encoding: 'utf8' });
  const tagged = r.status === 0 ? r.stdout.trim() : undefined;
  if (tagged && tagged !== PREVIOUS.commit)
    throw new Error(`tag ${PREVIOUS.tag} is ${tagged}, but previous-release.json says ${PREVIOUS.commit}`);
  return PREVIOUS.commit;
}

/**
 * The previous release's source tree in a temporary directory (reused while it lasts), taken with
 * `git archive` rather than `git worktree add` so the repository's metadata is left alone. Its
 * node_modules is this checkout's (a symlink) when both package-lock.json files are identical,
 * else its own `npm ci` (from the registry and npm's cache, as CI's own install).
 */
export function previousReleaseTree(): string {
  const commit = previousCommit();
  const dir = path.join(os.tmpdir(), `latch-release-${commit.slice(0, 12)}`);
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  try {
    const git = spawnSync('git', ['archive', '--format=tar', commit], { cwd: ROOT, maxBuffer: 1 << 30 });
    if (git.status !== 0)
      throw new Error(
        `git archive ${commit} failed (the previous release must be in this clone's history; a shallow clone lacks it): ${git.stderr.toString()}`,
      );
    const tar = git.stdout;
    execFileSync('tar', ['-x', '-C', tmp], { input: tar });
    const same = fs.readFileSync(path.join(tmp, 'package-lock.json')).equals(fs.readFileSync(path.join(ROOT, 'package-lock.json')));
    if (same) fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(tmp, 'node_modules'));
    else execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: tmp, stdio: 'ignore' });
    fs.writeFileSync(path.join(tmp, '.complete'), commit + '\n');
    try {
      fs.renameSync(tmp, dir);
    } catch {
      // another test process extracted it first
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return dir;
}
