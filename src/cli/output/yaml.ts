/**
 * yaml (knack `format_yaml`: PyYAML 6.0 `safe_dump(default_flow_style=False, allow_unicode=True)`)
 * and yamlc (the same text as Pygments' YamlLexer + TerminalFormatter colour it).
 */
import { ansi, C_DOC_END, C_KEY, C_SPACE_IN_QUOTES, C_STRING, C_WS, colorToken } from './json.js';
import { cpLen, hex, isPyInt, pyFloatRepr, pyNumberStr, PY_WHITESPACE, sortedKeys } from './python-compat.js';

/** `yaml.safe_dump(result, default_flow_style=False, allow_unicode=True)` (PyYAML 6.0), ported. */
export function formatYaml(data: unknown): string {
  return emitYaml(data)
    .map((s) => s.text)
    .join('');
}

type SegKind = 'ws' | 'ind' | 'key' | 'plain' | 'sq' | 'dq' | 'anchor' | 'alias' | 'docend';
interface Segment {
  kind: SegKind;
  text: string;
}

// PyYAML's implicit resolvers (yaml/resolver.py): a plain scalar matching one of these is not a str.
const YAML_IMPLICIT: RegExp[] = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
  /^(?:!|&|\*)$/,
];

function resolvesToNonString(value: string): boolean {
  // Python's re `$` also matches before a single trailing "\n".
  const candidate = value.endsWith('\n') ? value.slice(0, -1) : value;
  return YAML_IMPLICIT.some((re) => re.test(value) || re.test(candidate));
}

interface ScalarAnalysis {
  scalar: string;
  empty: boolean;
  multiline: boolean;
  allowFlowPlain: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
}

const YAML_BREAKS = '\n\x85\u2028\u2029';
const YAML_WS_OR_BREAK = '\0 \t\r\n\x85\u2028\u2029';

