/**
 * The Python semantics knack's formatters and jmespath depend on, for JSON-like data: `str()`,
 * `repr()`, float repr, code-point string order and length, `strip`/`splitlines`, and the
 * OrderedDicts a `--query` multiselect-hash creates (knack's `Options(dict_cls=OrderedDict)`).
 */

/** Python's whitespace (`str.isspace()`, `\s` in str patterns), as a regex character-class body. */
export const PY_WHITESPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Objects made by a multiselect-hash -> their keys in query order (JS would move integer-like keys first). */
const ORDERED_DICTS = new WeakMap<object, string[]>();

/** Record `obj` as a Python OrderedDict whose keys are `keys`, in that order. */
export function markOrderedDict(obj: object, keys: string[]): void {
  ORDERED_DICTS.set(obj, keys);
}

/** Whether `obj` is a query-made OrderedDict (tsv keeps its order; plain dicts are sorted). */
export function isOrderedDict(obj: object): boolean {
  return ORDERED_DICTS.has(obj);
}

/** The keys in Python's insertion order. */
export function insertionKeys(obj: Record<string, unknown>): string[] {
  return ORDERED_DICTS.get(obj) ?? Object.keys(obj);
}

/** The keys as Python's `sorted()` orders them. */
export function sortedKeys(obj: Record<string, unknown>): string[] {
  return Object.keys(obj).sort(compareCodePoints);
}

/** Compare strings by Unicode code point (Python's str ordering), not UTF-16 code unit. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      const pa = a.codePointAt(i)!;
      const pb = b.codePointAt(i)!;
      return pa < pb ? -1 : pa > pb ? 1 : ca < cb ? -1 : 1;
    }
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Python `len(str)`: code points, not UTF-16 units. */
export function cpLen(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Whether a JSON number reads as a Python int (JSON data carries no `2.0`). */
export function isPyInt(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 1e21;
}

/** Python `str()` of a number that came from JSON: integers print as ints, the rest as float repr. */
export function pyNumberStr(n: number): string {
  return isPyInt(n) ? (Object.is(n, -0) ? '0' : String(n)) : pyFloatRepr(n);
}

/** Python `repr(float)`: shortest round-trip digits, exponent form when exp < -4 or exp >= 16. */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(n.toExponential())!;
  const [, sign, lead, frac = '', expText] = m;
  const exp = Number(expText);
  const digits = lead + frac;
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const fracPart = digits.slice(exp + 1) || '0';
      return `${sign}${intPart}.${fracPart}`;
    }
    return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  const mantissa = frac ? `${lead}.${frac}` : lead;
  return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** Upper-case hex of a code point, zero-padded to `width`. */
export function hex(cp: number, width: number): string {
  return cp.toString(16).toUpperCase().padStart(width, '0');
}

/** Python `str()` for JSON-like values. */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  return pyRepr(value);
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python `repr()` for JSON-like values (dicts in insertion order). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumberStr(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return pyStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown> & { jmespathType?: unknown };
    if (obj.jmespathType === 'Expref') return '<jmespath.visitor._Expression object>';
    return `{${insertionKeys(obj)
      .map((k) => `${pyRepr(k)}: ${pyRepr(obj[k])}`)
      .join(', ')}}`;
  }
  return String(value);
}

function pyStringRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2).toLowerCase()}`;
    else if (cp < 0x7f || (ch !== ' ' && !NON_PRINTABLE.test(ch))) out += ch;
    else if (cp <= 0xff) out += `\\x${hex(cp, 2).toLowerCase()}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4).toLowerCase()}`;
    else out += `\\U${hex(cp, 8).toLowerCase()}`;
  }
  return out + quote;
}

const PY_LSTRIP = new RegExp(`^[${PY_WHITESPACE}]+`);
const PY_RSTRIP = new RegExp(`[${PY_WHITESPACE}]+$`);

/** Python `str.strip()`. */
export function pyStrip(s: string): string {
  return s.replace(PY_LSTRIP, '').replace(PY_RSTRIP, '');
}

/** Python `str.rstrip()`. */
export function pyRstrip(s: string): string {
  return s.replace(PY_RSTRIP, '');
}

/** Python `str.splitlines()`. */
export function pySplitlines(s: string): string[] {
  if (!s) return [];
  const parts = s.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}
