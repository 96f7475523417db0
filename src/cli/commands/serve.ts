import { loadConfig, OPTIONS, type Config } from '../../config.js';
import { MasterKeyError, startServer } from '../../main.js';
import { loadTls } from '../../crypto/tls.js';
import { CliError } from '../output/index.js';
import type { ArgSpec, CommandModule } from '../command-table.js';

/** `latch serve`: flags override LATCH_* variables (see src/config.ts for the reference). Resolves when a signal stops the server. */
export async function serve(
  env: Record<string, string | undefined>,
  flags: Partial<Record<keyof Config, string | boolean>>,
): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env, flags);
  } catch (e) {
    throw new CliError((e as Error).message, { cause: e });
  }
  const https = await loadTls(config);
  const hint = tlsTrustHint(https);
  if (hint) process.stdout.write(`${hint}\n`);
  // Signals are taken from the start: one arriving while the server starts (after its URL is
  // printed, say) stops it once started, instead of killing the process with the store open.
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const onSignal = () => stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config, { https });
  } catch (e) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // An operator's mistake over the master key is its message alone, never a stack trace.
    if (e instanceof MasterKeyError) throw new CliError(e.message, { cause: e });
    throw e;
  }
  await stopped;
  await server.close();
}

/** With a generated CA (--tls-self-signed), the one line telling clients how to trust it. */
export function tlsTrustHint(tls: { caFile?: string } | null): string | undefined {
  return tls?.caFile
    ? `TLS: certificate signed by the Latch CA ${tls.caFile}; let Node clients trust it with NODE_EXTRA_CA_CERTS=${tls.caFile}`
    : undefined;
}

export const SERVE_FLAGS = Object.entries(OPTIONS).map(([key, o]) => ({
  key: key as keyof Config,
  flag: o.flag,
  description: `${o.description} (env ${o.env})`,
  boolean: typeof o.default === 'boolean',
}));

const SERVE_ARGS: ArgSpec[] = SERVE_FLAGS.map((f) => ({
  dest: f.key,
  options: [f.flag],
  help: f.description,
  flag: f.boolean,
  secret: f.key === 'masterKey' || f.key === 'masterKeyNew' || f.key === 'adminPassword',
}));

export const serveCommands: CommandModule = {
  commands: [
    {
      name: 'serve',
      summary: 'Run the Latch server.',
      description: 'SQLite in ./data by default, PostgreSQL with LATCH_DATABASE_URL. Runs until SIGINT/SIGTERM.',
      args: SERVE_ARGS,
      async handler(ctx) {
        const flags: Partial<Record<keyof Config, string | boolean>> = {};
        for (const f of SERVE_FLAGS) if (ctx.args[f.key] !== undefined) flags[f.key] = ctx.args[f.key] as string | boolean;
        await serve(ctx.env, flags);
        return null;
      },
    },
  ],
};
