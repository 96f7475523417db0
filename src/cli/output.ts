/**
 * az/knack-compatible output layer for the `latch` CLI.
 *
 * Everything in here reproduces what knack (microsoft/knack `knack/output.py`, `knack/query.py`)
 * and azure-cli core print, byte for byte where the spec (shared/spec/cli-conventions.md) states a
 * fact: `--output` parsing, `--query` (JMESPath) compilation/evaluation and their error texts, and
 * the json / jsonc / yaml / yamlc / table / tsv / none formatters (which in az are built on Python's
 * `json`, PyYAML, tabulate and Pygments — the Python semantics they depend on are ported below).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import jmespath from 'jmespath';

// ================================================================================================
// Errors
// ================================================================================================

export interface CliErrorOptions {
  /** Extra lines printed (raw, without `ERROR: `) after the error line, e.g. `Did you mean 'table' ?`. */
  recommendations?: readonly string[];
  cause?: unknown;
}

/** A user-facing error. Printed as `ERROR: <message>` (+ recommendation lines); exit code 1. */
export class CliError extends Error {
  readonly exitCode: number = 1;
  readonly recommendations: readonly string[];

  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.recommendations = [...(options.recommendations ?? [])];
  }

  /** Same error class, exit code and recommendations with another message (e.g. a `<prog>: ` prefix). */
  withMessage(message: string): this {
    const Ctor = this.constructor as new (message: string, options: CliErrorOptions) => this;
    return new Ctor(message, { recommendations: this.recommendations, cause: this.cause });
  }
}

/** Parser/usage error (argparse-style): exit code 2. */
export class CliUsageError extends CliError {
  override readonly exitCode: number = 2;
}

/** Resource not found (az `ResourceNotFoundError`, HTTP 404 on show/delete): exit code 3. */
export class CliNotFoundError extends CliError {
  override readonly exitCode: number = 3;
}

/** Exit code for any thrown value: a CliError's own code, 1 for everything else. */
export function exitCodeOf(err: unknown): number {
  return err instanceof CliError ? err.exitCode : 1;
}

/**
 * The stderr text for an error: `ERROR: <message>\n` followed by each recommendation line + `\n`.
 * Returns exactly the bytes to write to stderr (trailing newline included).
 */
export function formatErrorLine(err: unknown): string {
  let message: string;
  let extra: readonly string[] = [];
  if (err instanceof CliError) {
    message = err.message;
    extra = err.recommendations;
  } else if (err instanceof Error) {
    message = err.message;
  } else {
    message = String(err);
  }
  return [`ERROR: ${message}`, ...extra].map((line) => `${line}\n`).join('');
}

/**
 * Message for an error reported by the server (`{"error": {"code", "message"}}`): `(<code>) <message>`.
 * The CLI prints it as `ERROR: (<code>) <message>` (DESIGN decision; az core's HttpResponseError style).
 * Without a code only the message is returned.
 */
export function formatServerError(code: string | null | undefined, message: string): string {
  return code ? `(${code}) ${message}` : message;
}

// ================================================================================================
// --output
// ================================================================================================

