import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { systemClock, type Clock, type Deps } from './deps.js';
import { openStore, peekMeta, storeTarget, type StoreTarget } from './store/open.js';
import { LocalBus, PgBus, type Bus } from './cache/bus.js';
import { Envelope, generateMasterKey, parseMasterKey } from './crypto/envelope.js';
import { checkMasterKeys, MASTER_KEY_META, precheckMasterKeys } from './services/master-key.js';
import { KeyRing } from './crypto/key-ring.js';
import { buildServices, startServices, stopServices, type Services } from './services/index.js';
import { buildApp, REDACT } from './http/app.js';
import { logSerializers } from './http/plugins/log-serializers.js';
import type { App } from './http/types.js';
import type { SchemaCompilers } from './http/validation.js';
import { ensurePrivateDir, tightenPrivateFile } from './util/private-files.js';

/** What startServer throws when the master key is wrong or missing: an operator's mistake, shown as its message alone. */
export { MasterKeyError } from './services/master-key.js';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, serializers: logSerializers }, destination);
}

/** Where the master keys come from: LATCH_MASTER_KEY / LATCH_MASTER_KEY_NEW, else files in the data dir. */
export const masterKeyFiles = (cfg: Config) => ({
  current: path.join(cfg.dataDir, 'master.key'),
  next: path.join(cfg.dataDir, 'master.key.new'),
  retired: path.join(cfg.dataDir, 'master.key.retired'),
});

export interface MasterKeys {
  /** The key in use (LATCH_MASTER_KEY or master.key). */
  current: Buffer;
  /** The key being rotated to (LATCH_MASTER_KEY_NEW or master.key.new), if any. */
  next?: Buffer;
}

/**
 * The master keys configured, read without writing anything: LATCH_MASTER_KEY, else
 * <data dir>/master.key; plus, during a rotation, LATCH_MASTER_KEY_NEW, else
 * <data dir>/master.key.new when it exists. Undefined when there is no key yet.
 */
export function configuredMasterKeys(cfg: Config): MasterKeys | undefined {
  const files = masterKeyFiles(cfg);
  const next = cfg.masterKeyNew
    ? parseMasterKey(cfg.masterKeyNew, 'LATCH_MASTER_KEY_NEW')
    : !cfg.masterKey && fs.existsSync(files.next)
      ? parseMasterKey(fs.readFileSync(files.next, 'utf8'), files.next)
      : undefined;
  if (cfg.masterKey) return { current: parseMasterKey(cfg.masterKey), next };
  if (!fs.existsSync(files.current)) return undefined;
  return { current: parseMasterKey(fs.readFileSync(files.current, 'utf8'), files.current), next };
}

/**
 * The master keys (configuredMasterKeys), creating <data dir>/master.key (0600) when there is none:
 * only for a store that holds no canary yet (startServer checks that first, see precheckMasterKeys).
 */
export function loadMasterKeys(cfg: Config, log: Logger): MasterKeys {
  if (cfg.masterKey) return configuredMasterKeys(cfg)!;
  const files = masterKeyFiles(cfg);
  ensurePrivateDir(cfg.dataDir);
  if (!fs.existsSync(files.current)) {
    fs.writeFileSync(files.current, generateMasterKey() + '\n', { mode: 0o600, flag: 'wx' });
    log.info({ file: files.current }, 'created master key file');
  }
  for (const f of Object.values(files)) tightenPrivateFile(f);
  return configuredMasterKeys(cfg)!;
}

/** During a rotation the new key seals and both open; otherwise the one key does both. */
export const envelopeOf = (k: MasterKeys): Envelope => (k.next ? new Envelope(k.next, [k.current]) : new Envelope(k.current));

export interface Server {
  app: App;
  /** The app's route schema compilers (compiled on first use; `compileAll` forces the rest). */
  schemas: SchemaCompilers;
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

/** The URL a server on `host`:`port` prints on start (0.0.0.0 is reached as 127.0.0.1). */
export function serverUrl(host: string, port: number, https: boolean): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `${https ? 'https' : 'http'}://${h === '0.0.0.0' ? '127.0.0.1' : h}:${port}`;
}

/** Wiring only: config → store → keys → bootstrap → app → listen. */
export async function startServer(config: Config, opts: StartOptions = {}): Promise<Server> {
  const log = opts.log ?? createLogger(config.logLevel);
  const print = opts.print ?? ((l: string) => process.stdout.write(l + '\n'));
  const clock = opts.clock ?? systemClock;
  const target = opts.target ?? storeTarget(config);
  // The key is checked against the store's canary before anything is written: no key file is
  // generated for a store sealed under another key, and no migration runs under a wrong one.
  const configured = configuredMasterKeys(config);
  const where =
    target.kind === 'sqlite' ? target.file : `PostgreSQL${target.schema ? ` schema ${target.schema}` : ' (LATCH_DATABASE_URL)'}`;
  precheckMasterKeys(await peekMeta(target, MASTER_KEY_META), configured && envelopeOf(configured), { where, dataDir: config.dataDir });
  const envelope = envelopeOf(loadMasterKeys(config, log));
  const store = await openStore(target);
  let bus: Bus | undefined;
  try {
    const keyStatus = await checkMasterKeys(store, envelope, clock.now());
    if (keyStatus.state === 'rotating')
      log.warn(
        { from: keyStatus.from, to: keyStatus.to },
        'master-key rotation in progress: sealing under the new key; run `latch master-key rotate`',
      );
    if (keyStatus.state === 'complete')
      log.warn({ retired: keyStatus.retired }, 'master-key rotation complete: the old key is no longer needed; remove it from this node');
    bus = target.kind === 'postgres' ? await PgBus.start({ url: target.url, schema: target.schema }, log) : new LocalBus();
    // The issuer is LATCH_ISSUER, else the URL printed on start (with port 0 known only once listening: set below).
    const issuer = config.issuer ?? serverUrl(config.host, config.port, !!opts.https);
    const keys = new KeyRing(store, envelope, { alg: config.signingAlg, issuer, now: () => clock.now() });
    await keys.init();
    const deps: Deps = { config, store, bus, keys, envelope, clock, log };
    const services = buildServices(deps);
    const boot = await services.tenants.bootstrap();
    if (boot?.password)
      print(
        `Created platform administrator '${boot.username}' with password: ${boot.password}  (shown once; change it or set LATCH_ADMIN_PASSWORD)`,
      );
    const { app, schemas } = await buildApp(services, {
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
      url = serverUrl(config.host, port, !!opts.https);
      if (!config.issuer) keys.setIssuer(url);
      print(`Latch listening on ${url} (store: ${store.dialect})`);
    } else {
      await app.ready();
    }
    const b = bus;
    return {
      app,
      schemas,
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