function analyzeScalar(scalar: string): ScalarAnalysis {
  if (!scalar) {
    return {
      scalar,
      empty: true,
      multiline: false,
      allowFlowPlain: false,
      allowBlockPlain: true,
      allowSingleQuoted: true,
    };
  }
  const chars = Array.from(scalar);
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  if (scalar.startsWith('---') || scalar.startsWith('...')) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  let followedByWhitespace = chars.length === 1 || YAML_WS_OR_BREAK.includes(chars[1]);
  let previousSpace = false;
  let previousBreak = false;
  for (let index = 0; index < chars.length; index++) {
    const ch = chars[index];
    if (index === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      }
      if (ch === '?' || ch === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === '-' && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else {
      if (',?[]{}'.includes(ch)) flowIndicators = true;
      if (ch === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === '#' && precededByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    }
    if (YAML_BREAKS.includes(ch)) lineBreaks = true;
    const cp = ch.codePointAt(0)!;
    if (!(ch === '\n' || (cp >= 0x20 && cp <= 0x7e))) {
      const unicodeOk =
        (cp === 0x85 ||
          (cp >= 0xa0 && cp <= 0xd7ff) ||
          (cp >= 0xe000 && cp <= 0xfffd) ||
          (cp >= 0x10000 && cp < 0x10ffff)) &&
        cp !== 0xfeff;
      if (!unicodeOk) specialCharacters = true; // allow_unicode=True: other unicode is fine
    }
    if (ch === ' ') {
      if (index === 0) leadingSpace = true;
      if (index === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (YAML_BREAKS.includes(ch)) {
      if (index === 0) leadingBreak = true;
      if (index === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = YAML_WS_OR_BREAK.includes(ch);
    followedByWhitespace = index + 2 >= chars.length || YAML_WS_OR_BREAK.includes(chars[index + 2]);
  }
  let allowFlowPlain = true;
  let allowBlockPlain = true;
  let allowSingleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowFlowPlain = allowBlockPlain = false;
  if (breakSpace) allowFlowPlain = allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || specialCharacters) allowFlowPlain = allowBlockPlain = allowSingleQuoted = false;
  if (lineBreaks) allowFlowPlain = allowBlockPlain = false;
  if (flowIndicators) allowFlowPlain = false;
  if (blockIndicators) allowBlockPlain = false;
  return { scalar, empty: false, multiline: lineBreaks, allowFlowPlain, allowBlockPlain, allowSingleQuoted };
}

const YAML_ESCAPES: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\x08': 'b',
  '\x09': 't',
  '\x0A': 'n',
  '\x0B': 'v',
  '\x0C': 'f',
  '\x0D': 'r',
  '\x1B': 'e',
  '"': '"',
  '\\': '\\',
  '\x85': 'N',
  '\xA0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

/** Port of the parts of PyYAML's Serializer + Emitter that safe_dump of JSON data exercises. */
class YamlEmitter {
  readonly segments: Segment[] = [];
  private column = 0;
  private whitespace = true;
  private indention = true;
  private openEnded = false;
  private indent: number | null = null;
  private readonly indents: (number | null)[] = [];
  private flowLevel = 0;
  private rootContext = false;
  private mappingContext = false;
  private simpleKeyContext = false;
  private readonly bestIndent = 2;
  private readonly bestWidth = 80;
  private readonly anchors = new Map<object, string | null>();
  private readonly serialized = new Set<object>();

  emitDocument(value: unknown): void {
    this.anchorNode(value);
    this.expectNode(value, { root: true });
    this.writeIndent(); // document end (implicit)
    if (this.openEnded) {
      this.writeIndicator('...', true, false, false, 'docend');
      this.writeIndent();
    }
  }

  private anchorNode(value: unknown): void {
    if (value === null || typeof value !== 'object') return;
    if (this.anchors.has(value)) {
      if (this.anchors.get(value) === null) {
        const n = [...this.anchors.values()].filter((a) => a !== null).length + 1;
        this.anchors.set(value, `id${String(n).padStart(3, '0')}`);
      }
      return;
    }
    this.anchors.set(value, null);
    if (Array.isArray(value)) for (const item of value) this.anchorNode(item);
    else {
      const obj = value as Record<string, unknown>;
      for (const k of sortedKeys(obj)) this.anchorNode(obj[k]);
    }
  }

  private write(kind: SegKind, text: string): void {
    if (text) this.segments.push({ kind, text });
  }

  private increaseIndent(flow = false, indentless = false): void {
    this.indents.push(this.indent);
    if (this.indent === null) this.indent = flow ? this.bestIndent : 0;
    else if (!indentless) this.indent += this.bestIndent;
  }

  private expectNode(value: unknown, ctx: { root?: boolean; mapping?: boolean; simpleKey?: boolean }): void {
    this.rootContext = !!ctx.root;
    this.mappingContext = !!ctx.mapping;
    this.simpleKeyContext = !!ctx.simpleKey;
    if (value !== null && typeof value === 'object') {
      const anchor = this.anchors.get(value) ?? null;
      if (this.serialized.has(value)) {
        this.writeIndicator(`*${anchor}`, true, false, false, 'alias');
        return;
      }
      this.serialized.add(value);
      if (anchor) this.writeIndicator(`&${anchor}`, true, false, false, 'anchor');
      if (Array.isArray(value)) {
        if (!value.length) return this.emptyFlow('[', ']');
        const indentless = this.mappingContext && !this.indention;
        this.increaseIndent(false, indentless);
        for (const item of value) {
          this.writeIndent();
          this.writeIndicator('-', true, false, true);
          this.expectNode(item, {});
        }
        this.indent = this.indents.pop()!;
      } else {
        const obj = value as Record<string, unknown>;
        const keys = sortedKeys(obj);
        if (!keys.length) return this.emptyFlow('{', '}');
        this.increaseIndent(false);
        for (const key of keys) {
          this.writeIndent();
          const analysis = analyzeScalar(key);
          if (cpLen(key) < 128 && !analysis.empty && !analysis.multiline) {
            this.expectNode(key, { mapping: true, simpleKey: true });
            this.writeIndicator(':', false);
          } else {
            this.writeIndicator('?', true, false, true);
            this.expectNode(key, { mapping: true });
            this.writeIndent();
            this.writeIndicator(':', true, false, true);
          }
          this.expectNode(obj[key], { mapping: true });
        }
        this.indent = this.indents.pop()!;
      }
      return;
    }
    // scalar
    let text: string;
    let implicitPlain: boolean;
    if (typeof value === 'string') {
      text = value;
      implicitPlain = !resolvesToNonString(value);
    } else {
      text = yamlNonStringScalar(value);
      implicitPlain = true;
    }
    this.increaseIndent(true);
    const analysis = analyzeScalar(text);
    const style = this.chooseStyle(analysis, implicitPlain);
    const split = !this.simpleKeyContext;
    if (style === '"') this.writeDoubleQuoted(text, split);
    else if (style === "'") this.writeSingleQuoted(text, split);
    else this.writePlain(text, split);
    this.indent = this.indents.pop()!;
  }

  private emptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true, false);
    this.flowLevel++;
    this.increaseIndent(true);
    this.indent = this.indents.pop()!;
    this.flowLevel--;
    this.writeIndicator(close, false);
  }

  private chooseStyle(a: ScalarAnalysis, implicitPlain: boolean): '' | "'" | '"' {
    if (implicitPlain) {
      if (
        !(this.simpleKeyContext && (a.empty || a.multiline)) &&
        ((this.flowLevel && a.allowFlowPlain) || (!this.flowLevel && a.allowBlockPlain))
      ) {
        return '';
      }
    }
    if (a.allowSingleQuoted && !(this.simpleKeyContext && a.multiline)) return "'";
    return '"';
  }

  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    whitespace = false,
    indention = false,
    kind: SegKind = 'ind',
  ): void {
    const pad = !(this.whitespace || !needWhitespace);
    if (pad) this.write('ws', ' ');
    this.write(kind, indicator);
    this.column += cpLen(indicator) + (pad ? 1 : 0);
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.openEnded = false;
  }

  private writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      this.writeLineBreak();
    }
    if (this.column < indent) {
      this.whitespace = true;
      this.write('ws', ' '.repeat(indent - this.column));
      this.column = indent;
    }
  }

  private writeLineBreak(data = '\n'): void {
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
    this.write('ws', data);
  }

  private writeText(kind: SegKind, data: string): void {
    this.column += cpLen(data);
    this.write(kind, data);
  }

  private writePlain(text: string, split: boolean): void {
    if (this.rootContext) this.openEnded = true;
    if (!text) return;
    const kind: SegKind = this.simpleKeyContext ? 'key' : 'plain';
    if (!this.whitespace) this.writeText('ws', ' ');
    this.whitespace = false;
    this.indention = false;
    const chars = Array.from(text);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = end < chars.length ? chars[end] : null;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > this.bestWidth && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.writeText(kind, chars.slice(start, end).join(''));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !YAML_BREAKS.includes(ch)) {
          if (chars[start] === '\n') this.writeLineBreak();
          for (const br of chars.slice(start, end)) this.writeLineBreak(br === '\n' ? '\n' : br);
          this.writeIndent();
          this.whitespace = false;
          this.indention = false;
          start = end;
        }
      } else if (ch === null || ch === ' ' || YAML_BREAKS.includes(ch)) {
        this.writeText(kind, chars.slice(start, end).join(''));
        start = end;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = YAML_BREAKS.includes(ch);
      }
    }
  }

  private writeSingleQuoted(text: string, split: boolean): void {
    this.writeIndicator("'", true, false, false, 'sq');
    const from = this.segments.length - 1;
    const chars = Array.from(text);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = end < chars.length ? chars[end] : null;
      if (spaces) {
        if (ch === null || ch !== ' ') {
          if (start + 1 === end && this.column > this.bestWidth && split && start !== 0 && end !== chars.length) {
            this.writeIndent();
          } else {
            this.writeText('sq', chars.slice(start, end).join(''));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !YAML_BREAKS.includes(ch)) {
          if (chars[start] === '\n') this.writeLineBreak();
          for (const br of chars.slice(start, end)) this.writeLineBreak(br);
          this.writeIndent();
          start = end;
        }
      } else if (ch === null || ' \n\x85\u2028\u2029'.includes(ch) || ch === "'") {
        if (start < end) {
          this.writeText('sq', chars.slice(start, end).join(''));
          start = end;
        }
      }
      if (ch === "'") {
        this.writeText('sq', "''");
        start = end + 1;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = YAML_BREAKS.includes(ch);
      }
    }
    this.writeIndicator("'", false, false, false, 'sq');
    this.group(from, 'sq');
  }

  /** Collapse everything written for one quoted scalar into a single segment (for yamlc). */
  private group(from: number, kind: SegKind): void {
    const parts = this.segments.splice(from);
    this.segments.push({ kind, text: parts.map((p) => p.text).join('') });
  }

  private writeDoubleQuoted(text: string, split: boolean): void {
    this.writeIndicator('"', true, false, false, 'dq');
    const from = this.segments.length - 1;
    const chars = Array.from(text);
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = end < chars.length ? chars[end] : null;
      const cp = ch === null ? 0 : ch.codePointAt(0)!;
      if (
        ch === null ||
        '"\\\x85\u2028\u2029\uFEFF'.includes(ch) ||
        !((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd))
      ) {
        if (start < end) {
          this.writeText('dq', chars.slice(start, end).join(''));
          start = end;
        }
        if (ch !== null) {
          let data: string;
          if (YAML_ESCAPES[ch] !== undefined) data = `\\${YAML_ESCAPES[ch]}`;
          else if (cp <= 0xff) data = `\\x${hex(cp, 2)}`;
          else if (cp <= 0xffff) data = `\\u${hex(cp, 4)}`;
          else data = `\\U${hex(cp, 8)}`;
          this.writeText('dq', data);
          start = end + 1;
        }
      }
      if (
        end > 0 &&
        end < chars.length - 1 &&
        (ch === ' ' || start >= end) &&
        this.column + (end - start) > this.bestWidth &&
        split
      ) {
        const data = `${chars.slice(start, end).join('')}\\`;
        if (start < end) start = end;
        this.writeText('dq', data);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (chars[start] === ' ') this.writeText('dq', '\\');
      }
    }
    this.writeIndicator('"', false, false, false, 'dq');
    this.group(from, 'dq');
  }
}

function yamlNonStringScalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (value === Infinity) return '.inf';
    if (value === -Infinity) return '-.inf';
    if (isPyInt(value)) return pyNumberStr(value);
    const repr = pyFloatRepr(value).toLowerCase();
    return !repr.includes('.') && repr.includes('e') ? repr.replace('e', '.0e') : repr;
  }
  if (typeof value === 'bigint') return value.toString();
  return String(value);
}

export function emitYaml(data: unknown): Segment[] {
  const emitter = new YamlEmitter();
  emitter.emitDocument(data);
  return emitter.segments;
}

/** yamlc: the YAML text as Pygments' YamlLexer + TerminalFormatter colour it. */
export function colorizeYaml(segments: Segment[]): string {
  // Merge runs of same-kind segments that Pygments sees as one token.
  const merged: Segment[] = [];
  for (const seg of segments) {
    const last = merged[merged.length - 1];
    if (last && last.kind === seg.kind && (seg.kind === 'ws' || seg.kind === 'key' || seg.kind === 'plain')) {
      last.text += seg.text;
    } else merged.push({ ...seg });
  }
  let out = '';
  for (const seg of merged) {
    switch (seg.kind) {
      case 'ws':
        out += colorToken(C_WS, seg.text);
        break;
      case 'key':
        out += ansi(C_KEY, seg.text);
        break;
      case 'plain': {
        // Pygments cannot start a plain scalar with odd whitespace (e.g. U+00A0): Error token.
        let text = seg.text;
        for (let m = LEADING_ODD_SPACE.exec(text); m; m = LEADING_ODD_SPACE.exec(text)) {
          out += colorToken(C_ERROR, m[0]);
          text = text.slice(m[0].length);
        }
        out += colorToken(null, text);
        break;
      }
      case 'alias':
        out += ansi(C_SPACE_IN_QUOTES, seg.text);
        break;
      case 'docend':
        out += ansi(C_DOC_END, seg.text);
        break;
      case 'sq':
        out += colorizeQuoted(seg.text, "'");
        break;
      case 'dq':
        out += colorizeQuoted(seg.text, '"');
        break;
      default:
        out += seg.text;
    }
  }
  return out;
}

