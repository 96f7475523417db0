/**
 * tsv: knack `format_tsv` (`_TsvOutput`).
 */
import { insertionKeys, isOrderedDict, isPlainObject, pyStr, sortedKeys } from './python-compat.js';

/** knack `format_tsv`: query-made OrderedDicts keep their order, other objects are sorted by key. */
export function formatTsv(data: unknown): string {
  let out = '';
  for (const item of Array.isArray(data) ? data : [data]) {
    if (Array.isArray(item)) {
      out += item.map(tsvField).join('\t');
    } else if (isPlainObject(item)) {
      const keys = isOrderedDict(item) ? insertionKeys(item) : sortedKeys(item);
      out += keys.map((k) => tsvField(item[k])).join('\t');
    } else if (typeof item === 'boolean') {
      out += item ? 'true' : 'false';
    } else {
      out += tsvField(item);
    }
    out += '\n';
  }
  return out;
}

function tsvField(value: unknown): string {
  if (Array.isArray(value)) return String(value.length);
  if (isPlainObject(value)) return '';
  return typeof value === 'string' ? value : pyStr(value);
}
