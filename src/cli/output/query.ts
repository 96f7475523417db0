/**
 * `--query` (JMESPath) as az runs it: compiled at parse time (syntax error: usage error, exit 2),
 * applied before formatting (evaluation error: exit 1), both with az's wordings and the query hint.
 *
 * az evaluates with Python jmespath 1.0.1. We parse and evaluate with jmespath.js 0.16.0 (vendored,
 * see vendor/jmespath/README.md for why), subclassing its Lexer/Parser/Runtime/TreeInterpreter
 * where Python differs; the function signatures and messages are in ./jmespath-python.js.
 */
import * as jmespath from '../../../vendor/jmespath/jmespath.cjs';
import type { JmesNode } from '../../../vendor/jmespath/jmespath.cjs';
import { CliError, CliUsageError } from './errors.js';
import { pyJsonDumps } from './json.js';
import { JmesEvalError, pyCompare, pyTypeName, PY_SIGNATURES, PY_TYPES_MAP, typeError, validateArgs } from './jmespath-python.js';
import { cpLen, isPlainObject, markOrderedDict, pyRepr } from './python-compat.js';

export const QUERY_HINT = "To learn more about --query, please visit: 'https://docs.microsoft.com/cli/azure/query-azure-cli'";

export interface CompiledQuery {
  readonly expression: string;
  /** Evaluate against `data`; throws the raw evaluation error (see applyQuery for the CLI mapping). */
  search(data: unknown): unknown;
}

/** Python's lexer: a `literal` that is not valid JSON is a (deprecated) raw string, never an error. */
class PyLexer extends jmespath.Lexer {
  override _looksLikeJSON(literal: string): boolean {
    if (literal === '') return false;
    try {
      JSON.parse(literal);
      return true;
    } catch {
      return false;
    }
  }
}

class PyParser extends jmespath.Parser {
  override _loadTokens(expression: string): void {
    const tokens = new PyLexer().tokenize(expression);
    tokens.push({ type: 'EOF', value: '', start: expression.length });
    this.tokens = tokens;
  }
}

const jmesType = (rt: jmespath.Runtime, value: unknown) => PY_TYPES_MAP[pyTypeName(rt, value)] ?? 'unknown';

/** Python's function semantics: argument checks and messages, key checks, code-point strings. */
class PyRuntime extends jmespath.Runtime {
  override _validateArgs(name: string, args: unknown[], signature: jmespath.FunctionSignature[]): void {
    if (PY_SIGNATURES[name]) validateArgs(this, name, args);
    super._validateArgs(name, args, signature);
  }

  private keyFunc(expref: JmesNode, allowed: string[], fn: string) {
    return (x: unknown) => {
      const result = this._interpreter.visit(expref, x);
      const t = jmesType(this, result);
      if (!allowed.includes(t)) throw typeError(fn, result, t, allowed);
      return result as number | string;
    };
  }

  _functionSortBy([array, expref]: [unknown[], JmesNode]): unknown[] {
    if (!array.length) return array;
    const required = jmesType(this, this._interpreter.visit(expref, array[0]));
    if (required !== 'number' && required !== 'string') throw typeError('sort_by', array[0], required, ['string', 'number']);
    const key = this.keyFunc(expref, [required], 'sort_by');
    const decorated = array.map((item, index) => ({ item, index, k: key(item) }));
    decorated.sort((p, q) => (pyCompare('<', p.k, q.k) ? -1 : pyCompare('<', q.k, p.k) ? 1 : p.index - q.index));
    return decorated.map((d) => d.item);
  }

  private extremeBy(fn: 'min_by' | 'max_by', [array, expref]: [unknown[], JmesNode]): unknown {
    const key = this.keyFunc(expref, ['number', 'string'], fn);
    if (!array.length) return null;
    let best = array[0];
    let bestKey = key(best);
    for (let i = 1; i < array.length; i++) {
      const k = key(array[i]);
      if (pyCompare(fn === 'max_by' ? '>' : '<', k, bestKey)) {
        best = array[i];
        bestKey = k;
      }
    }
    return best;
  }

  _functionMinBy(args: [unknown[], JmesNode]): unknown {
    return this.extremeBy('min_by', args);
  }

  _functionMaxBy(args: [unknown[], JmesNode]): unknown {
    return this.extremeBy('max_by', args);
  }

  _functionAvg([array]: [number[]]): number | null {
    return array.length ? array.reduce((s, v) => s + v, 0) / array.length : null;
  }

  override _functionLength(args: unknown[]): unknown {
    return typeof args[0] === 'string' ? cpLen(args[0]) : super._functionLength(args);
  }

  override _functionReverse(args: unknown[]): unknown {
    return typeof args[0] === 'string' ? Array.from(args[0]).reverse().join('') : super._functionReverse(args);
  }

  _functionToString([value]: [unknown]): string {
    return typeof value === 'string' ? value : pyJsonDumps(value, { compact: true });
  }
}

const ORDERING = { LT: '<', GT: '>', LTE: '<=', GTE: '>=' } as const;

/** Python's tree walk: own-property fields, OrderedDict multiselect-hashes, ordering comparators. */
class PyInterpreter extends jmespath.TreeInterpreter {
  override visit(node: JmesNode, value: unknown): unknown {
    if (!node || typeof node !== 'object') throw new JmesEvalError('Invalid jmespath expression');
    switch (node.type) {
      case 'Field':
        return isPlainObject(value) && Object.prototype.hasOwnProperty.call(value, node.name!) ? value[node.name!] : null;
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
        markOrderedDict(collected, keys);
        return collected;
      }
      case 'Comparator': {
        const op = ORDERING[node.name as keyof typeof ORDERING];
        if (!op) break;
        const left = this.visit(node.children![0]!, value);
        const right = this.visit(node.children![1]!, value);
        const comparable = (x: unknown) => typeof x === 'string' || typeof x === 'number';
        if (!comparable(left) || !comparable(right)) return null;
        return pyCompare(op, left as number | string, right as number | string);
      }
    }
    return super.visit(node, value);
  }
}

/** Python jmespath rejects a few expressions that jmespath.js accepts: mirror its lexer/parser there. */
function pythonOnlySyntaxError(expression: string, ast: JmesNode): boolean {
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
  // A lone `-` (`[-]`): Python's lexer reports "Unknown token '-'"; jmespath.js lexes it as NaN.
  if (new PyLexer().tokenize(expression).some((t) => t.type === 'Number' && Number.isNaN(t.value))) return true;
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
  let ast: JmesNode | undefined;
  try {
    ast = new PyParser().parse(expression);
    if (pythonOnlySyntaxError(expression, ast)) ast = undefined;
  } catch {
    ast = undefined;
  }
  if (!ast) {
    throw new CliUsageError(`argument --query: invalid jmespath_type value: ${pyRepr(expression)}`, {
      recommendations: [QUERY_HINT],
    });
  }
  const compiled = ast;
  return {
    expression,
    search: (data: unknown) => {
      const runtime = new PyRuntime();
      const interpreter = new PyInterpreter(runtime);
      runtime._interpreter = interpreter;
      const result = interpreter.search(compiled, data);
      return result === undefined ? null : result;
    },
  };
}

/**
 * Apply a query (string or compiled) to a command result. Evaluation errors become CliError (exit 1):
 * ``Invalid jmespath query supplied for `--query`: <message>`` + the query hint line.
 * Objects produced by multiselect-hashes are OrderedDicts (see python-compat / tsv).
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
