/**
 * json (knack `format_json`) and jsonc (the same text as Pygments' JsonLexer + TerminalFormatter
 * colour it). Also Python `json.dumps` in the compact form jmespath's `to_string()` uses.
 */
import { insertionKeys, pyNumberStr, sortedKeys } from './python-compat.js';

/** `json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False, separators=(',', ': ')) + "\n"`. */
export function formatJson(data: unknown): string {
  return `${pyJsonDumps(data, { compact: false })}\n`;
}

/**
 * Python `json.dumps`: pretty = (indent=2, sort_keys=True, ensure_ascii=False), compact =
 * (separators=(',', ':'), ensure_ascii=True, insertion order) as used by jmespath's to_string().
 */
export function pyJsonDumps(value: unknown, { compact }: { compact: boolean }): string {
  const str = (s: string): string => {
    const json = JSON.stringify(s);
    return compact ? json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
  };
  const walk = (v: unknown, level: number): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return pyJsonNumber(v);
    if (typeof v === 'string') return str(v);
    if (typeof v === 'bigint') return v.toString();
    const inner = compact ? '' : `\n${'  '.repeat(level + 1)}`;
    const outer = compact ? '' : `\n${'  '.repeat(level)}`;
    if (Array.isArray(v)) {
      if (!v.length) return '[]';
      return `[${v.map((item) => inner + walk(item, level + 1)).join(',')}${outer}]`;
    }
    const obj = v as Record<string, unknown>;
    const keys = compact ? insertionKeys(obj) : sortedKeys(obj);
    if (!keys.length) return '{}';
    const colon = compact ? ':' : ': ';
    return `{${keys.map((k) => `${inner}${str(k)}${colon}${walk(obj[k], level + 1)}`).join(',')}${outer}}`;
  };
  return walk(value, 0);
}

function pyJsonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return pyNumberStr(n);
}

// ANSI codes Pygments 2.14 TerminalFormatter uses (shared with yamlc).
export const RESET = '\x1b[39;49;00m';
export const C_KEY = '\x1b[94m';
export const C_STRING = '\x1b[33m';
export const C_LITERAL = '\x1b[34m';
export const C_WS = '\x1b[37m';
export const C_SPACE_IN_QUOTES = '\x1b[31m';
export const C_DOC_END = '\x1b[04m\x1b[36m';

export function ansi(code: string, text: string): string {
  return `${code}${text}${RESET}`;
}

/** TerminalFormatter output for a token: coloured per line, newlines kept outside the colour codes. */
export function colorToken(code: string | null, text: string): string {
  if (!text) return '';
  let out = '';
  // Python's value.splitlines(True): lines end at any Unicode line boundary, only '\n' is re-emitted raw.
  for (const line of text.match(/[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]|$)/g)!) {
    if (!line) continue;
    const body = line.replace(/\n+$/, '');
    out += code ? ansi(code, body) : body;
    if (line.endsWith('\n')) out += '\n';
  }
  return out;
}

/** jsonc on a TTY: the json text coloured as Pygments 2.14 JsonLexer + TerminalFormatter do. */
export function colorizeJson(text: string): string {
  const token = /(\s+)|("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|-?Infinity)|([\s\S])/g;
  let out = '';
  for (let m = token.exec(text); m; m = token.exec(text)) {
    if (m[1] !== undefined) out += colorToken(C_WS, m[1]);
    else if (m[2] !== undefined) {
      if (m[3] !== undefined) {
        // key: string, optional whitespace, then the ':' punctuation
        const ws = m[3].slice(0, -1);
        out += colorToken(C_KEY, m[2]) + colorToken(C_WS, ws) + ':';
      } else out += colorToken(C_STRING, m[2]);
    } else if (m[4] !== undefined) out += ansi(C_LITERAL, m[4]);
    else out += m[5];
  }
  return out;
}