/** Allowed `--output` values, in the order az lists them in messages. */
export const OUTPUT_FORMATS = ['json', 'jsonc', 'yaml', 'yamlc', 'table', 'tsv', 'none'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Parse an `--output` value the way az does (`type=str.lower`, then a choices check).
 * Invalid → CliUsageError (exit 2) with the modern az text; callers prefix `<command>: `.
 */
export function parseOutputFormat(value: string): OutputFormat {
  const lowered = value.toLowerCase();
  if ((OUTPUT_FORMATS as readonly string[]).includes(lowered)) return lowered as OutputFormat;
  const message =
    `'${lowered}' is not a valid value for '--output'. ` + `Allowed values: ${OUTPUT_FORMATS.join(', ')}.`;
  const candidates = getCloseMatches(lowered, OUTPUT_FORMATS, 3, 0.7);
  throw new CliUsageError(message, {
    recommendations: candidates.length ? [`Did you mean '${candidates[0]}' ?`] : [],
  });
}

/**
 * Python `difflib.SequenceMatcher(None, a, b).ratio()` (autojunk included): 2*M / (len(a)+len(b)).
 */
export function sequenceRatio(a: string, b: string): number {
  const A = Array.from(a);
  const B = Array.from(b);
  const total = A.length + B.length;
  if (total === 0) return 1;
  return (2 * matchingCharacters(A, B)) / total;
}

function matchingCharacters(a: string[], b: string[]): number {
  // b2j: element of b -> ascending indices; "popular" elements dropped when len(b) >= 200.
  const b2j = new Map<string, number[]>();
  b.forEach((ch, j) => {
    const list = b2j.get(ch);
    if (list) list.push(j);
    else b2j.set(ch, [j]);
  });
  if (b.length >= 200) {
    const ntest = Math.floor(b.length / 100) + 1;
    for (const [ch, idxs] of [...b2j]) if (idxs.length > ntest) b2j.delete(ch);
  }
  const findLongestMatch = (alo: number, ahi: number, blo: number, bhi: number): [number, number, number] => {
    let besti = alo;
    let bestj = blo;
    let bestsize = 0;
    let j2len = new Map<number, number>();
    for (let i = alo; i < ahi; i++) {
      const newj2len = new Map<number, number>();
      for (const j of b2j.get(a[i]) ?? []) {
        if (j < blo) continue;
        if (j >= bhi) break;
        const k = (j2len.get(j - 1) ?? 0) + 1;
        newj2len.set(j, k);
        if (k > bestsize) {
          besti = i - k + 1;
          bestj = j - k + 1;
          bestsize = k;
        }
      }
      j2len = newj2len;
    }
    while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
      besti--;
      bestj--;
      bestsize++;
    }
    while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) {
      bestsize++;
    }
    return [besti, bestj, bestsize];
  };
  let matches = 0;
  const queue: [number, number, number, number][] = [[0, a.length, 0, b.length]];
  while (queue.length) {
    const [alo, ahi, blo, bhi] = queue.pop()!;
    const [i, j, k] = findLongestMatch(alo, ahi, blo, bhi);
    if (k) {
      matches += k;
      if (alo < i && blo < j) queue.push([alo, i, blo, j]);
      if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
    }
  }
  return matches;
}

/** Python `difflib.get_close_matches(word, possibilities, n, cutoff)`: best first (ties: larger string first). */
export function getCloseMatches(word: string, possibilities: readonly string[], n = 3, cutoff = 0.6): string[] {
  const scored: [number, string][] = [];
  for (const x of possibilities) {
    const score = sequenceRatio(x, word);
    if (score >= cutoff) scored.push([score, x]);
  }
  scored.sort((p, q) => q[0] - p[0] || compareCodePoints(q[1], p[1]));
  return scored.slice(0, n).map(([, x]) => x);
}

// ================================================================================================
// --query (JMESPath)
// ================================================================================================

export const QUERY_HINT = "To learn more about --query, please visit: 'https://docs.microsoft.com/cli/azure/query-azure-cli'";

export interface CompiledQuery {
  readonly expression: string;
  /** Evaluate against `data`; throws the raw evaluation error (see applyQuery for the CLI mapping). */
  search(data: unknown): unknown;
}

/** Objects created by a multiselect-hash (`{a: x, b: y}`) -> their keys in query order (Python's OrderedDict). */
const ORDERED_OBJECTS = new WeakMap<object, string[]>();

/** An evaluation error carrying the exact Python jmespath message. */
class JmesEvalError extends Error {}

interface JmesNode {
  type: string;
  name?: string;
  value?: unknown;
  children?: (JmesNode | undefined | null)[];
  jmespathType?: unknown;
}

