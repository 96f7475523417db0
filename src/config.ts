import { isIP } from 'node:net';
import path from 'node:path';

/** One reference for every setting: env name, CLI flag, default, description, parser. */
interface Option<T> {
  env: string;
  flag: string;
  description: string;
  default: T;
  parse: (raw: string) => T;
}

class ConfigError extends Error {}

const int =
  (min: number, max: number) =>
  (raw: string): number => {
    if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`must be an integer between ${min} and ${max}`);
    const n = Number(raw);
    if (n < min || n > max) throw new ConfigError(`must be an integer between ${min} and ${max}`);
    return n;
  };
const str = (raw: string) => raw;
const optStr = (raw: string): string | undefined => (raw === '' ? undefined : raw);
const bool = (raw: string): boolean => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new ConfigError('must be true or false');
};
const oneOf =
  <T extends string>(...values: T[]) =>
  (raw: string): T => {
    if (!(values as string[]).includes(raw)) throw new ConfigError(`must be one of ${values.join(', ')}`);
    return raw as T;
  };

/** Fastify `trustProxy`: a hop count, or the proxies' addresses / CIDRs (undefined: off). */
type TrustProxy = number | string[];
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const trustProxy = (raw: string): TrustProxy | undefined => {
  const v = raw.trim().toLowerCase();
  if (['', 'false', 'off', 'no', '0'].includes(v)) return undefined;
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    if (n > 32) throw new ConfigError('a hop count must be between 1 and 32');
    return n;
  }
  // Trusting every sender would let any client choose its own address (and so its throttle).
  if (['true', 'on', 'yes', '*'].includes(v)) throw new ConfigError('name the proxies (addresses or CIDRs) or give a hop count');
  const list = v.split(',').map((e) => e.trim());
  for (const e of list) {
    const [addr = '', bits, extra] = e.split('/');
    const family = isIP(addr);
    const ok =
      extra === undefined &&
      (PROXY_NAMES.includes(e) ||
        (family !== 0 && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)))));
    if (!ok) throw new ConfigError(`${JSON.stringify(e)} is not an address, a CIDR, loopback, linklocal or uniquelocal`);
  }
  return list;
};

const hostSuffix = (raw: string): string => {
  const v = raw.trim().toLowerCase().replace(/^\./, '');
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(v))
    throw new ConfigError('must be a DNS suffix such as azure-devices.net');
  return v;
};

/** Comma-separated exact origins (scheme://host[:port]); empty = none. */
const origins = (raw: string): string[] => {
  const list = raw
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const o of list) {
    let u: URL;
    try {
      u = new URL(o);
    } catch {
      throw new ConfigError(`'${o}' is not an origin such as https://console.example.com`);
    }
    if (!/^https?:$/.test(u.protocol) || u.origin !== o)
      throw new ConfigError(`'${o}' is not an exact origin such as https://console.example.com (scheme, host and port only, no path)`);
  }
  return list;
};

/** An OpenID issuer identifier (OIDC Discovery §3): http(s), no query or fragment; a trailing `/` is dropped. */
const issuerUrl = (raw: string): string | undefined => {
  const v = raw.trim();
  if (v === '') return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError('must be a URL such as https://latch.example.com');
  }
  if (!/^https?:$/.test(u.protocol) || u.search || u.hash || v.includes('?') || v.includes('#'))
    throw new ConfigError('must be an http(s) URL without query or fragment, such as https://latch.example.com');
  return v.replace(/\/+$/, '');
};

