/**
 * yaml: knack `format_yaml`, i.e. PyYAML 6.0 `safe_dump(default_flow_style=False, allow_unicode=True)`,
 * built with js-yaml's AST API (jsToAst → our PyYAML-style pass → present) plus a post-pass for
 * what js-yaml writes differently from PyYAML (spec §2.3):
 *   - keys are sorted by code point and every string gets the style PyYAML would choose (so `n`,
 *     `y` stay plain, `'123'`/`'yes'`/timestamps are single-quoted, specials double-quoted);
 *   - strings PyYAML folds at 80 columns or writes across lines, double-quoted strings and keys
 *     of 128+ characters (PyYAML's `? key` form) are written by ./yaml-scalars.js in the post-pass,
 *     instead of js-yaml's `|-`/`>-` block scalars;
 *   - floats in Python repr (`1.0e-07`), anchors named and placed like PyYAML (`&id001`), and
 *     `...` after a top-level plain scalar.
 * yamlc colours the same text with a small tokenizer (./yamlc.js).
 */
import { DUMP_SCHEMA, jsToAst, present, SCALAR_STYLE, type Node, type ScalarNode } from 'js-yaml';

import { compareCodePoints, cpLen, isPyInt, pyFloatRepr } from './python-compat.js';
import { analyzeScalar, chooseStyle, resolvesToNonString, writeScalar, YAML_BREAKS, type PyScalarStyle } from './yaml-scalars.js';

const STR = 'tag:yaml.org,2002:str';
const FLOAT = 'tag:yaml.org,2002:float';
const INT = 'tag:yaml.org,2002:int';

interface Pending {
  text: string;
  style: PyScalarStyle;
  key: boolean;
  complexKey: boolean;
}

const PLACEHOLDER = /LATCHYAMLSCALAR(\d+)X/g;

/** The PyYAML `safe_dump` text of `data` (JSON-like). */
export function formatYaml(data: unknown): string {
  const documents = jsToAst(data, DUMP_SCHEMA);
  const root = documents[0]?.contents;
  if (!root) return '';
  const pending: Pending[] = [];
  sortMappings(root);
  placeAnchors(root);
  forEachScalar(root, false, (node, key) => styleScalar(node, key, pending));
  let text = present(documents, {
    schema: DUMP_SCHEMA,
    seqNoIndent: true,
    lineWidth: -1,
    scalarStyleRules: [(layout) => void (layout.style = layout.node.style)],
  });
  text = fillPlaceholders(text, pending);
  if (pending.some((p) => p.complexKey)) text = inlineComplexValues(text);
  // PyYAML leaves a document open-ended after a top-level plain scalar and closes it with `...`.
  const rootDeferred = root.kind === 'scalar' && root.tag === STR && pending.length === 1 && !pending[0].key;
  const rootPlain = root.kind === 'scalar' && (rootDeferred ? pending[0].style === 'plain' : root.style === SCALAR_STYLE.PLAIN);
  return rootPlain ? `${text}...\n` : text;
}

function keyText(node: Node): string {
  return node.kind === 'scalar' ? node.value : '';
}

function sortMappings(node: Node): void {
  if (node.kind === 'mapping') {
    node.items.sort((a, b) => compareCodePoints(keyText(a.key), keyText(b.key)));
    for (const item of node.items) sortMappings(item.value);
  } else if (node.kind === 'sequence') {
    for (const item of node.items) sortMappings(item);
  }
}

/**
 * PyYAML anchors a shared object where it first appears in sorted order and numbers anchors
 * `id001`… in the order their first alias is met; js-yaml anchors in insertion order as `ref_N`.
 */
function placeAnchors(root: Node): void {
  const slots = new Map<string, { node: Node; set: (n: Node) => void }>();
  const walk = (node: Node, set: (n: Node) => void, fn: (node: Node, set: (n: Node) => void) => void): void => {
    fn(node, set);
    const current = node;
    if (current.kind === 'mapping') current.items.forEach((item) => walk(item.value, (n) => (item.value = n), fn));
    else if (current.kind === 'sequence') current.items.forEach((item, i) => walk(item, (n) => (current.items[i] = n), fn));
  };
  walk(
    root,
    () => {},
    (node, set) => {
      if (node.kind !== 'alias' && node.anchor) slots.set(node.anchor, { node, set });
    },
  );
  if (!slots.size) return;
  const defined = new Set<string>();
  const ids = new Map<string, string>();
  walk(
    root,
    () => {},
    (node, set) => {
      if (node.kind !== 'alias') {
        if (node.anchor) defined.add(node.anchor);
        return;
      }
      if (!defined.has(node.anchor)) {
        // the alias comes first in sorted order: the definition moves here, an alias goes there
        const slot = slots.get(node.anchor)!;
        slot.set(node);
        set(slot.node);
        defined.add(node.anchor);
        return;
      }
      if (!ids.has(node.anchor)) ids.set(node.anchor, `id${String(ids.size + 1).padStart(3, '0')}`);
    },
  );
  walk(
    root,
    () => {},
    (node) => {
      if (node.kind === 'alias') node.anchor = ids.get(node.anchor) ?? node.anchor;
      else if (node.anchor) node.anchor = ids.get(node.anchor) ?? node.anchor;
    },
  );
}

