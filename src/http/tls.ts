import fs from 'node:fs';
import type { Config } from '../config.js';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** TLS material for `latch serve`: LATCH_TLS_CERT/KEY files, or none (plain http, the local default). */
export async function loadTls(config: Config): Promise<TlsFiles | null> {
  if (config.tlsCert && config.tlsKey) {
    return { cert: fs.readFileSync(config.tlsCert), key: fs.readFileSync(config.tlsKey) };
  }
  if (config.tlsSelfSigned) throw new Error('--tls-self-signed is not available yet');
  return null;
}
