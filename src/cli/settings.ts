/**
 * The `latch config` keys (az `config`: `section.key`, stored in the profile file) and the
 * environment variable that overrides each. Precedence, highest first: the command's flag, the
 * environment variable, the stored value, the built-in default. main() turns the stored values into
 * defaults of those variables, so every consumer reads one place (`ctx.env`).
 */
import { OUTPUT_FORMATS } from './output/index.js';
import type { ConfigSections } from './profile.js';

export interface SettingSpec {
  /** `section.key`, as `latch config set` takes it. */
  key: string;
  /** The environment variable that overrides the stored value. */
  env: string;
  help: string;
  /** An error text for a value that cannot be stored, or undefined. */
  validate?: (v: string) => string | undefined;
}

const BOOLEAN = ['true', 'false', 'yes', 'no', 'on', 'off', '1', '0'];
const bool = (v: string) => (BOOLEAN.includes(v.toLowerCase()) ? undefined : `use one of ${BOOLEAN.join(', ')}`);

export const httpUrl = (v: string): string | undefined => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'use an http:// or https:// URL';
  } catch {
    return 'use an http:// or https:// URL';
  }
};

export const SETTINGS: readonly SettingSpec[] = [
  {
    key: 'core.output',
    env: 'LATCH_CORE_OUTPUT',
    help: `Default output format (--output/-o): ${[...OUTPUT_FORMATS].sort().join(', ')}.`,
    validate: (v) => (OUTPUT_FORMATS.includes(v as never) ? undefined : `use one of ${[...OUTPUT_FORMATS].sort().join(', ')}`),
  },
  { key: 'core.only_show_errors', env: 'LATCH_CORE_ONLY_SHOW_ERRORS', help: 'Only show errors (as --only-show-errors).', validate: bool },
  {
    key: 'core.no_color',
    env: 'LATCH_CORE_NO_COLOR',
    help: 'No colour in jsonc/yamlc output on a terminal (as NO_COLOR).',
    validate: bool,
  },
  {
    key: 'defaults.tenant',
    env: 'LATCH_DEFAULTS_TENANT',
    help: 'Tenant (id or name) of tenant-scoped commands when --tenant/-t is absent, instead of the one chosen at login.',
  },
  { key: 'defaults.server', env: 'LATCH_SERVER', help: "Server URL of 'latch iam login' when --server is absent.", validate: httpUrl },
];

export const settingOf = (key: string): SettingSpec | undefined => SETTINGS.find((s) => s.key === key.toLowerCase());

/** The stored values as defaults of their environment variables, overridden by `env`. */
export function withStoredSettings(env: Record<string, string | undefined>, stored: ConfigSections): Record<string, string | undefined> {
  const defaults: Record<string, string> = {};
  for (const s of SETTINGS) {
    const [section, name] = s.key.split('.') as [string, string];
    const v = stored[section]?.[name];
    if (typeof v === 'string') defaults[s.env] = v;
  }
  const out: Record<string, string | undefined> = { ...defaults };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Every environment variable the CLI reads, as `latch --help` lists them. */
export const ENVIRONMENT: readonly { name: string; help: string }[] = [
  ...SETTINGS.map((s) => ({ name: s.env, help: `${s.help} Overrides the config key ${s.key}.` })),
  { name: 'NO_COLOR', help: 'Set (to anything) for no colour, as LATCH_CORE_NO_COLOR=true.' },
  { name: 'LATCH_USERNAME', help: "User name of 'latch iam login' when --username/-u is absent." },
  { name: 'LATCH_PASSWORD', help: "Password of 'latch iam login' when --password/-p and --password-stdin are absent." },
  { name: 'LATCH_CLIENT_ID', help: "API key client id of 'latch iam login' (client credentials) when --client-id is absent." },
  { name: 'LATCH_CLIENT_SECRET', help: "API key secret of 'latch iam login' when --client-secret is absent." },
  { name: 'XDG_CONFIG_HOME', help: 'Where the profile lives: $XDG_CONFIG_HOME/latch/profile.json (default ~/.config).' },
];
