/**
 * The declarative command table of the `latch` CLI (knack's command table, in TypeScript).
 *
 * Every command is one `CommandSpec`: its words, its arguments (option spellings, help, required,
 * choices, validation), its help text and examples, and its handler. A command file exports a
 * `CommandModule` (its groups and commands); `commands/index.ts` lists the modules. The parser,
 * the help printer and the runner read only this table, so adding `iot hub` is one more module.
 */
import type { OutputFormat } from './output/index.js';
import type { Logger } from './log.js';
import type { ApiClient } from './client.js';
import type { ProfileStore } from './profile.js';
import { parseResourceId, resourceIdShape } from './resource-id.js';

export interface ArgSpec {
  /** Key of the parsed value in `ctx.args`. */
  dest: string;
  /** Spellings, first is the canonical one (`['--name', '-n']`); messages join them with `/`. */
  options: readonly string[];
  help: string;
  required?: boolean;
  /** A switch without a value (`true` when present). */
  flag?: boolean;
  /** Repeatable and nargs='+': `--role a b --role c` → ['a', 'b', 'c']. */
  multiple?: boolean;
  /** Also split each value on commas (`--permissions a,b`). */
  commaList?: boolean;
  /** Allowed values (exact), checked at parse time (exit 2). */
  choices?: readonly string[];
  /** Parse-time validation: return an error text (exit 2, `argument --x/-y: <text>`), or undefined. */
  validate?: (value: string) => string | undefined;
  /** Also given as the command's first bare word (`latch backup out.jsonl` = `latch backup --file out.jsonl`). */
  positional?: boolean;
  /** Never echoed by --debug. */
  secret?: boolean;
  /** Shown in help as the value name. */
  metavar?: string;
  /**
   * Deprecated (knack `c.deprecate()`): still accepted, tagged `[Deprecated]` in help, and warned
   * about on stderr after parsing (suppressed by --only-show-errors).
   */
  deprecated?: { redirect?: string };
  /** Required unless `--ids` is given (a part of the resource id; set by argsOf on commands with `ids`). */
  requiredUnlessIds?: boolean;
}

export interface Example {
  name: string;
  text: string;
}

export interface CommandContext {
  /** Parsed arguments by dest (flags: boolean, multiple: string[], others: string | undefined). */
  args: Record<string, unknown>;
  env: Record<string, string | undefined>;
  log: Logger;
  profiles: ProfileStore;
  now(): number;
  /** HTTP client on the signed-in session (refreshes it when needed). Fails when not signed in. */
  client(): Promise<ApiClient>;
  /** The tenant id the command runs in: `--tenant/-t` (id or name), else the profile's default. */
  tenant(): Promise<string>;
  /** Write a line to stderr as a warning (suppressed by --only-show-errors). */
  warn(message: string): void;
  stderr(text: string): void;
  /** Write text to stdout as it is (a script, not a result for --output). */
  stdout(text: string): void;
  /** Standard input: whether it is a terminal, all of it as text, or a secret typed after `prompt` without echo (terminal only). */
  stdin: { isTTY: boolean; read(): Promise<string>; readSecret(prompt: string): Promise<string> };
  output: OutputFormat;
}

export interface CommandSpec {
  /** Full command words after `latch`, e.g. `iam api-key create`. */
  name: string;
  summary: string;
  description?: string;
  args: readonly ArgSpec[];
  examples?: readonly Example[];
  /** Adds `--tenant/-t` and resolves it for the handler. */
  tenantScoped?: boolean;
  /**
   * az's `--ids`: the command also takes ARM resource ids of `type` (`Microsoft.Devices/IotHubs`) instead
   * of `--resource-group`, the tenant (subscription) and the arg with dest `name`; several ids run the
   * handler once each and print the list of results.
   */
  ids?: { type: string; name: string };
  /** Returns the command result (printed through --query and --output); undefined/null prints nothing. */
  handler(ctx: CommandContext): Promise<unknown>;
}

export interface GroupSpec {
  /** Group words after `latch`, e.g. `iam api-key`. */
  name: string;
  summary: string;
  description?: string;
}

export interface CommandModule {
  groups?: readonly GroupSpec[];
  commands: readonly CommandSpec[];
}

/** `--tenant/-t`, added to every tenant-scoped command. */
export const TENANT_ARG: ArgSpec = {
  dest: 'tenant',
  options: ['--tenant', '-t'],
  help: "Tenant (organization) id or name. Default: the tenant chosen at login or with 'latch iam tenant set'.",
};

/**
 * knack's warning for a deprecated argument: `Argument '<python dest>' has been deprecated and will
 * be removed in a future release.` (the dest is the Python parameter name, e.g. `api_version`).
 */
export function deprecationMessage(a: ArgSpec): string {
  const dest = a.dest.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const tail = a.deprecated?.redirect ? ` Use '${a.deprecated.redirect}' instead.` : '';
  return `Argument '${dest}' has been deprecated and will be removed in a future release.${tail}`;
}

/** Dests an ARM resource id replaces on a command with `ids`: the name arg, the resource group and the tenant. */
export const idParts = (c: CommandSpec): string[] => (c.ids ? [c.ids.name, 'resourceGroup', 'tenant'] : []);

function idsArg(type: string): ArgSpec {
  return {
    dest: 'ids',
    options: ['--ids'],
    multiple: true,
    metavar: 'ID',
    help:
      "One or more resource IDs (space-delimited). It should be a complete resource ID containing all information of 'Resource Id' " +
      "arguments. You should provide either --ids or other 'Resource Id' arguments.",
    validate: (v) => (parseResourceId(v, type) ? undefined : `not a resource id of ${type}: use ${resourceIdShape(type)}`),
  };
}

export function argsOf(c: CommandSpec): readonly ArgSpec[] {
  const args = c.tenantScoped ? [...c.args, TENANT_ARG] : [...c.args];
  if (!c.ids) return args;
  const parts = idParts(c);
  return [
    ...args.map((a) => (parts.includes(a.dest) && a.required ? { ...a, required: false, requiredUnlessIds: true } : a)),
    idsArg(c.ids.type),
  ];
}
