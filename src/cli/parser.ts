/**
 * argparse/knack parsing over the command table (spec/cli-conventions.md §1, §5, §6, §8):
 * command words first, then options in any order, global options accepted anywhere after the
 * command words. `--opt value`, `--opt=value`, `-xVALUE`, unambiguous long-option prefixes,
 * last occurrence wins (repeatable options accumulate). Usage errors are CliUsageError (exit 2)
 * with argparse's texts; `-h/--help` short-circuits every check.
 */
import {
  CliUsageError,
  compileQuery,
  getCloseMatches,
  OUTPUT_FORMATS,
  parseOutputFormat,
  type CompiledQuery,
  type OutputFormat,
} from './output/index.js';
import {
  argsOf,
  deprecationMessage,
  idParts,
  type ArgSpec,
  type CommandModule,
  type CommandSpec,
  type GroupSpec,
} from './command-table.js';

export const PROG = 'latch';

export const GLOBAL_ARGS: readonly ArgSpec[] = [
  { dest: '_debug', options: ['--debug'], flag: true, help: 'Increase logging verbosity to show all debug logs.' },
  { dest: '_help', options: ['--help', '-h'], flag: true, help: 'Show this help message and exit.' },
  { dest: '_onlyShowErrors', options: ['--only-show-errors'], flag: true, help: 'Only show errors, suppressing warnings.' },
  {
    dest: '_output',
    options: ['--output', '-o'],
    metavar: 'FORMAT',
    help: `Output format.  Allowed values: ${[...OUTPUT_FORMATS].sort().join(', ')}.  Default: json.`,
  },
  {
    dest: '_query',
    options: ['--query'],
    metavar: 'JMESPATH',
    help: 'JMESPath query string. See http://jmespath.org/ for more information and examples.',
  },
  { dest: '_verbose', options: ['--verbose'], flag: true, help: 'Increase logging verbosity. Use --debug for full debug logs.' },
];

export interface GroupNode {
  kind: 'group';
  /** Words after `latch` ('' for the root). */
  name: string;
  summary: string;
  description?: string;
  children: Map<string, GroupNode | CommandNode>;
}

export interface CommandNode {
  kind: 'command';
  spec: CommandSpec;
}

/** Build the command tree from the modules; groups without a declaration get an empty summary. */
export function buildTree(modules: readonly CommandModule[], rootSummary: string): GroupNode {
  const root: GroupNode = { kind: 'group', name: '', summary: rootSummary, children: new Map() };
  const group = (words: string[]): GroupNode => {
    let node = root;
    for (let i = 0; i < words.length; i++) {
      let child = node.children.get(words[i]);
      if (!child) {
        child = { kind: 'group', name: words.slice(0, i + 1).join(' '), summary: '', children: new Map() };
        node.children.set(words[i], child);
      }
      if (child.kind !== 'group') throw new Error(`'${words.slice(0, i + 1).join(' ')}' is both a command and a group`);
      node = child;
    }
    return node;
  };
  const declare = (g: GroupSpec) => Object.assign(group(g.name.split(' ')), { summary: g.summary, description: g.description });
  for (const m of modules) for (const g of m.groups ?? []) declare(g);
  for (const m of modules) {
    for (const c of m.commands) {
      const words = c.name.split(' ');
      const parent = group(words.slice(0, -1));
      const last = words[words.length - 1];
      if (parent.children.has(last)) throw new Error(`Command '${c.name}' is declared twice`);
      parent.children.set(last, { kind: 'command', spec: c });
    }
  }
  return root;
}

export type Resolution = { kind: 'group'; node: GroupNode; rest: string[] } | { kind: 'command'; spec: CommandSpec; rest: string[] };

/** Walk the command words; an unknown word is a usage error with a `Did you mean` hint. */
export function resolve(root: GroupNode, argv: readonly string[]): Resolution {
  let node: GroupNode = root;
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i];
    if (word.startsWith('-')) break;
    const child = node.children.get(word);
    if (!child) {
      const close = getCloseMatches(word, [...node.children.keys()], 1, 0.7);
      throw new CliUsageError(`'${word}' is misspelled or not recognized by the system.`, {
        recommendations: close.length ? [`Did you mean '${close[0]}' ?`] : [],
      });
    }
    if (child.kind === 'command') return { kind: 'command', spec: child.spec, rest: argv.slice(i + 1) };
    node = child;
  }
  return { kind: 'group', node, rest: argv.slice(i) };
}

export interface Parsed {
  help: boolean;
  values: Record<string, unknown>;
  output: OutputFormat;
  query: CompiledQuery | undefined;
  /** knack's deprecation warnings for the deprecated arguments that were given, in order. */
  warnings: string[];
}

export const optionNames = (a: ArgSpec): string => a.options.join('/');

const isHelp = (t: string) => t === '-h' || (t.startsWith('--') && t.length > 3 && '--help'.startsWith(t));

/** Whether any token asks for help (argparse abbreviations of --help included). */
export function wantsHelp(tokens: readonly string[]): boolean {
  return tokens.some(isHelp);
}

function looksLikeOption(t: string): boolean {
  return t.length > 1 && t.startsWith('-') && !/^-\d+(\.\d+)?$/.test(t);
}