interface JmesEngine {
  /** true when evaluation runs on the patched interpreter (Python messages, OrderedDict tracking). */
  readonly exact: boolean;
  compile(expression: string): unknown;
  evaluate(ast: unknown, expression: string, data: unknown): unknown;
}

let engineCache: JmesEngine | undefined;

function engine(): JmesEngine {
  return (engineCache ??= loadExactEngine() ?? publicEngine());
}

function publicEngine(): JmesEngine {
  const api = jmespath as unknown as { compile(e: string): unknown; search(d: unknown, e: string): unknown };
  return {
    exact: false,
    compile: (expression) => api.compile(expression),
    evaluate: (_ast, expression, data) => api.search(data, expression),
  };
}

/**
 * jmespath@0.16.0 exposes only `compile` (AST) and `search(data, string)`, and its runtime
 * messages differ from Python jmespath's (which az prints). To reproduce az we instantiate a
 * private copy of the library with its interpreter classes exported, and patch that copy (only)
 * with Python jmespath 1.0.1 semantics where they differ: argument validation messages, the
 * sort_by/min_by/max_by key checks, ordering comparators, own-property field lookup, code-point
 * string length/reverse, avg([]), to_string and non-JSON literals. Multiselect-hash results are
 * recorded so that tsv can tell them apart (knack's `Options(dict_cls=OrderedDict)`).
 * Falls back to the public API if the library source does not have the expected shape.
 */
function loadExactEngine(): JmesEngine | undefined {
  try {
    const require = createRequire(import.meta.url);
    const source = readFileSync(require.resolve('jmespath'), 'utf8');
    const marker = 'exports.search = search;';
    if (!source.includes(marker)) return undefined;
    const patched = source.replace(
      marker,
      `${marker}\n  exports.__internals = { Lexer: Lexer, Parser: Parser, Runtime: Runtime, TreeInterpreter: TreeInterpreter };`,
    );
    const mod: { __internals?: JmesInternals } = {};
    // eslint-disable-next-line @typescript-eslint/no-implied-eval, no-new-func
    new Function('exports', patched)(mod);
    const internals = mod.__internals;
    if (!internals) return undefined;
    patchInternals(internals);
    const { Parser, Runtime, TreeInterpreter } = internals;
    return {
      exact: true,
      compile: (expression) => new Parser().parse(expression),
      evaluate: (ast, _expression, data) => {
        const runtime = new Runtime();
        const interpreter = new TreeInterpreter(runtime);
        runtime._interpreter = interpreter;
        return interpreter.search(ast, data);
      },
    };
  } catch {
    return undefined;
  }
}

interface JmesRuntime {
  _interpreter: JmesInterpreter;
  _getTypeName(value: unknown): number | undefined;
  [key: string]: unknown;
}
interface JmesInterpreter {
  visit(node: JmesNode, value: unknown): unknown;
  search(node: unknown, value: unknown): unknown;
}
interface JmesInternals {
  Lexer: { prototype: Record<string, unknown> };
  Parser: new () => { parse(expression: string): unknown };
  Runtime: { new (): JmesRuntime; prototype: Record<string, unknown> };
  TreeInterpreter: { new (runtime: JmesRuntime): JmesInterpreter; prototype: Record<string, unknown> };
}

// Python jmespath 1.0.1 function signatures (functions.py), used for its validation messages.
const PY_SIGNATURES: Record<string, { args: string[][]; variadic?: boolean }> = {
  abs: { args: [['number']] },
  avg: { args: [['array-number']] },
  not_null: { args: [[]], variadic: true },
  to_array: { args: [[]] },
  to_string: { args: [[]] },
  to_number: { args: [[]] },
  contains: { args: [['array', 'string'], []] },
  length: { args: [['string', 'array', 'object']] },
  ends_with: { args: [['string'], ['string']] },
  starts_with: { args: [['string'], ['string']] },
  reverse: { args: [['array', 'string']] },
  ceil: { args: [['number']] },
  floor: { args: [['number']] },
  join: { args: [['string'], ['array-string']] },
  map: { args: [['expref'], ['array']] },
  max: { args: [['array-number', 'array-string']] },
  merge: { args: [['object']], variadic: true },
  min: { args: [['array-number', 'array-string']] },
  sort: { args: [['array-string', 'array-number']] },
  sum: { args: [['array-number']] },
  keys: { args: [['object']] },
  values: { args: [['object']] },
  type: { args: [[]] },
  sort_by: { args: [['array'], ['expref']] },
  min_by: { args: [['array'], ['expref']] },
  max_by: { args: [['array'], ['expref']] },
};

