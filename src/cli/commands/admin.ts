// Offline admin commands: unlike the rest of the CLI they are not HTTP clients. Like `latch serve`
// they open the store (through src/admin.ts, wiring beside main.ts), so they run where a server runs.
import { loadConfig, type Config } from '../../config.js';
import { AdminError, backupCommand, restoreCommand, rotateMasterKeyCommand } from '../../admin.js';
import { generateMasterKey } from '../../crypto/envelope.js';
import { CliError } from '../output/index.js';
import type { ArgSpec, CommandContext, CommandModule } from '../command-table.js';
import { SERVE_FLAGS } from './serve.js';

/** The serve settings that say where the store and the keys are. */
const STORE_KEYS = ['dataDir', 'databaseUrl', 'masterKey', 'masterKeyNew'] as const;
const STORE_ARGS: ArgSpec[] = SERVE_FLAGS.filter((f) => (STORE_KEYS as readonly string[]).includes(f.key)).map((f) => ({
  dest: f.key,
  options: [f.flag],
  help: f.description,
  secret: f.key === 'masterKey' || f.key === 'masterKeyNew',
}));
const FILE_ARG: ArgSpec = {
  dest: 'file',
  options: ['--file', '-f'],
  help: 'The backup file (JSON lines).',
  required: true,
  positional: true,
};

function config(ctx: CommandContext): Config {
  const flags: Partial<Record<keyof Config, string>> = {};
  for (const k of STORE_KEYS) if (ctx.args[k] !== undefined) flags[k] = ctx.args[k] as string;
  try {
    return loadConfig(ctx.env, flags);
  } catch (e) {
    throw new CliError((e as Error).message, { cause: e });
  }
}

async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AdminError) throw new CliError(e.message, { cause: e });
    throw e;
  }
}

export const adminCommands: CommandModule = {
  groups: [{ name: 'master-key', summary: 'Manage the master key that seals SAS keys, Central app keys and JWT private keys.' }],
  commands: [
    {
      name: 'master-key rotate',
      summary: 'Re-seal every secret under a new master key (crash-safe; re-run after an interruption).',
      description:
        'Old key: LATCH_MASTER_KEY or <data dir>/master.key. New key: LATCH_MASTER_KEY_NEW, else <data dir>/master.key.new (generated when absent). Every node must hold both keys until this completes; see README "Master-key rotation".',
      args: STORE_ARGS,
      handler: (ctx) => run(() => rotateMasterKeyCommand(config(ctx), { print: (l) => ctx.stderr(l + '\n') })),
    },
    {
      name: 'master-key generate',
      summary: 'Print a new random master key (base64), e.g. for LATCH_MASTER_KEY_NEW.',
      args: [],
      handler: async () => ({ key: generateMasterKey() }),
    },
    {
      name: 'backup',
      summary: 'Write every table to a file (one consistent snapshot, also while servers run); secrets stay sealed.',
      description:
        'The file is JSON lines: a header naming the schema version, one line per row, an end marker. Restore with `latch restore`.',
      args: [FILE_ARG, ...STORE_ARGS],
      handler: (ctx) => run(() => backupCommand(config(ctx), ctx.args.file as string)),
    },
    {
      name: 'restore',
      summary: 'Load a backup into an empty store (SQLite or PostgreSQL, whichever it was taken from).',
      description:
        'Needs the master key the backup was taken with (checked before anything is written); refuses a store that holds data. A backup of an older release is migrated on restore; one of a newer release is refused.',
      args: [FILE_ARG, ...STORE_ARGS],
      handler: (ctx) => run(() => restoreCommand(config(ctx), ctx.args.file as string)),
    },
  ],
};
