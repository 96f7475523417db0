/**
 * The one text rule for every string the store receives: no NUL (PostgreSQL refuses it in text and
 * jsonb, SQLite truncates it in places) and no lone UTF-16 surrogate (not encodable as UTF-8: SQLite
 * would store invalid UTF-8, PostgreSQL refuses it). The same input gets the same answer on both
 * dialects because neither ever sees it. Applies to object keys as well as values.
 */

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isStorableText(s: string): boolean {
  return !s.includes('\u0000') && !LONE_SURROGATE.test(s);
}

/**
 * JSON nesting deeper than this is refused (objects and arrays count one level each). Generous for
 * any real asset-type data model, and far below what would exhaust the stack of JSON.stringify or
 * a recursive walk.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The path (`a.b[2]`) of the first string or key in `value` that breaks the text rule, or
 * undefined. Iterative, so a deep value cannot overflow the stack.
 */
export function findInvalidText(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (!isStorableText(v)) return path;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], `${path}[${i}]`]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        const at = path ? `${path}.${k}` : k;
        if (!isStorableText(k)) return path || '(key)';
        stack.push([item, at]);
      }
    }
  }
  return undefined;
}

/**
 * How deeply the JSON text nests (objects and arrays), counted without parsing it, stopping once
 * past `limit`. Brackets inside strings do not count.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * Length bounds for free-text fields that a further rule checks (an id or name pattern, a rights
 * list, an enum-like value, a timestamp): the schema refuses anything longer before that rule runs,
 * so no input of any size is ever stored, echoed or listed.
 */
export const MAX_ID_TEXT = 256;
export const MAX_SHORT_TEXT = 64;
/** ARM `location` (Azure region names are short: "westus2", "South Central US"). */
export const MAX_LOCATION = 128;
/** Any single string field of the token endpoint (passwords are bounded at 1024 on creation). */
export const MAX_CREDENTIAL_TEXT = 4096;
