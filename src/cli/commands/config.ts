/**
 * `latch config set|get|unset` (az `config`): defaults stored as `section.key` in the `config` part of
 * the profile file (src/cli/settings.ts lists the keys and the variables that override them).
 */
import { CliError, CliUsageError } from '../output/index.js';
import type { CommandContext, CommandModule } from '../command-table.js';
import { settingOf, SETTINGS } from '../settings.js';
import type { ConfigSections } from '../profile.js';

const KEYS = SETTINGS.map((s) => s.key).join(', ');

function known(key: string) {
  const s = settingOf(key);
  if (!s) throw new CliUsageError(`'${key}' is not a configuration key. Keys: ${KEYS}.`);
  return s.key.split('.') as [string, string];
}

/** az's `config get` entry: `{ name, source, value }`. */
const entry = (ctx: CommandContext, name: string, value: string) => ({ name, source: ctx.profiles.file, value });

export const configCommands: CommandModule = {
  groups: [
    {
      name: 'config',
      summary: 'Manage Latch CLI configuration (defaults).',
      description: `Keys: ${SETTINGS.map((s) => `${s.key} (${s.help} Overridden by ${s.env}.)`).join(' ')}`,
    },
  ],
  commands: [
    {
      name: 'config set',
      summary: 'Set configurations.',
      args: [
        {
          dest: 'pairs',
          options: ['--key-value'],
          positional: true,
          multiple: true,
          required: true,
          metavar: 'KEY=VALUE',
          help: `Space-separated configurations in the form of <section>.<key>=<value>. Keys: ${KEYS}.`,
        },
      ],
      examples: [
        { name: 'Turn on table output and set the default tenant.', text: 'latch config set core.output=table defaults.tenant=contoso' },
      ],
      async handler(ctx) {
        const config: ConfigSections = structuredClone(ctx.profiles.config());
        for (const pair of ctx.args.pairs as string[]) {
          const eq = pair.indexOf('=');
          if (eq <= 0) throw new CliUsageError(`usage error: '${pair}' is not <section>.<key>=<value>`);
          const [section, name] = known(pair.slice(0, eq));
          const value = pair.slice(eq + 1);
          const problem = settingOf(`${section}.${name}`)!.validate?.(value);
          if (problem) throw new CliUsageError(`invalid value '${value}' for ${section}.${name}: ${problem}`);
          (config[section] ??= {})[name] = value;
        }
        ctx.profiles.saveConfig(config);
        return null;
      },
    },
    {
      name: 'config get',
      summary: 'Get a configuration.',
      description: 'Without a key: every configuration by section. With a section: its keys. With section.key: that one.',
      args: [{ dest: 'key', options: ['--key'], positional: true, metavar: 'KEY', help: 'The section or section.key to get.' }],
      async handler(ctx) {
        const config = ctx.profiles.config();
        const key = ctx.args.key as string | undefined;
        const sectionEntries = (section: string) => Object.entries(config[section] ?? {}).map(([n, v]) => entry(ctx, n, v));
        if (key === undefined) return Object.fromEntries(Object.keys(config).map((s) => [s, sectionEntries(s)]));
        if (!key.includes('.')) {
          if (!config[key]) throw new CliError(`Configuration section '${key}' is not set.`);
          return sectionEntries(key);
        }
        const [section, name] = known(key);
        const value = config[section]?.[name];
        if (value === undefined) throw new CliError(`Configuration '${section}.${name}' is not set.`);
        return entry(ctx, name, value);
      },
    },
    {
      name: 'config unset',
      summary: 'Unset configurations.',
      args: [
        {
          dest: 'keys',
          options: ['--key'],
          positional: true,
          multiple: true,
          required: true,
          metavar: 'KEY',
          help: 'Space-separated configurations in the form of <section>.<key>.',
        },
      ],
      examples: [{ name: 'Unset the default output format.', text: 'latch config unset core.output' }],
      async handler(ctx) {
        const config: ConfigSections = structuredClone(ctx.profiles.config());
        for (const key of ctx.args.keys as string[]) {
          const [section, name] = known(key);
          if (config[section]) {
            delete config[section][name];
            if (!Object.keys(config[section]).length) delete config[section];
          }
        }
        ctx.profiles.saveConfig(config);
        return null;
      },
    },
  ],
};
