import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { systemClock, type Clock, type Deps } from './deps.js';
import { openStore, storeTarget, type StoreTarget } from './store/open.js';
import type { Store } from './store/port.js';
import { LocalBus, PgBus, type Bus } from './cache/bus.js';
import { Envelope, generateMasterKey, parseMasterKey } from './crypto/envelope.js';
import { KeyRing } from './crypto/key-ring.js';
import { buildServices, startServices, stopServices, type Services } from './services/index.js';
import { buildApp, REDACT } from './http/app.js';
import { logSerializers } from './http/plugins/log-serializers.js';
import type { App } from './http/types.js';
import { ensurePrivateDir } from './util/private-files.js';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, serializers: logSerializers }, destination);
}

/** The master key: LATCH_MASTER_KEY, else <data dir>/master.key (created 0600 on first start). */
export function loadMasterKey(cfg: Config, log: Logger): Buffer {
  if (cfg.masterKey) return parseMasterKey(cfg.masterKey);
  const file = path.join(cfg.dataDir, 'master.key');
  if (!fs.existsSync(file)) {
    ensurePrivateDir(cfg.dataDir);
    fs.writeFileSync(file, generateMasterKey() + '\n', { mode: 0o600, flag: 'wx' });
    log.info({ file }, 'created master key file');
  }
  return parseMasterKey(fs.readFileSync(file, 'utf8'));
}

/** A canary sealed under the master key on first start: a wrong key fails here, clearly. */
async function checkMasterKey(store: Store, envelope: Envelope): Promise<void> {
  const sealed = await store.meta.putIfAbsent('master_key_check', envelope.seal('latch', 'master-key-check'));
  try {
    envelope.open(sealed, 'master-key-check');
  } catch {
    throw new Error('The master key does not match the one this database was created with (set LATCH_MASTER_KEY to the original key)');
  }
}

export interface Server {
  app: App;
  deps: Deps;
  services: Services;
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  clock?: Clock;
  /** Overrides the store chosen from the config (tests: a PostgreSQL schema of their own). */
  target?: StoreTarget;
  /** Where to print the one-time admin password and the URL (default: stdout). */
  print?: (line: string) => void;
  https?: { cert: string | Buffer; key: string | Buffer } | null;
  listen?: boolean;
}

/** Wiring only: config → store → keys → bootstrap → app → listen. */
export async function startServer(config: Config, opts: StartOptions = {}): Promise<Server> {
  const log = opts.log ?? createLogger(config.logLevel);
  const print = opts.print ?? ((l: string) => process.stdout.write(l + '\n'));
  const clock = opts.clock ?? systemClock;
  const target = opts.target ?? storeTarget(config);
  const envelope = new Envelope(loadMasterKey(config, log));
  const store = await openStore(target);
  let bus: Bus | undefined;
  try {
    await checkMasterKey(store, envelope);
    bus = target.kind === 'postgres' ? await PgBus.start({ url: target.url, schema: target.schema }, log) : new LocalBus();
    const keys = new KeyRing(store, envelope, { alg: config.signingAlg, issuer: config.issuer, now: () => clock.now() });
    await keys.init();
    const deps: Deps = { config, store, bus, keys, envelope, clock, log };
    const services = buildServices(deps);
    const boot = await services.tenants.bootstrap();
    if (boot?.password)
      print(
        `Created platform administrator '${boot.username}' with password: ${boot.password}  (shown once; change it or set LATCH_ADMIN_PASSWORD)`,
      );
    const { app } = await buildApp(services, {
      logger: log,
      https: opts.https,
      trustProxy: config.trustProxy,
      requestTimeoutMs: config.requestTimeout * 1000,
      corsOrigins: config.corsOrigins,
    });
    await startServices(services);
    let url = '';
    if (opts.listen !== false) {
      await app.listen({ host: config.host, port: config.port });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : config.port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      url = `${opts.https ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
      print(`Latch listening on ${url} (store: ${store.dialect})`);
    } else {
      await app.ready();
    }
    const b = bus;
    return {
      app,
      deps,
      services,
      url,
      async close() {
        await app.close();
        await stopServices(services);
        await b.close();
        await store.close();
      },
    };
  } catch (e) {
    await bus?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw e;
  }
}
