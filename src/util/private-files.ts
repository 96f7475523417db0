import fs from 'node:fs';

/**
 * Everything Latch creates in its data dir (the database and its -wal / -shm, master.key and
 * master.key.new / .retired, tls/ and its keys and certificates, backups written there) is for the
 * server's own user only: directories 0700, files 0600, created so, and tightened when found more
 * open (they are Latch's own). test/ops/file-modes.test.ts walks a whole data dir after a run.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The directory, created 0700 (with its missing parents), tightened to 0700 when it exists more open. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if ((fs.statSync(dir).mode & 0o077) !== 0) fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Tightens an existing file to 0600 when group or others may touch it; a missing file is left missing. */
export function tightenPrivateFile(file: string): void {
  try {
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, PRIVATE_FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Writes `text` to `file` as 0600, also when the file existed with a wider mode (a mode given to writeFile applies only on creation). */
export function writePrivateFile(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: PRIVATE_FILE_MODE });
  tightenPrivateFile(file);
}

/**
 * A database file only the server's user may read or write (0600): created empty with that mode
 * when missing, tightened when it exists with a wider one. SQLite gives its -wal and -shm files the
 * mode of the database file, so making the database 0600 before opening it covers them too;
 * existing ones are tightened here as well.
 */
export function ensurePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) tightenPrivateFile(f);
}
