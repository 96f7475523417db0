/**
 * table: knack `format_table` (`_TableOutput` over tabulate 0.8.9 `simple`, disable_numparse).
 */
import { CliError } from './errors.js';
import { cpLen, insertionKeys, isPlainObject, pyRstrip, pySplitlines, pyStr, pyStrip, sortedKeys } from './python-compat.js';

export const TABLE_UNAVAILABLE =
  'Table output unavailable. Use the --query option to specify an appropriate query. Use --debug for more info.';

const TABLE_SKIP_KEYS = ['id', 'type', 'etag'];

/**
 * knack `format_table`: rows sorted by key unless a query is active, `id`/`type`/`etag` and
 * null/list/object cells dropped; any failure is the knack "Table output unavailable" CliError.
 */
export function formatTable(data: unknown, opts: { queryActive: boolean }): string {
  try {
    const rows = (Array.isArray(data) ? data : [data]).map((item) => tableRow(item, !opts.queryActive));
    const table = rows.length ? tabulateSimple(rows) : '';
    if (table === '\n') throw new Error('Unable to extract fields for table.');
    return `${table}\n`;
  } catch (err) {
    throw new CliError(TABLE_UNAVAILABLE, { cause: err });
  }
}

function tableRow(item: unknown, sortKeys: boolean): Map<string, unknown> {
  const entry = new Map<string, unknown>();
  if (isPlainObject(item)) {
    const keys = sortKeys ? sortedKeys(item) : insertionKeys(item);
    for (const k of keys) {
      if (TABLE_SKIP_KEYS.includes(k)) continue;
      const v = item[k];
      if (v !== null && v !== undefined && typeof v !== 'object') entry.set(capitalizeFirst(k), v);
    }
  } else if (Array.isArray(item)) {
    item.forEach((v, i) => entry.set(`Column${i + 1}`, v));
  } else {
    entry.set('Result', item);
  }
  return entry;
}

function capitalizeFirst(s: string): string {
  if (!s) return s;
  const first = String.fromCodePoint(s.codePointAt(0)!);
  return first.toUpperCase() + s.slice(first.length);
}

const INVISIBLE_CODES = /\x1b\[\d+[;\d]*m|\x1b\[\d*;\d*;\d*m|\x1b\]8;;[^\n]*?\x1b\\/g;
const INVISIBLE_LINK = /\x1b]8;[a-zA-Z0-9:]*;[^\x1b]+\x1b\\([^\x1b]+)\x1b]8;;\x1b\\/g;

function stripInvisible(s: string): string {
  return s.replace(INVISIBLE_LINK, '$1').replace(INVISIBLE_CODES, '');
}

/** tabulate(rows, headers="keys", tablefmt="simple", disable_numparse=True) for left-aligned text. */
function tabulateSimple(rows: Map<string, unknown>[]): string {
  const headers: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const k of row.keys()) {
      if (!seen.has(k)) {
        seen.add(k);
        headers.push(k);
      }
    }
  }
  if (!headers.length) return '';
  const raw = rows.map((row) => headers.map((h) => (row.has(h) ? row.get(h) : null)));
  const plain = [headers.join('\t'), ...raw.map((r) => r.map((v) => pyStr(v)).join('\t'))].join('\t');
  const hasInvisible = new RegExp(INVISIBLE_CODES.source).test(plain);
  const multiline = /[\r\n]/.test(plain);
  const lineWidth = (s: string) => cpLen(hasInvisible ? stripInvisible(s) : s);
  const widthFn = (s: string) => (multiline ? Math.max(...s.split(/[\r\n]/).map(lineWidth)) : lineWidth(s));

  const columns = headers.map((header, c) => {
    const strings = raw.map((r) => (r[c] === null || r[c] === undefined ? '' : pyStr(r[c]))).map(pyStrip);
    const minwidth = widthFn(header) + 2;
    const widths = strings.map((s) => (multiline ? s.split(/[\r\n]/).map(lineWidth) : [lineWidth(s)]));
    const maxwidth = Math.max(minwidth, ...widths.flat());
    let padded: string[];
    if (multiline) {
      padded = strings.map((ms, idx) => {
        if (!hasInvisible)
          return pySplitlines(ms)
            .map((l) => padRight(maxwidth, l))
            .join('\n');
        const lens = ms.split(/[\r\n]/).map(cpLen);
        const lines = pySplitlines(ms);
        const n = Math.min(lines.length, lens.length);
        const out: string[] = [];
        for (let k = 0; k < n; k++) out.push(padRight(maxwidth - (widths[idx][k] - lens[k]), lines[k]));
        return out.join('\n');
      });
    } else {
      padded = strings.map((s, idx) => padRight(hasInvisible ? maxwidth - (widths[idx][0] - cpLen(s)) : maxwidth, s));
    }
    const colwidth = Math.max(minwidth, ...padded.map(widthFn));
    const alignHeader = (h: string) => padRight(colwidth + (cpLen(h) - lineWidth(h)), h);
    const paddedHeader = multiline
      ? header
          .split(/\r|\n|\r\n/)
          .map(alignHeader)
          .join('\n')
      : alignHeader(header);
    return { padded, colwidth, paddedHeader };
  });

  const widths = columns.map((c) => c.colwidth);
  const buildRow = (cells: string[]) => pyRstrip(cells.join('  '));
  const lines: string[] = [];
  const appendRow = (cells: string[]) => {
    if (!multiline) {
      lines.push(buildRow(cells));
      return;
    }
    const cellLines = cells.map((c) => pySplitlines(c));
    const n = Math.max(...cellLines.map((l) => l.length));
    for (let i = 0; i < n; i++) lines.push(buildRow(cellLines.map((l, c) => l[i] ?? ' '.repeat(widths[c]))));
  };
  appendRow(columns.map((c) => c.paddedHeader));
  lines.push(buildRow(widths.map((w) => '-'.repeat(w))));
  for (let r = 0; r < rows.length; r++) appendRow(columns.map((c) => c.padded[r]));
  return lines.join('\n');
}

function padRight(width: number, s: string): string {
  const n = cpLen(s);
  return n >= width ? s : s + ' '.repeat(width - n);
}
