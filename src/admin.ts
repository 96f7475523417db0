// Wiring of the offline admin commands (`latch master-key rotate`, `latch backup`, `latch restore`):
// like `latch serve` (main.ts) they open the store themselves; they never listen.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { configuredMasterKeys, createLogger, envelopeOf, loadMasterKeys, masterKeyFiles } from './main.js';
import { openStore, storeTarget, type StoreTarget } from './store/open.js';
import { SchemaAheadError } from './store/kysely/index.js';
import { migrations } from './store/migrations/index.js';
import type { Store } from './store/port.js';
import type { BackupRow } from './store/sealed-port.js';
import { Envelope, generateMasterKey, masterKeyId, parseMasterKey } from './crypto/envelope.js';
import { MasterKeyError, checkMasterKeys, rotateMasterKey, type RotateProgress } from './services/master-key.js';

/** An operator's mistake: the CLI prints the message, without a stack. */
export class AdminError extends Error {}

export interface AdminOptions {
  /** Overrides the store chosen from the config (tests: a PostgreSQL schema of their own). */
  target?: StoreTarget;
  log?: Logger;
  /** Progress lines (default: stderr). */
  print?: (line: string) => void;
  /** Sealed values re-sealed per transaction (master-key rotate; default 50). */
  batch?: number;
}