export const OPTIONS = {
  host: { env: 'LATCH_HOST', flag: '--host', description: 'Address to listen on', default: '127.0.0.1', parse: str },
  port: {
    env: 'LATCH_PORT',
    flag: '--port',
    description: 'Port to listen on; 0 picks a free port (the URL is printed on start)',
    default: 8080,
    parse: int(0, 65535),
  },
  trustProxy: {
    env: 'LATCH_TRUST_PROXY',
    flag: '--trust-proxy',
    description:
      'Reverse proxies whose X-Forwarded-For names the client (its address is what throttling and the audit trail record): off (default: the header is ignored), comma-separated addresses / CIDRs (loopback, linklocal, uniquelocal allowed), or a hop count (only when clients cannot reach the server except through that many proxies)',
    default: undefined as TrustProxy | undefined,
    parse: trustProxy,
  },
  dataDir: {
    env: 'LATCH_DATA_DIR',
    flag: '--data-dir',
    description: 'Directory for the SQLite database, the master key file and TLS files',
    default: './data',
    parse: str,
  },
  databaseUrl: {
    env: 'LATCH_DATABASE_URL',
    flag: '--database-url',
    description: 'postgres://… to use PostgreSQL (several nodes may share it); empty = SQLite in the data dir',
    default: undefined as string | undefined,
    parse: (raw: string) => {
      if (raw === '') return undefined;
      if (!/^postgres(ql)?:\/\//.test(raw)) throw new ConfigError('must be a postgres:// or postgresql:// URL');
      return raw;
    },
  },
  masterKey: {
    env: 'LATCH_MASTER_KEY',
    flag: '--master-key',
    description:
      '32-byte key (base64 or hex) encrypting SAS keys and JWT private keys at rest; default: <data dir>/master.key, created with mode 0600. Required to be the same on every node of a cluster',
    default: undefined as string | undefined,
    parse: optStr,
  },
  masterKeyNew: {
    env: 'LATCH_MASTER_KEY_NEW',
    flag: '--master-key-new',
    description:
      'During a master-key rotation only: the new key (same format). The node opens values sealed under either key and seals under this one; default: <data dir>/master.key.new when that file exists. See README "Master-key rotation"',
    default: undefined as string | undefined,
    parse: optStr,
  },
  adminUsername: {
    env: 'LATCH_ADMIN_USERNAME',
    flag: '--admin-username',
    description: 'Platform administrator created on first start',
    default: 'admin',
    parse: str,
  },
  adminPassword: {
    env: 'LATCH_ADMIN_PASSWORD',
    flag: '--admin-password',
    description: 'Its password; when unset on first start, one is generated and printed once',
    default: undefined as string | undefined,
    parse: optStr,
  },
  adminTenant: {
    env: 'LATCH_ADMIN_TENANT',
    flag: '--admin-tenant',
    description: 'Name of the first tenant, created on first start',
    default: 'Default',
    parse: str,
  },
  accessTokenTtl: {
    env: 'LATCH_ACCESS_TOKEN_TTL',
    flag: '--access-token-ttl',
    description: 'Access token lifetime in seconds',
    default: 300,
    parse: int(30, 86400),
  },
  refreshTokenTtl: {
    env: 'LATCH_REFRESH_TOKEN_TTL',
    flag: '--refresh-token-ttl',
    description: 'Refresh token lifetime (idle) in seconds',
    default: 1800,
    parse: int(60, 30 * 86400),
  },
  sessionMaxTtl: {
    env: 'LATCH_SESSION_MAX_TTL',
    flag: '--session-max-ttl',
    description: 'Absolute session lifetime in seconds: refresh tokens never outlive it',
    default: 36000,
    parse: int(60, 365 * 86400),
  },
  signingAlg: {
    env: 'LATCH_SIGNING_ALG',
    flag: '--signing-alg',
    description: 'JWT signing algorithm for new keys',
    default: 'ES256' as 'ES256' | 'RS256' | 'EdDSA',
    parse: oneOf('ES256', 'RS256', 'EdDSA'),
  },
  issuer: {
    env: 'LATCH_ISSUER',
    flag: '--issuer',
    description:
      'The OpenID issuer: an http(s) URL, the `iss` of issued tokens and the base of the endpoints discovery lists; default: the URL the server prints on start. Must be the same on every node of a cluster',
    default: undefined as string | undefined,
    parse: issuerUrl,
  },
  logLevel: {
    env: 'LATCH_LOG_LEVEL',
    flag: '--log-level',
    description: 'pino log level',
    default: 'info' as string,
    parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  },
  tlsCert: {
    env: 'LATCH_TLS_CERT',
    flag: '--tls-cert',
    description: 'PEM certificate file: serve https',
    default: undefined as string | undefined,
    parse: optStr,
  },
  tlsKey: {
    env: 'LATCH_TLS_KEY',
    flag: '--tls-key',
    description: 'PEM private key file for --tls-cert',
    default: undefined as string | undefined,
    parse: optStr,
  },
  tlsSelfSigned: {
    env: 'LATCH_TLS_SELF_SIGNED',
    flag: '--tls-self-signed',
    description: 'Serve https with a CA + certificate generated into <data dir>/tls (trust <data dir>/tls/ca.pem via NODE_EXTRA_CA_CERTS)',
    default: false,
    parse: bool,
  },
  hubHostSuffix: {
    env: 'LATCH_HUB_HOST_SUFFIX',
    flag: '--hub-host-suffix',
    description: 'DNS suffix of IoT hub host names: a hub is {name}.{suffix} (properties.hostName, the SAS data plane)',
    default: 'azure-devices.net',
    parse: hostSuffix,
  },
  dpsHostSuffix: {
    env: 'LATCH_DPS_HOST_SUFFIX',
    flag: '--dps-host-suffix',
    description: 'DNS suffix of provisioning service host names ({name}.{suffix}, global.{suffix})',
    default: 'azure-devices-provisioning.net',
    parse: hostSuffix,
  },
  centralHostSuffix: {
    env: 'LATCH_CENTRAL_HOST_SUFFIX',
    flag: '--central-host-suffix',
    description:
      'DNS suffix of IoT Central app hosts: {subdomain or application id}.{suffix} serves the data-plane API /api/… (also at /central/{app}/api/…)',
    default: 'azureiotcentral.com',
    parse: hostSuffix,
  },
  armPageSize: {
    env: 'LATCH_ARM_PAGE_SIZE',
    flag: '--arm-page-size',
    description: 'Items per page of ARM listkeys responses (further pages via nextLink)',
    default: 100,
    parse: int(1, 1000),
  },
  tlsHostnames: {
    env: 'LATCH_TLS_HOSTNAMES',
    flag: '--tls-hostnames',
    description:
      'Extra comma-separated DNS names / IPs for the --tls-self-signed server certificate (besides localhost, 127.0.0.1, ::1); a change re-issues the certificate',
    default: undefined as string | undefined,
    parse: optStr,
  },
  requestTimeout: {
    env: 'LATCH_REQUEST_TIMEOUT',
    flag: '--request-timeout',
    description:
      'Seconds a client has to send a whole request, headers and body (headers: at most 10 s of it); a slower one is answered 408 and disconnected',
    default: 30,
    parse: int(1, 3600),
  },
  corsOrigins: {
    env: 'LATCH_CORS_ORIGINS',
    flag: '--cors-origins',
    description:
      'Comma-separated exact origins (https://console.example.com) allowed to call the API from a browser; empty (default) = no CORS headers, cross-origin browser calls fail',
    default: [] as string[],
    parse: origins,
  },
} satisfies Record<string, Option<unknown>>;

type Options = typeof OPTIONS;
export type Config = { [K in keyof Options]: Options[K]['default'] };

/**
 * Builds the configuration: defaults, then LATCH_* environment, then flags. A bad value fails
 * with a message naming the variable or flag and what it accepts.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: Partial<Record<keyof Config, string | boolean>> = {}): Config {
  const out: Record<string, unknown> = {};
  for (const [key, opt] of Object.entries(OPTIONS) as [keyof Config, Option<unknown>][]) {
    let value = opt.default;
    const fromEnv = env[opt.env];
    const fromFlag = flags[key];
    try {
      if (fromEnv !== undefined) value = opt.parse(fromEnv);
    } catch (e) {
      throw new Error(`Invalid ${opt.env}=${JSON.stringify(fromEnv)}: ${(e as Error).message}`, { cause: e });
    }
    try {
      if (fromFlag !== undefined) value = typeof fromFlag === 'boolean' ? fromFlag : opt.parse(fromFlag);
    } catch (e) {
      throw new Error(`Invalid ${opt.flag} ${JSON.stringify(fromFlag)}: ${(e as Error).message}`, { cause: e });
    }
    out[key] = value;
  }
  const cfg = out as Config;
  cfg.dataDir = path.resolve(cfg.dataDir);
  if ((cfg.tlsCert === undefined) !== (cfg.tlsKey === undefined)) {
    throw new Error('LATCH_TLS_CERT and LATCH_TLS_KEY must be given together');
  }
  return cfg;
}