// Python's whitespace (`str.isspace()`, `\s` in str patterns), as a regex character-class body.
const C_ERROR = '\x1b[04m\x1b[91m';
const QUOTED_TOKENS = {
  "'": new RegExp(`((?<=\\n) +| +(?=\\n)|\\n+)|( +)|('')|([^${PY_WHITESPACE}']+)|(')|([\\s\\S])`, 'gu'),
  '"': new RegExp(
    `((?<=\\n) +| +(?=\\n)|\\n+)|( +)|(\\\\\\n|\\\\[0abt\\tnvfre "\\\\N_LP]|\\\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}))|([^${PY_WHITESPACE}"\\\\]+)|(")|([\\s\\S])`,
    'gu',
  ),
};
const LEADING_ODD_SPACE = new RegExp(`^[${PY_WHITESPACE.replace(' ', '').replace('\\\\n', '')}]`, 'u');

function colorizeQuoted(text: string, quote: "'" | '"'): string {
  const token = QUOTED_TOKENS[quote];
  // The opening quote is the lexer's state switch; lex the rest from index 1 (so `^` means line start).
  let out = ansi(C_STRING, quote);
  token.lastIndex = 1;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    if (m[1] !== undefined) out += colorToken(C_WS, m[1]);
    else if (m[2] !== undefined) out += ansi(C_SPACE_IN_QUOTES, m[2]);
    else if (m[3] !== undefined) out += colorToken(C_STRING, m[3]);
    else if (m[4] !== undefined) out += ansi(C_STRING, m[4]);
    else if (m[5] !== undefined) out += ansi(C_STRING, m[5]);
    else out += colorToken(C_ERROR, m[6]); // Pygments Error token (e.g. U+2028 inside quotes)
  }
  return out;
}