/** Writes `text` to `file` (mode 0600) durably: a temporary file, fsync, rename, fsync of the directory. */
function writeDurably(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  syncDir(path.dirname(file));
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function withStore<T>(config: Config, opts: AdminOptions, fn: (store: Store) => Promise<T>, upTo?: string): Promise<T> {
  const store = await openStore(opts.target ?? storeTarget(config), upTo);
  try {
    return await fn(store);
  } catch (e) {
    if (e instanceof MasterKeyError) throw new AdminError(e.message, { cause: e });
    throw e;
  } finally {
    await store.close();
  }
}

export interface RotateResult {
  from: string;
  to: string;
  resealed: number;
  alreadyComplete: boolean;
  /** Key-file mode: where the new key now is and where the old one was moved. */
  keyFile?: string;
  retiredKeyFile?: string;
}

/**
 * `latch master-key rotate`. With LATCH_MASTER_KEY, the new key is LATCH_MASTER_KEY_NEW (required).
 * With the key file, the new key is LATCH_MASTER_KEY_NEW or a fresh one, written first (durably,
 * 0600) to <data dir>/master.key.new; after the store is done, master.key is copied to
 * master.key.retired and master.key.new renamed over master.key. Safe to re-run after a crash.
 */
export async function rotateMasterKeyCommand(config: Config, opts: AdminOptions = {}): Promise<RotateResult> {
  const log = opts.log ?? createLogger('warn');
  const print = opts.print ?? ((l: string) => process.stderr.write(l + '\n'));
  const files = masterKeyFiles(config);
  const fileMode = !config.masterKey;
  if (!fileMode && !config.masterKeyNew)
    throw new AdminError(
      'Set LATCH_MASTER_KEY_NEW to the new key (`latch master-key generate` prints one); LATCH_MASTER_KEY stays the old key.',
    );
  if (fileMode) {
    if (!fs.existsSync(files.current))
      throw new AdminError(`No master key: ${files.current} does not exist and LATCH_MASTER_KEY is not set.`);
    const given = config.masterKeyNew ? parseMasterKey(config.masterKeyNew, 'LATCH_MASTER_KEY_NEW') : undefined;
    if (fs.existsSync(files.next)) {
      const existing = parseMasterKey(fs.readFileSync(files.next, 'utf8'), files.next);
      if (given && !given.equals(existing))
        throw new AdminError(`${files.next} holds another new key (a rotation was started with it); finish that one first.`);
    } else {
      writeDurably(files.next, (given ? given.toString('base64') : generateMasterKey()) + '\n');
    }
  }
  const keys = loadMasterKeys({ ...config, masterKeyNew: fileMode ? undefined : config.masterKeyNew }, log);
  if (!keys.next || keys.next.equals(keys.current)) throw new AdminError('The new master key is the same as the current one.');
  const envelope = envelopeOf(keys);
  const from = masterKeyId(keys.current);
  const r = await withStore(config, opts, (store) =>
    rotateMasterKey(store, envelope, {
      now: Date.now(),
      batch: opts.batch,
      onProgress: (p: RotateProgress) => print(`resealed ${p.resealed} of ${p.total}`),
    }),
  );
  const result: RotateResult = { from, to: envelope.sealKid, ...r };
  if (fileMode) {
    writeDurably(files.retired, fs.readFileSync(files.current, 'utf8'));
    fs.renameSync(files.next, files.current);
    syncDir(path.dirname(files.current));
    result.keyFile = files.current;
    result.retiredKeyFile = files.retired;
    print(
      `master.key is the new key; the old one is in ${files.retired}: keep it only as long as backups taken before now may need restoring.`,
    );
  } else {
    print('Rotation complete: on every node set LATCH_MASTER_KEY to the new key and remove LATCH_MASTER_KEY_NEW.');
  }
  return result;
}

interface BackupHeader {
  format: 'latch-backup';
  version: 1;
  /** The newest migration of the store it was taken from: restore migrates up from it, never down. */
  schema: string;
  source: 'sqlite' | 'postgres';
  createdAt: string;
}

export interface BackupResult {
  file: string;
  /** The store's schema once done (restore: the latest, migrated up from the backup's). */
  schema: string;
  /** Restore: the schema the backup was taken at. */
  from?: string;
  rows: number;
  tables: Record<string, number>;
}

/**
 * `latch backup <file>`: every table as JSON lines — a header, `{"table","row"}` per row, a footer
 * with the row count — read in one snapshot, so it is consistent while servers write. Secrets stay
 * as stored (digests, and ciphertext under the master key); the file is written 0600.
 */
export async function backupCommand(config: Config, file: string, opts: AdminOptions = {}): Promise<BackupResult> {
  return withStore(config, opts, async (store) => {
    const header: BackupHeader = {
      format: 'latch-backup',
      version: 1,
      schema: await store.backup.schemaVersion(),
      source: store.dialect,
      createdAt: new Date().toISOString(),
    };
    const tmp = `${file}.tmp-${process.pid}`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    const tables: Record<string, number> = {};
    let rows = 0;
    let buf = JSON.stringify(header) + '\n';
    const flush = () => {
      fs.writeSync(fd, buf);
      buf = '';
    };
    try {
      await store.backup.dump((table, row) => {
        buf += JSON.stringify({ table, row }) + '\n';
        tables[table] = (tables[table] ?? 0) + 1;
        rows++;
        if (buf.length > 1 << 20) flush();
      });
      buf += JSON.stringify({ end: true, rows }) + '\n';
      flush();
      fs.fsyncSync(fd);
    } catch (e) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
    syncDir(path.dirname(path.resolve(file)));
    return { file, schema: header.schema, rows, tables };
  });
}

/** The backup's first line, checked before anything is opened: a backup this release can restore. */
async function readHeader(file: string): Promise<BackupHeader> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let first: string | undefined;
  for await (const line of lines) {
    first = line;
    break;
  }
  lines.close();
  if (first === undefined || first === '') throw new AdminError(`${file}: empty file`);
  let header: BackupHeader;
  try {
    header = JSON.parse(first) as BackupHeader;
  } catch {
    throw new AdminError(`${file}: not a Latch backup (line 1 is not JSON)`);
  }
  if (header?.format !== 'latch-backup' || header.version !== 1) throw new AdminError(`${file}: not a Latch backup (format version 1)`);
  const known = Object.keys(migrations);
  if (!known.includes(header.schema))
    throw new AdminError(
      `${file} was taken at schema ${header.schema}, which this Latch does not know (its newest is ${known.at(-1)}): ` +
        'it comes from a newer release. Restore it with that release or a later one; nothing was written.',
    );
  return header;
}

/**
 * `latch restore <file>`: into an empty store only. A backup taken at an older schema restores
 * too: the store is migrated up to the backup's schema, the rows go in as they were taken, then
 * the remaining migrations run on them (as an upgrade would); one from a newer release is refused
 * before the store is opened. The rows go in one transaction (a bad or truncated file leaves
 * nothing behind). The backup's master-key canary must open under the configured key(s) before
 * a row is written: restoring needs the key the backup was sealed with.
 */
