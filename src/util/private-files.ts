import fs from 'node:fs';

/**
 * The data dir holds the database, the master key file and TLS keys: only the server's own user
 * may enter it (0700), created so, and tightened if it was made more open (it is Latch's own directory).
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((fs.statSync(dir).mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}

/**
 * A file only the server's user may read or write (0600): created empty with that mode when
 * missing, tightened when it exists with a wider one. SQLite gives its -wal and -shm files the
 * mode of the database file, so making the database 0600 before opening it covers them too;
 * existing ones are tightened here as well.
 */
export function ensurePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((fs.statSync(f).mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}
