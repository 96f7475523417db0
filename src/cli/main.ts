/**
 * The `latch` CLI entry: one invocation = knack's pipeline (spec/cli-conventions.md §1): log-level
 * pre-scan → resolve command words → parse options (usage errors exit 2, `-h` prints help) →
 * handler → `--query` → `--output` formatter → stdout. Errors go to stderr as `ERROR: …` with exit
 * codes 0 ok, 1 error, 2 usage, 3 not found. Runs in-process (tests) or from `index.ts`.
 */
import { applyQuery, CliError, exitCodeOf, formatErrorLine, render } from './output/index.js';
import { Logger, logLevelFromArgv } from './log.js';
import { buildTree, parseArgs, resolve, wantsHelp, type GroupNode } from './parser.js';
import { commandHelp, groupHelp } from './help.js';
import { ProfileStore } from './profile.js';
import { ApiClient, resolveTenant } from './client.js';
import type { CommandContext, CommandSpec } from './command-table.js';
import { parseResourceId } from './resource-id.js';
import { MODULES } from './commands/index.js';
import { readAll, readHidden, type Input } from './prompt.js';
import { withStoredSettings } from './settings.js';

export interface Writer {
  write(chunk: string): unknown;
}

export interface CliIO {
  stdout: Writer;
  stderr: Writer;
  env: Record<string, string | undefined>;
  /** stdout (and stderr) are terminals: jsonc/yamlc colour. */
  isTTY: boolean;
  /** Clock for token expiry decisions (tests); default Date.now. */
  now?: () => number;
  /** Standard input (`--password-stdin`, the password prompt); absent = empty, not a terminal. */
  stdin?: Input;
}

let tree: GroupNode | undefined;
export const commandTree = (): GroupNode => (tree ??= buildTree(MODULES, 'Latch: access-control plane for IoT platforms.'));

const SECRET_OPTIONS = new Set(MODULES.flatMap((m) => m.commands.flatMap((c) => c.args.filter((a) => a.secret).flatMap((a) => a.options))));

function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    if (eq > 0 && SECRET_OPTIONS.has(a.slice(0, eq))) out.push(`${a.slice(0, eq)}=*****`);
    else if (SECRET_OPTIONS.has(a) && i + 1 < argv.length) {
      out.push(a, '*****');
      i++;
    } else out.push(a);
  }
  return out;
}

const pyList = (xs: string[]) => `[${xs.map((x) => `'${x.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;

const truthy = (v: string | undefined) => v !== undefined && v !== '' && !['0', 'false', 'no', 'off'].includes(v.toLowerCase());

export async function main(argv: string[], io: CliIO): Promise<number> {
  const t0 = Date.now();
  const err = (s: string) => void io.stderr.write(s);
  const out = (s: string) => void (s && io.stdout.write(s));
  let env: Record<string, string | undefined>;
  try {
    env = withStoredSettings(io.env, new ProfileStore(io.env).config());
  } catch (e) {
    err(`ERROR: ${(e as Error).message}\n`);
    return 1;
  }
  io = { ...io, env };
  let log: Logger;
  try {
    log = new Logger(err, logLevelFromArgv(argv, env));
  } catch (e) {
    err(`${(e as Error).message}\n`);
    return 1;
  }
  log.debug(`Command arguments: ${pyList(redactArgv(argv))}`, 'cli.latch.cli');
  try {
    const args = argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv[0] === '--version' ? ['version', ...argv.slice(1)] : argv;
    const root = commandTree();
    const r = resolve(root, args);
    if (r.kind === 'group') {
      if (wantsHelp(r.rest) || (r.node === root && r.rest.length === 0)) {
        out(groupHelp(r.node));
        return 0;
      }
      err(groupHelp(r.node));
      return 2;
    }
    const parsed = parseArgs(r.spec, r.rest, env.LATCH_CORE_OUTPUT || 'json');
    if (parsed.help) {
      out(commandHelp(r.spec));
      return 0;
    }
    for (const w of parsed.warnings) log.warning(w);
    const t1 = Date.now();
    const ctx = makeContext(parsed.values, io, log);
    ctx.output = parsed.output;
    let result = await runHandler(r.spec, parsed.values, ctx, io, log);
    if (parsed.query) result = applyQuery(result, parsed.query);
    const color = io.isTTY && !truthy(env.LATCH_CORE_NO_COLOR) && env.NO_COLOR === undefined;
    out(render(result, parsed.output, { queryActive: parsed.query !== undefined, isTTY: color }));
    const t2 = Date.now();
    log.info(
      `Command ran in ${((t2 - t0) / 1000).toFixed(3)} seconds (init: ${((t1 - t0) / 1000).toFixed(3)}, invoke: ${((t2 - t1) / 1000).toFixed(3)})`,
    );
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      if (e.cause instanceof Error) log.debug(e.cause.stack ?? String(e.cause), 'cli.latch.cli');
      err(formatErrorLine(e));
    } else {
      err(`ERROR: The command failed with an unexpected error. Here is the traceback:\n${(e as Error)?.stack ?? String(e)}\n`);
    }
    return exitCodeOf(e);
  }
}

/**
 * The handler once; with `--ids`, once per resource id (its name, resource group and subscription
 * as the args), in order: one id prints its result, several print the list of results.
 */
async function runHandler(
  spec: CommandSpec,
  values: Record<string, unknown>,
  ctx: CommandContext,
  io: CliIO,
  log: Logger,
): Promise<unknown> {
  const ids = values.ids as string[] | undefined;
  if (!spec.ids || ids === undefined) return spec.handler(ctx);
  const results: unknown[] = [];
  for (const id of ids) {
    const r = parseResourceId(id, spec.ids.type)!;
    const args = { ...values, [spec.ids.name]: r.name, resourceGroup: r.resourceGroup, tenant: r.subscription };
    results.push(await spec.handler({ ...makeContext(args, io, log), output: ctx.output }));
  }
  const shown = results.filter((x) => x !== null && x !== undefined);
  return ids.length === 1 ? results[0] : shown.length ? shown : null;
}

function makeContext(args: Record<string, unknown>, io: CliIO, log: Logger): CommandContext {
  const profiles = new ProfileStore(io.env);
  const now = io.now ?? Date.now;
  let client: ApiClient | undefined;
  const ctx: CommandContext = {
    args,
    env: io.env,
    log,
    profiles,
    now,
    output: 'json',
    async client() {
      if (client) return client;
      const p = profiles.load();
      if (!p) throw new CliError("Please run 'latch iam login' to setup account.");
      return (client = new ApiClient(p, profiles, log, now));
    },
    async tenant() {
      const c = await ctx.client();
      const given = (args.tenant as string | undefined) ?? (io.env.LATCH_DEFAULTS_TENANT || undefined);
      return given === undefined ? c.current.tenantId : (await resolveTenant(c, given)).id;
    },
    warn: (m) => log.warning(m),
    stderr: (t) => void io.stderr.write(t),
    stdout: (t) => void io.stdout.write(t),
    stdin: {
      isTTY: !!io.stdin?.isTTY,
      read: async () => (io.stdin ? readAll(io.stdin) : ''),
      readSecret: (prompt) => readHidden(io.stdin!, (t) => void io.stderr.write(t), prompt),
    },
  };
  return ctx;
}
