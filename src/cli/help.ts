/**
 * knack-style help text (spec/cli-conventions.md §5): `Command`/`Group` heading, `Arguments`
 * (required first, then alphabetical; aliases space-separated), `Global Arguments`, `Examples`.
 */
import { argsOf, deprecationMessage, type ArgSpec, type CommandSpec } from './command-table.js';
import { GLOBAL_ARGS, PROG, type GroupNode } from './parser.js';
import { ENVIRONMENT } from './settings.js';

const INDENT = '    ';
const WIDTH = 100;

function wrap(text: string, first: string, hanging: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = first;
  let fresh = true;
  for (const w of words) {
    if (!fresh && line.length + 1 + w.length > WIDTH) {
      lines.push(line);
      line = ' '.repeat(hanging) + w;
    } else line += (fresh ? '' : ' ') + w;
    fresh = false;
  }
  lines.push(line);
  return lines;
}

function argKey(a: ArgSpec): string {
  return a.options[0].replace(/^-+/, '');
}

function argLines(args: readonly ArgSpec[], width: number): string[] {
  const out: string[] = [];
  for (const a of args) {
    const names = [a.options[0], ...a.options.slice(1).sort()].join(' ');
    const tag = a.required ? ' [Required]' : a.deprecated ? ' [Deprecated]' : '';
    const left = `${INDENT}${(names + tag).padEnd(width)} : `;
    let help = a.help;
    if (a.choices) help += `  Allowed values: ${a.choices.join(', ')}.`;
    out.push(...wrap(help, left, left.length));
    if (a.deprecated) out.push(...wrap(deprecationMessage(a), ' '.repeat(left.length), left.length));
  }
  return out;
}

const labelWidth = (args: readonly ArgSpec[]) =>
  Math.max(...args.map((a) => a.options.join(' ').length + (a.required ? 11 : a.deprecated ? 13 : 0)));

export function commandHelp(spec: CommandSpec): string {
  const args = [...argsOf(spec)].sort((x, y) => Number(!!y.required) - Number(!!x.required) || argKey(x).localeCompare(argKey(y)));
  const width = labelWidth([...args, ...GLOBAL_ARGS]);
  const lines = ['', 'Command', ...wrap(spec.summary, `${INDENT}${PROG} ${spec.name} : `, 8)];
  if (spec.description) lines.push(...wrap(spec.description, INDENT + INDENT, 8));
  if (args.length) lines.push('', 'Arguments', ...argLines(args, width));
  lines.push('', 'Global Arguments', ...argLines(GLOBAL_ARGS, width));
  if (spec.examples?.length) {
    lines.push('', 'Examples');
    for (const ex of spec.examples) lines.push(`${INDENT}${ex.name}`, `${INDENT}${INDENT}${ex.text}`, '');
    lines.pop();
  }
  lines.push('', '');
  return lines.join('\n');
}

export function groupHelp(node: GroupNode): string {
  const prog = node.name ? `${PROG} ${node.name}` : PROG;
  const lines = ['', 'Group', ...wrap(node.summary, `${INDENT}${prog} : `, 8)];
  if (node.description) lines.push(...wrap(node.description, INDENT + INDENT, 8));
  const entries = [...node.children.entries()].sort(([a], [b]) => a.localeCompare(b));
  const groups = entries.filter(([, c]) => c.kind === 'group');
  const commands = entries.filter(([, c]) => c.kind === 'command');
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  const list = (items: typeof entries) =>
    items.flatMap(([k, c]) =>
      wrap(c.kind === 'group' ? c.summary : c.spec.summary, `${INDENT}${k.padEnd(width)} : `, INDENT.length + width + 3),
    );
  if (groups.length) lines.push('', 'Subgroups:', ...list(groups));
  if (commands.length) lines.push('', 'Commands:', ...list(commands));
  if (!node.name) {
    const w = Math.max(...ENVIRONMENT.map((e) => e.name.length));
    lines.push(
      '',
      'Environment variables:',
      ...ENVIRONMENT.flatMap((e) => wrap(e.help, `${INDENT}${e.name.padEnd(w)} : `, INDENT.length + w + 3)),
    );
    lines.push('', "Server settings (LATCH_DATABASE_URL, LATCH_PORT, …): see 'latch serve --help'.");
  }
  lines.push('', `For more specific examples, use: ${prog} <command> --help`, '');
  return lines.join('\n');
}
