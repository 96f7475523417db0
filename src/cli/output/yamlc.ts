/**
 * yamlc: PyYAML-style YAML text coloured as Pygments 2.14 YamlLexer + TerminalFormatter do, via a
 * small tokenizer over the emitted block YAML (keys, indicators, plain and quoted scalars, `...`).
 */
import { ansi, C_DOC_END, C_KEY, C_SPACE_IN_QUOTES, C_STRING, C_WS, colorToken } from './json.js';
import { PY_WHITESPACE } from './python-compat.js';

type SegKind = 'ws' | 'ind' | 'key' | 'plain' | 'sq' | 'dq' | 'anchor' | 'alias' | 'docend';
interface Segment {
  kind: SegKind;
  text: string;
}

/** Split block YAML as written by ./yaml.js into the tokens Pygments distinguishes. */
function tokenize(text: string): Segment[] {
  const segs: Segment[] = [];
  const push = (kind: SegKind, t: string) => t && segs.push({ kind, text: t });
  let i = 0;
  let lineStart = true;
  while (i < text.length) {
    const rest = text.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^[ \n]+/.exec(rest))) {
      lineStart = m[0].includes('\n') || lineStart;
      push('ws', m[0]);
    } else if (lineStart && rest.startsWith('...') && /^\.\.\.(\n|$)/.test(rest)) {
      push('docend', '...');
      m = /^.../.exec(rest)!;
    } else if ((m = /^[-?:](?= |\n|$)/.exec(rest))) {
      push('ind', m[0]);
    } else if ((m = /^[&*][^ \n]+/.exec(rest))) {
      push(m[0][0] === '&' ? 'anchor' : 'alias', m[0]);
    } else if ((m = /^(?:'(?:[^']|'')*'|"(?:[^"\\]|\\[\s\S])*")/.exec(rest))) {
      push(m[0][0] === "'" ? 'sq' : 'dq', m[0]);
      lineStart = false;
      if (text[i + m[0].length] === ':') {
        push('ind', ':');
        i++;
      }
    } else if ((m = /^(?:\[\]|\{\})/.exec(rest))) {
      push('ind', m[0]);
    } else if (lineStart && (m = /^([^\n]*?)(?=:(?: |\n|$))/.exec(rest)) && m[1]) {
      push('key', m[1]);
      push('ind', ':');
      i += 1;
      lineStart = false;
    } else {
      m = /^[^\n]+/.exec(rest)!;
      push('plain', m[0]);
    }
    if (!/^[ \n]+$/.test(m[0]) && !(m[0] === '-' || m[0] === '?' || m[0] === ':')) lineStart = false;
    i += m[0].length;
  }
  return segs;
}

/** yamlc: the YAML text as Pygments' YamlLexer + TerminalFormatter colour it. */
function colorizeSegments(segments: Segment[]): string {
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

/** yamlc on a TTY: the yaml text (from formatYaml) coloured like Pygments. */
export function colorizeYaml(yaml: string): string {
  return colorizeSegments(tokenize(yaml));
}
