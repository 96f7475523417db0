import { loadConfig, OPTIONS, type Config } from '../../config.js';
import { startServer } from '../../main.js';
import { loadTls } from '../../http/tls.js';

/** `latch serve`: flags override LATCH_* variables (see src/config.ts for the reference). */
export async function serve(flags: Partial<Record<keyof Config, string | boolean>>): Promise<void> {
  const config = loadConfig(process.env, flags);
  const https = await loadTls(config);
  const server = await startServer(config, { https });
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

export const SERVE_FLAGS = Object.entries(OPTIONS).map(([key, o]) => ({ key: key as keyof Config, flag: o.flag, description: `${o.description} (env ${o.env})`, boolean: typeof o.default === 'boolean' }));