/** Parse the options of one command. `defaultOutput` comes from LATCH_CORE_OUTPUT (or json). */
export function parseArgs(spec: CommandSpec, tokens: readonly string[], defaultOutput: string): Parsed {
  const prog = `${PROG} ${spec.name}`;
  const specs = [...argsOf(spec), ...GLOBAL_ARGS];
  if (wantsHelp(tokens)) return { help: true, values: {}, output: 'json', query: undefined, warnings: [] };
  const byOption = new Map<string, ArgSpec>();
  for (const a of specs) for (const o of a.options) byOption.set(o, a);
  const longs = [...byOption.keys()].filter((o) => o.startsWith('--'));

  const lookup = (name: string): ArgSpec | undefined => {
    const exact = byOption.get(name);
    if (exact || !name.startsWith('--')) return exact;
    const hits = longs.filter((o) => o.startsWith(name));
    const distinct = new Set(hits.map((o) => byOption.get(o)));
    if (distinct.size > 1) throw new CliUsageError(`ambiguous option: ${name} could match ${hits.join(', ')}`);
    return hits.length ? byOption.get(hits[0]) : undefined;
  };

  const convert = (a: ArgSpec, raw: string): unknown => {
    if (a.dest === '_output') {
      try {
        return parseOutputFormat(raw);
      } catch (e) {
        throw (e as CliUsageError).withMessage(`${prog}: ${(e as Error).message}`);
      }
    }
    if (a.dest === '_query') return compileQuery(raw);
    if (a.choices && !a.choices.includes(raw)) {
      const close = getCloseMatches(raw, a.choices, 1, 0.7);
      throw new CliUsageError(`${prog}: '${raw}' is not a valid value for '${a.options[0]}'. Allowed values: ${a.choices.join(', ')}.`, {
        recommendations: close.length ? [`Did you mean '${close[0]}' ?`] : [],
      });
    }
    const problem = a.validate?.(raw);
    if (problem) throw new CliUsageError(`argument ${optionNames(a)}: invalid value '${raw}': ${problem}`);
    return raw;
  };

  const values: Record<string, unknown> = {};
  const unrecognized: string[] = [];
  for (let i = 0; i < tokens.length;) {
    const tok = tokens[i];
    if (tok === '--') {
      unrecognized.push(...tokens.slice(i + 1));
      break;
    }
    if (!looksLikeOption(tok)) {
      const bare = specs.find((a) => a.positional && (a.multiple || values[a.dest] === undefined));
      if (bare?.multiple) values[bare.dest] = [...((values[bare.dest] as unknown[] | undefined) ?? []), convert(bare, tok)];
      else if (bare) values[bare.dest] = convert(bare, tok);
      else unrecognized.push(tok);
      i++;
      continue;
    }
    let name = tok;
    let inline: string | undefined;
    const eq = tok.indexOf('=');
    if (eq > 0) {
      name = tok.slice(0, eq);
      inline = tok.slice(eq + 1);
    } else if (!tok.startsWith('--') && tok.length > 2) {
      name = tok.slice(0, 2);
      inline = tok.slice(2);
    }
    const a = lookup(name);
    if (!a) {
      unrecognized.push(tok);
      i++;
      continue;
    }
    i++;
    if (a.flag) {
      if (inline !== undefined) throw new CliUsageError(`argument ${optionNames(a)}: ignored explicit argument '${inline}'`);
      values[a.dest] = true;
      continue;
    }
    const raw: string[] = [];
    if (inline !== undefined) raw.push(inline);
    else {
      while (i < tokens.length && !looksLikeOption(tokens[i]) && tokens[i] !== '--') {
        raw.push(tokens[i++]);
        if (!a.multiple) break;
      }
    }
    if (!raw.length)
      throw new CliUsageError(`argument ${optionNames(a)}: expected ${a.multiple ? 'at least one argument' : 'one argument'}`);
    if (a.multiple) {
      const list = (values[a.dest] as unknown[] | undefined) ?? [];
      for (const r of raw) {
        const parts = a.commaList
          ? r
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : [r];
        for (const p of parts) list.push(convert(a, p));
      }
      values[a.dest] = list;
    } else values[a.dest] = convert(a, raw[0]);
  }

  if (values.ids !== undefined) {
    const clash = specs.find((a) => idParts(spec).includes(a.dest) && values[a.dest] !== undefined);
    if (clash) throw new CliUsageError(`argument --ids: not allowed with argument ${optionNames(clash)}`);
  }
  const needed = (a: ArgSpec) => a.required || (a.requiredUnlessIds && values.ids === undefined);
  const missing = specs.filter((a) => needed(a) && values[a.dest] === undefined);
  if (missing.length) throw new CliUsageError(`the following arguments are required: ${missing.map(optionNames).join(', ')}`);
  if (unrecognized.length) throw new CliUsageError(`unrecognized arguments: ${unrecognized.join(' ')}`);

  let output = values._output as OutputFormat | undefined;
  if (output === undefined) {
    try {
      output = parseOutputFormat(defaultOutput);
    } catch (e) {
      throw (e as CliUsageError).withMessage(`${prog}: ${(e as Error).message}`);
    }
  }
  const warnings = specs.filter((a) => a.deprecated && values[a.dest] !== undefined).map(deprecationMessage);
  return { help: false, values, output, query: values._query as CompiledQuery | undefined, warnings };
}