function forEachScalar(node: Node, key: boolean, fn: (node: ScalarNode, key: boolean) => void): void {
  if (node.kind === 'scalar') fn(node, key);
  else if (node.kind === 'sequence') node.items.forEach((item) => forEachScalar(item, false, fn));
  else if (node.kind === 'mapping') {
    for (const item of node.items) {
      forEachScalar(item.key, true, fn);
      forEachScalar(item.value, false, fn);
    }
  }
}

/** PyYAML's representation of a float: repr, lower-case, with `.0` before a bare exponent. */
function pyYamlFloat(value: number): string {
  if (isPyInt(value)) return String(value);
  const repr = pyFloatRepr(value).toLowerCase();
  return !repr.includes('.') && repr.includes('e') ? repr.replace('e', '.0e') : repr;
}

function styleScalar(node: ScalarNode, key: boolean, pending: Pending[]): void {
  if (node.tag === FLOAT || node.tag === INT) node.value = pyYamlFloat(Number(node.value));
  if (node.tag !== STR) {
    node.style = SCALAR_STYLE.PLAIN;
    return;
  }
  const text = node.value;
  const analysis = analyzeScalar(text);
  const complexKey = key && (cpLen(text) >= 128 || analysis.empty || analysis.multiline);
  const style = chooseStyle(analysis, !resolvesToNonString(text), key && !complexKey);
  const mayBreak = !key && (text.includes(' ') || [...YAML_BREAKS].some((br) => text.includes(br)));
  if (style === 'plain' && !mayBreak && !complexKey) node.style = SCALAR_STYLE.PLAIN;
  else if (style === "'" && !mayBreak && !complexKey) node.style = SCALAR_STYLE.SINGLE_QUOTED;
  else {
    pending.push({ text, style, key, complexKey });
    node.value = `LATCHYAMLSCALAR${pending.length - 1}X`;
    node.style = SCALAR_STYLE.PLAIN;
  }
}

/** Write each deferred scalar where js-yaml left its placeholder, folded as PyYAML folds it. */
function fillPlaceholders(text: string, pending: Pending[]): string {
  if (!pending.length) return text;
  let out = '';
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const at = m.index;
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const gap = text.slice(last, at);
    const before = gap.includes('\n') ? gap.slice(gap.lastIndexOf('\n') + 1) : out.slice(out.lastIndexOf('\n') + 1) + gap;
    const item = pending[Number(m[1])];
    const [, spaces, dashes, rest] = /^( *)((?:- )*)(.*)$/s.exec(text.slice(lineStart, at))!;
    const column = cpLen(before);
    let indent: number;
    if (rest) indent = spaces.length + dashes.length + 2;
    else if (dashes) indent = column;
    else indent = 2; // top-level scalar (PyYAML's increase_indent(flow=True) from None)
    out += text.slice(last, at);
    if (item.complexKey) {
      const keyIndent = spaces.length + dashes.length;
      out += `? ${writeScalar(item.text, item.style, column + 2, keyIndent + 2, true)}\n${' '.repeat(keyIndent)}`;
      // js-yaml wrote `PH:`; PyYAML's value indicator follows on the next line as `: `
    } else {
      out += writeScalar(item.text, item.style, column, indent, !item.key);
    }
    last = at + m[0].length;
  }
  return out + text.slice(last);
}

/**
 * After `? key`, PyYAML starts a collection value on the `: ` line (`: - a` / `: k: v`) and indents
 * a sequence under it; js-yaml writes `:` alone and the collection below.
 */
function inlineComplexValues(text: string): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length - 1; i++) {
    const m = /^( *):$/.exec(lines[i]);
    if (!m) continue;
    const indent = m[1].length;
    if (lines[i + 1].startsWith(`${m[1]}- `)) {
      for (let j = i + 1; j < lines.length; j++) {
        const line = lines[j];
        const lead = line.length - line.trimStart().length;
        if (line && !(lead > indent || (lead === indent && line.startsWith(`${m[1]}- `)))) break;
        if (line) lines[j] = `  ${line}`;
      }
    }
    lines[i] = `${m[1]}: ${lines[i + 1].slice(indent + 2)}`;
    lines.splice(i + 1, 1);
  }
  return lines.join('\n');
}