export async function restoreCommand(config: Config, file: string, opts: AdminOptions = {}): Promise<BackupResult> {
  // The backup's key, never a new one: a generated key could open nothing in the backup.
  const keys = configuredMasterKeys(config);
  if (!keys)
    throw new AdminError(
      `No master key: set LATCH_MASTER_KEY to the key of the instance the backup was taken from, or put its master.key in ${config.dataDir}.`,
    );
  const envelope = envelopeOf(keys);
  if (!fs.existsSync(file)) throw new AdminError(`${file}: no such file`);
  const from = (await readHeader(file)).schema;
  const target = opts.target ?? storeTarget(config);
  let restored: BackupResult;
  try {
    restored = await withStore(config, { ...opts, target }, (store) => restoreRows(store, file, envelope), from);
  } catch (e) {
    if (e instanceof SchemaAheadError)
      throw new AdminError(
        `This store is already at schema ${e.at}, past the backup's ${from}; restore needs an empty store, so restore into a new database or data dir.`,
        { cause: e },
      );
    throw e;
  }
  // The migrations after the backup's schema, on the restored rows.
  const store = await openStore(target);
  try {
    return { ...restored, schema: await store.backup.schemaVersion(), from };
  } finally {
    await store.close();
  }
}

async function restoreRows(store: Store, file: string, envelope: Envelope): Promise<BackupResult> {
  const schema = await store.backup.schemaVersion();
  if (!(await store.backup.isEmpty()))
    throw new AdminError(
      `Restore needs an empty store, and this one (${store.dialect}) already holds data; restore into a new database or data dir.`,
    );
  const tables: Record<string, number> = {};
  let rows = 0;
  let header: BackupHeader | undefined;
  let footer: { end: true; rows: number } | undefined;
  await store.transaction(async (tx) => {
    let pending: { table: string; rows: BackupRow[] } | undefined;
    const flush = async () => {
      if (!pending) return;
      if (pending.table === 'meta') checkCanary(pending.rows, envelope);
      await tx.backup.insert(pending.table, pending.rows);
      pending = undefined;
    };
    // created right before it is iterated: readline drops lines emitted before the loop starts
    const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      if (footer) throw new AdminError(`${file}: data after the end marker`);
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        throw new AdminError(`${file}: not a Latch backup (line ${rows + 2} is not JSON)`);
      }
      if (!header) {
        header = rec as BackupHeader;
        if (header.format !== 'latch-backup' || header.version !== 1)
          throw new AdminError(`${file}: not a Latch backup (format version 1)`);
        if (header.schema !== schema)
          throw new AdminError(
            `${file} was taken at schema ${header.schema}; this Latch is at ${schema}: restore it with the same version.`,
          );
        continue;
      }
      const r = rec as { table?: string; row?: BackupRow; end?: true; rows?: number };
      if (r.end) {
        footer = { end: true, rows: r.rows ?? -1 };
        continue;
      }
      if (typeof r.table !== 'string' || !r.row) throw new AdminError(`${file}: malformed line ${rows + 2}`);
      if (pending && (pending.table !== r.table || pending.rows.length >= 500)) await flush();
      pending ??= { table: r.table, rows: [] };
      pending.rows.push(r.row);
      tables[r.table] = (tables[r.table] ?? 0) + 1;
      rows++;
    }
    await flush();
    if (!header) throw new AdminError(`${file}: empty file`);
    if (!footer || footer.rows !== rows)
      throw new AdminError(`${file} is truncated (no end marker, or a row count that does not match); nothing restored.`);
    await checkMasterKeys(tx, envelope, Date.now());
  });
  return { file, schema, rows, tables };
}

/** Before any row is written: the backup's canary opens under one of the configured keys. */
function checkCanary(meta: BackupRow[], envelope: Envelope): void {
  const canary = meta.find((r) => r.key === 'master_key_check')?.value;
  if (typeof canary !== 'string') return;
  if (envelope.kidThatOpens(canary, 'master-key-check') === undefined) {
    const kid = Envelope.kidOf(canary);
    throw new AdminError(
      `This backup's secrets are sealed under another master key${kid ? ` (key ${kid})` : ''} than the one configured (${envelope.kids.join(', ')}): set LATCH_MASTER_KEY to the key of the instance it was taken from.`,
    );
  }
}
