/**
 * PyYAML 6.0's choice of scalar style (Emitter.analyze_scalar / choose_scalar_style, with
 * allow_unicode) and its writing of plain, single- and double-quoted scalars that it folds at 80
 * columns — the part of safe_dump that js-yaml does differently (js-yaml uses block scalars).
 */
import { cpLen, hex } from './python-compat.js';

export type PyScalarStyle = 'plain' | "'" | '"';

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

export function resolvesToNonString(value: string): boolean {
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

export const YAML_BREAKS = '\n\x85\u2028\u2029';
const YAML_WS_OR_BREAK = '\0 \t\r\n\x85\u2028\u2029';

/** What PyYAML's analyze_scalar finds out about a string (block context, allow_unicode=True). */
export function analyzeScalar(scalar: string): ScalarAnalysis {
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
        (cp === 0x85 || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp < 0x10ffff)) &&
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

/** choose_scalar_style for a string in block context (`implicitPlain`: it would not resolve to another type). */
export function chooseStyle(a: ScalarAnalysis, implicitPlain: boolean, simpleKey: boolean): PyScalarStyle {
  if (implicitPlain && !(simpleKey && (a.empty || a.multiline)) && a.allowBlockPlain) return 'plain';
  if (a.allowSingleQuoted && !(simpleKey && a.multiline)) return "'";
  return '"';
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

const BEST_WIDTH = 80;

/**
 * PyYAML's write_plain / write_single_quoted / write_double_quoted for `text` starting at `column`
 * (after the `key: ` or `- ` js-yaml wrote), breaking lines onto `indent` when `split`.
 */
export function writeScalar(text: string, style: PyScalarStyle, column: number, indent: number, split: boolean): string {
  const w = new ScalarWriter(column, indent);
  if (style === 'plain') w.plain(text, split);
  else if (style === "'") w.singleQuoted(text, split);
  else w.doubleQuoted(text, split);
  return w.out;
}

class ScalarWriter {
  out = '';
  private whitespace = false;
  private indention = false;

  constructor(
    private column: number,
    private readonly indent: number,
  ) {}

  private text(data: string): void {
    this.column += cpLen(data);
    this.out += data;
  }

  private lineBreak(data = '\n'): void {
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
    this.out += data;
  }

  private writeIndent(): void {
    if (!this.indention || this.column > this.indent || (this.column === this.indent && !this.whitespace)) this.lineBreak();
    if (this.column < this.indent) {
      this.whitespace = true;
      this.out += ' '.repeat(this.indent - this.column);
      this.column = this.indent;
    }
  }

  plain(text: string, split: boolean): void {
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
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.text(chars.slice(start, end).join(''));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !YAML_BREAKS.includes(ch)) {
          if (chars[start] === '\n') this.lineBreak();
          for (const br of chars.slice(start, end)) this.lineBreak(br === '\n' ? '\n' : br);
          this.writeIndent();
          this.whitespace = false;
          this.indention = false;
          start = end;
        }
      } else if (ch === null || ch === ' ' || YAML_BREAKS.includes(ch)) {
        this.text(chars.slice(start, end).join(''));
        start = end;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = YAML_BREAKS.includes(ch);
      }
    }
  }

  singleQuoted(text: string, split: boolean): void {
    this.text("'");
    const chars = Array.from(text);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = end < chars.length ? chars[end] : null;
      if (spaces) {
        if (ch === null || ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== chars.length) {
            this.writeIndent();
          } else {
            this.text(chars.slice(start, end).join(''));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !YAML_BREAKS.includes(ch)) {
          if (chars[start] === '\n') this.lineBreak();
          for (const br of chars.slice(start, end)) this.lineBreak(br);
          this.writeIndent();
          start = end;
        }
      } else if (ch === null || ' \n\x85\u2028\u2029'.includes(ch) || ch === "'") {
        if (start < end) {
          this.text(chars.slice(start, end).join(''));
          start = end;
        }
      }
      if (ch === "'") {
        this.text("''");
        start = end + 1;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = YAML_BREAKS.includes(ch);
      }
    }
    this.text("'");
  }

  doubleQuoted(text: string, split: boolean): void {
    this.text('"');
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
          this.text(chars.slice(start, end).join(''));
          start = end;
        }
        if (ch !== null) {
          let data: string;
          if (YAML_ESCAPES[ch] !== undefined) data = `\\${YAML_ESCAPES[ch]}`;
          else if (cp <= 0xff) data = `\\x${hex(cp, 2)}`;
          else if (cp <= 0xffff) data = `\\u${hex(cp, 4)}`;
          else data = `\\U${hex(cp, 8)}`;
          this.text(data);
          start = end + 1;
        }
      }
      if (end > 0 && end < chars.length - 1 && (ch === ' ' || start >= end) && this.column + (end - start) > BEST_WIDTH && split) {
        const data = `${chars.slice(start, end).join('')}\\`;
        if (start < end) start = end;
        this.text(data);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (chars[start] === ' ') this.text('\\');
      }
    }
    this.text('"');
  }
}