const PY_REVERSE_TYPES: Record<string, string[]> = {
  boolean: ['bool'],
  array: ['list', '_Projection'],
  object: ['dict', 'OrderedDict'],
  null: ['NoneType'],
  string: ['unicode', 'str'],
  number: ['float', 'int', 'long'],
  expref: ['_Expression'],
};

const PY_TYPES_MAP: Record<string, string> = {
  bool: 'boolean',
  list: 'array',
  dict: 'object',
  OrderedDict: 'object',
  NoneType: 'null',
  str: 'string',
  float: 'number',
  int: 'number',
  _Expression: 'expref',
};

function patchInternals({ Lexer, Runtime, TreeInterpreter }: JmesInternals): void {
  // Python: a `literal` that is not valid JSON is read as a (deprecated) raw string, never an error.
  Lexer.prototype._looksLikeJSON = (literal: string): boolean => {
    if (literal === '') return false;
    try {
      JSON.parse(literal);
      return true;
    } catch {
      return false;
    }
  };

  const rt = Runtime.prototype as Record<string, unknown> & ThisType<JmesRuntime>;
  const originalValidate = rt._validateArgs as (this: JmesRuntime, n: string, a: unknown[], s: unknown) => void;

  const pyTypeName = (self: JmesRuntime, value: unknown): string => {
    switch (self._getTypeName(value)) {
      case 0:
        return isPyInt(value as number) ? 'int' : 'float';
      case 2:
        return 'str';
      case 3:
        return 'list';
      case 4:
        return ORDERED_OBJECTS.has(value as object) ? 'OrderedDict' : 'dict';
      case 5:
        return 'bool';
      case 6:
        return '_Expression';
      case 7:
        return 'NoneType';
      default:
        return value === undefined ? 'NoneType' : 'object';
    }
  };
  const jmesType = (self: JmesRuntime, value: unknown): string =>
    PY_TYPES_MAP[pyTypeName(self, value)] ?? 'unknown';
  const typeError = (fn: string, current: unknown, actual: string, expected: string[]): JmesEvalError =>
    new JmesEvalError(
      `In function ${fn}(), invalid type for value: ${pyStr(current)}, ` +
        `expected one of: ${pyRepr(expected)}, received: "${actual}"`,
    );

  rt._validateArgs = function (this: JmesRuntime, name: string, args: unknown[], signature: unknown): void {
    const sig = PY_SIGNATURES[name];
    if (sig) {
      const n = sig.args.length;
      const plural = n === 1 ? 'argument' : 'arguments';
      if (sig.variadic) {
        if (args.length < n) {
          throw new JmesEvalError(`Expected at least ${n} ${plural} for function ${name}(), received ${args.length}`);
        }
      } else if (args.length !== n) {
        throw new JmesEvalError(`Expected ${n} ${plural} for function ${name}(), received ${args.length}`);
      }
      for (let i = 0; i < n; i++) {
        const types = sig.args[i];
        if (!types.length) continue;
        const current = args[i];
        const allowed: string[] = [];
        const allowedSub: string[][] = [];
        for (const t of types) {
          const dash = t.indexOf('-');
          if (dash >= 0) {
            allowedSub.push(PY_REVERSE_TYPES[t.slice(dash + 1)]);
            allowed.push(...PY_REVERSE_TYPES[t.slice(0, dash)]);
          } else {
            allowed.push(...PY_REVERSE_TYPES[t]);
          }
        }
        const actual = pyTypeName(this, current);
        if (!allowed.includes(actual)) throw typeError(name, current, PY_TYPES_MAP[actual] ?? 'unknown', types);
        if (allowedSub.length && Array.isArray(current)) {
          let sub: string[] | undefined;
          if (allowedSub.length === 1) sub = allowedSub[0];
          else if (current.length) {
            const first = pyTypeName(this, current[0]);
            sub = allowedSub.find((s) => s.includes(first));
            if (!sub) throw typeError(name, current[0], first, types);
          }
          if (sub) {
            for (const element of current) {
              const t = pyTypeName(this, element);
              if (!sub.includes(t)) throw typeError(name, element, t, types);
            }
          }
        }
      }
    }
    originalValidate.call(this, name, args, signature);
  };

  const keyFunc = (self: JmesRuntime, expref: JmesNode, allowed: string[], fn: string) => (x: unknown) => {
    const result = self._interpreter.visit(expref, x);
    const t = jmesType(self, result);
    if (!allowed.includes(t)) throw typeError(fn, result, t, allowed);
    return result as number | string;
  };
  // Python's rich comparison of two numbers/strings (str vs number raises TypeError in Python).
  const pyCompare = (op: '<' | '>' | '<=' | '>=', a: number | string, b: number | string): boolean => {
    if (typeof a !== typeof b) {
      throw new JmesEvalError(
        `'${op}' not supported between instances of '${pyScalarType(a)}' and '${pyScalarType(b)}'`,
      );
    }
    const c = typeof a === 'string' ? compareCodePoints(a, b as string) : a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
    return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
  };
  const pyLess = (a: number | string, b: number | string): boolean => pyCompare('<', a, b);

  rt._functionSortBy = function (this: JmesRuntime, [array, expref]: [unknown[], JmesNode]): unknown[] {
    if (!array.length) return array;
    const required = jmesType(this, this._interpreter.visit(expref, array[0]));
    if (required !== 'number' && required !== 'string') {
      throw typeError('sort_by', array[0], required, ['string', 'number']);
    }
    const key = keyFunc(this, expref, [required], 'sort_by');
    const decorated = array.map((item, index) => ({ item, index, k: key(item) }));
    decorated.sort((p, q) => (pyLess(p.k, q.k) ? -1 : pyLess(q.k, p.k) ? 1 : p.index - q.index));
    return decorated.map((d) => d.item);
  };
  const extremeBy = (fn: 'min_by' | 'max_by') =>
    function (this: JmesRuntime, [array, expref]: [unknown[], JmesNode]): unknown {
      const key = keyFunc(this, expref, ['number', 'string'], fn);
      if (!array.length) return null;
      let best = array[0];
      let bestKey = key(best);
      for (let i = 1; i < array.length; i++) {
        const k = key(array[i]);
        if (fn === 'max_by' ? pyCompare('>', k, bestKey) : pyCompare('<', k, bestKey)) {
          best = array[i];
          bestKey = k;
        }
      }
      return best;
    };
  rt._functionMinBy = extremeBy('min_by');
  rt._functionMaxBy = extremeBy('max_by');
  rt._functionAvg = function ([array]: [number[]]): number | null {
    return array.length ? array.reduce((s, v) => s + v, 0) / array.length : null;
  };
  const originalLength = rt._functionLength as (this: JmesRuntime, args: unknown[]) => unknown;
  rt._functionLength = function (this: JmesRuntime, args: unknown[]): unknown {
    return typeof args[0] === 'string' ? cpLen(args[0]) : originalLength.call(this, args);
  };
  const originalReverse = rt._functionReverse as (this: JmesRuntime, args: unknown[]) => unknown;
  rt._functionReverse = function (this: JmesRuntime, args: unknown[]): unknown {
    return typeof args[0] === 'string' ? Array.from(args[0]).reverse().join('') : originalReverse.call(this, args);
  };
  rt._functionToString = function ([value]: [unknown]): string {
    return typeof value === 'string' ? value : pyJsonDumps(value, { compact: true });
  };

  const ti = TreeInterpreter.prototype as Record<string, unknown>;
  const originalVisit = ti.visit as (this: JmesInterpreter, node: JmesNode, value: unknown) => unknown;
  ti.visit = function (this: JmesInterpreter, node: JmesNode, value: unknown): unknown {
    if (!node || typeof node !== 'object') throw new JmesEvalError('Invalid jmespath expression');
    switch (node.type) {
      case 'Field':
        return isPlainObject(value) && Object.prototype.hasOwnProperty.call(value, node.name!)
          ? (value as Record<string, unknown>)[node.name!]
          : null;
      case 'MultiSelectHash': {
        if (value === null) return null;
        const collected: Record<string, unknown> = {};
        const keys: string[] = [];
        for (const child of node.children as unknown as { name: string; value: JmesNode }[]) {
          if (!Object.prototype.hasOwnProperty.call(collected, child.name)) keys.push(child.name);
          Object.defineProperty(collected, child.name, {
            value: this.visit(child.value, value),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        ORDERED_OBJECTS.set(collected, keys);
        return collected;
      }
      case 'Comparator': {
        if (node.name === 'EQ' || node.name === 'NE') break;
        const left = this.visit(node.children![0]!, value);
        const right = this.visit(node.children![1]!, value);
        const comparable = (x: unknown) => typeof x === 'string' || typeof x === 'number';
        if (!comparable(left) || !comparable(right)) return null;
        const l = left as number | string;
        const r = right as number | string;
        const op = ({ LT: '<', GT: '>', LTE: '<=', GTE: '>=' } as const)[node.name as 'LT'];
        if (op) return pyCompare(op, l, r);
        break;
      }
    }
    return originalVisit.call(this, node, value);
  };
}

function pyScalarType(v: unknown): string {
  return typeof v === 'string' ? 'str' : typeof v === 'number' ? (isPyInt(v) ? 'int' : 'float') : 'NoneType';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Python jmespath rejects a few expressions that jmespath.js accepts: mirror its lexer/parser there. */
function pythonOnlySyntaxError(expression: string, ast: unknown): boolean {
  // A lone `-` (`[-]`): Python's lexer reports "Unknown token '-'"; jmespath.js lexes it as NaN.
  try {
    const tokens = (jmespath as unknown as { tokenize(e: string): { type: string; value: unknown }[] }).tokenize(expression);
    if (tokens.some((t) => t.type === 'Number' && Number.isNaN(t.value))) return true;
  } catch {
    // the public lexer rejects non-JSON literals that Python reads as raw strings: not a verdict
  }
  // Unclosed ', " or ` delimiter (Python's Lexer._consume_until; jmespath.js reads to the end).
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (ch !== "'" && ch !== '"' && ch !== '`') continue;
    let j = i + 1;
    for (;;) {
      if (j >= expression.length) return true;
      if (expression[j] === '\\') j++;
      else if (expression[j] === ch) break;
      if (j >= expression.length) return true;
      j++;
    }
    i = j;
  }
  // Dangling dot (`a.b.`, `a.(b)`): jmespath.js leaves a hole in the AST instead of failing.
  // (`undefined` marks the hole; `null` children are legitimate, e.g. omitted slice parts.)
  const hasHole = (node: unknown): boolean => {
    if (node === undefined) return true;
    if (!isPlainObject(node)) return false;
    const n = node as unknown as JmesNode;
    if (n.type === 'KeyValuePair') return hasHole(n.value);
    if (n.type === 'Function' && typeof n.name !== 'string') return true; // `a.(b)`
    return Array.isArray(n.children) && n.children.some(hasHole);
  };
  return hasHole(ast);
}

/**
 * Compile a `--query` expression (az does this at parse time). A syntax error is a usage error
 * (exit 2): `argument --query: invalid jmespath_type value: '<expr>'` + the query hint line.
 */
export function compileQuery(expression: string): CompiledQuery {
  const eng = engine();
  let ast: unknown;
  let bad = false;
  try {
    ast = eng.compile(expression);
    bad = pythonOnlySyntaxError(expression, ast);
  } catch {
    bad = true;
  }
  if (bad) {
    throw new CliUsageError(`argument --query: invalid jmespath_type value: ${pyRepr(expression)}`, {
      recommendations: [QUERY_HINT],
    });
  }
  return {
    expression,
    search: (data: unknown) => {
      const result = eng.evaluate(ast, expression, data);
      return result === undefined ? null : result;
    },
  };
}

/**
 * Apply a query (string or compiled) to a command result. Evaluation errors become CliError (exit 1):
 * ``Invalid jmespath query supplied for `--query`: <message>`` + the query hint line.
 * Objects produced by multiselect-hashes are remembered as "ordered" (see render/tsv).
 */
export function applyQuery(data: unknown, query: string | CompiledQuery): unknown {
  const compiled = typeof query === 'string' ? compileQuery(query) : query;
  try {
    return compiled.search(data);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new CliError(`Invalid jmespath query supplied for \`--query\`: ${message}`, {
      recommendations: [QUERY_HINT],
      cause: err,
    });
  }
}

/** Whether `obj` keeps insertion order for tsv (a query multiselect-hash result, knack's OrderedDict). */
function isOrderedObject(obj: object, opts: RenderOptions): boolean {
  if (ORDERED_OBJECTS.has(obj)) return true;
  // Without the exact engine we cannot tell; fall back to "query active => insertion order".
  return !engine().exact && opts.queryActive;
}

function insertionKeys(obj: Record<string, unknown>): string[] {
  return ORDERED_OBJECTS.get(obj) ?? Object.keys(obj);
}

function sortedKeys(obj: Record<string, unknown>): string[] {
  return Object.keys(obj).sort(compareCodePoints);
}

// ================================================================================================
// Rendering
// ================================================================================================

export interface RenderOptions {
  /** A `--query` was given: table keeps insertion order instead of sorting keys. */
  queryActive: boolean;
  /** Colour allowed (stdout is a TTY and colour is enabled): jsonc/yamlc colourise, else == json/yaml. */
  isTTY: boolean;
}

export const TABLE_UNAVAILABLE =
  'Table output unavailable. Use the --query option to specify an appropriate query. Use --debug for more info.';

/**
 * Render a (queried) command result: returns exactly the bytes to write to stdout.
 * A null/undefined result prints nothing in every format (knack), `none` prints nothing.
 */
export function render(data: unknown, format: OutputFormat, opts: RenderOptions): string {
  if (data === null || data === undefined) return '';
  switch (format) {
    case 'json':
      return formatJson(data);
    case 'jsonc':
      return opts.isTTY ? colorizeJson(formatJson(data)) : formatJson(data);
    case 'yaml':
      return formatYaml(data);
    case 'yamlc':
      return opts.isTTY ? colorizeYaml(emitYaml(data)) : formatYaml(data);
    case 'table':
      return formatTable(data, opts);
    case 'tsv':
      return formatTsv(data, opts);
    case 'none':
      return '';
    default:
      throw new CliError(`Unknown output format: ${String(format)}`);
  }
}

// ---------------------------------------------------------------------------------------------- json

/** `json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False, separators=(',', ': ')) + "\n"`. */
export function formatJson(data: unknown): string {
  return `${pyJsonDumps(data, { compact: false })}\n`;
}

/**
 * Python `json.dumps`: pretty = (indent=2, sort_keys=True, ensure_ascii=False), compact =
 * (separators=(',', ':'), ensure_ascii=True, insertion order) as used by jmespath's to_string().
 */
function pyJsonDumps(value: unknown, { compact }: { compact: boolean }): string {
  const str = (s: string): string => {
    const json = JSON.stringify(s);
    return compact
      ? json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
      : json;
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

// JSON syntax highlighting as Pygments' JsonLexer + TerminalFormatter render it.
const RESET = '\x1b[39;49;00m';
const C_KEY = '\x1b[94m';
const C_STRING = '\x1b[33m';
const C_LITERAL = '\x1b[34m';
const C_WS = '\x1b[37m';
const C_SPACE_IN_QUOTES = '\x1b[31m';
const C_DOC_END = '\x1b[04m\x1b[36m';

function ansi(code: string, text: string): string {
  return `${code}${text}${RESET}`;
}

/** TerminalFormatter output for a token: coloured per line, newlines kept outside the colour codes. */
function colorToken(code: string | null, text: string): string {
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

function colorizeJson(text: string): string {
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

// ---------------------------------------------------------------------------------------------- yaml

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

function hex(cp: number, width: number): string {
  return cp.toString(16).toUpperCase().padStart(width, '0');
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

function emitYaml(data: unknown): Segment[] {
  const emitter = new YamlEmitter();
  emitter.emitDocument(data);
  return emitter.segments;
}

/** yamlc: the YAML text as Pygments' YamlLexer + TerminalFormatter colour it. */
function colorizeYaml(segments: Segment[]): string {
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
const PY_WHITESPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
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

// ---------------------------------------------------------------------------------------------- table

const TABLE_SKIP_KEYS = ['id', 'type', 'etag'];

/** knack `format_table` (`_TableOutput` over tabulate `simple`, disable_numparse). */
export function formatTable(data: unknown, opts: RenderOptions): string {
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
        if (!hasInvisible) return pySplitlines(ms).map((l) => padRight(maxwidth, l)).join('\n');
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
    const paddedHeader = multiline ? header.split(/\r|\n|\r\n/).map(alignHeader).join('\n') : alignHeader(header);
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

// ---------------------------------------------------------------------------------------------- tsv

/** knack `format_tsv` (`_TsvOutput`). */
export function formatTsv(data: unknown, opts: RenderOptions): string {
  let out = '';
  for (const item of Array.isArray(data) ? data : [data]) {
    if (Array.isArray(item)) {
      out += item.map(tsvField).join('\t');
    } else if (isPlainObject(item)) {
      const keys = isOrderedObject(item, opts) ? insertionKeys(item) : sortedKeys(item);
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

// ================================================================================================
// Python semantics helpers
// ================================================================================================

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

function cpLen(s: string): number {
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

function isPyInt(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 1e21;
}

/** Python `str()` of a number that came from JSON: integers print as ints, the rest as float repr. */
function pyNumberStr(n: number): string {
  return isPyInt(n) ? (Object.is(n, -0) ? '0' : String(n)) : pyFloatRepr(n);
}

/** Python `repr(float)`: shortest round-trip digits, exponent form when exp < -4 or exp >= 16. */
function pyFloatRepr(n: number): string {
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

/** Python `str()` for JSON-like values. */
function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  return pyRepr(value);
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python `repr()` for JSON-like values (dicts in insertion order). */
function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumberStr(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') {
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

const PY_LSTRIP = new RegExp(`^[${PY_WHITESPACE}]+`);
const PY_RSTRIP = new RegExp(`[${PY_WHITESPACE}]+$`);

function pyStrip(s: string): string {
  return s.replace(PY_LSTRIP, '').replace(PY_RSTRIP, '');
}

function pyRstrip(s: string): string {
  return s.replace(PY_RSTRIP, '');
}

/** Python `str.splitlines()`. */
function pySplitlines(s: string): string[] {
  if (!s) return [];
  const parts = s.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}
