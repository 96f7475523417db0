/**
 * Python jmespath 1.0.1's function signatures (functions.py), type names and error messages, which
 * az prints verbatim, and Python's rich comparison of two numbers/strings.
 */
import type { Runtime } from '../../../vendor/jmespath/jmespath.cjs';
import { compareCodePoints, isOrderedDict, isPyInt, pyRepr, pyStr } from './python-compat.js';

/** An evaluation error carrying the exact Python jmespath message. */
export class JmesEvalError extends Error {}

export const PY_SIGNATURES: Record<string, { args: string[][]; variadic?: boolean }> = {
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

/** Python type name -> JMESPath type name. */
export const PY_TYPES_MAP: Record<string, string> = {
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

/** The Python type name of a jmespath.js value. */
export function pyTypeName(rt: Runtime, value: unknown): string {
  switch (rt._getTypeName(value)) {
    case 0:
      return isPyInt(value as number) ? 'int' : 'float';
    case 2:
      return 'str';
    case 3:
      return 'list';
    case 4:
      return isOrderedDict(value as object) ? 'OrderedDict' : 'dict';
    case 5:
      return 'bool';
    case 6:
      return '_Expression';
    case 7:
      return 'NoneType';
    default:
      return value === undefined ? 'NoneType' : 'object';
  }
}

export function typeError(fn: string, current: unknown, actual: string, expected: string[]): JmesEvalError {
  return new JmesEvalError(
    `In function ${fn}(), invalid type for value: ${pyStr(current)}, ` + `expected one of: ${pyRepr(expected)}, received: "${actual}"`,
  );
}

/** Python's `Functions._validate_arguments` for a function in PY_SIGNATURES (arity, then types). */
export function validateArgs(rt: Runtime, name: string, args: unknown[]): void {
  const sig = PY_SIGNATURES[name];
  const n = sig.args.length;
  const plural = n === 1 ? 'argument' : 'arguments';
  if (sig.variadic) {
    if (args.length < n) throw new JmesEvalError(`Expected at least ${n} ${plural} for function ${name}(), received ${args.length}`);
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
    const actual = pyTypeName(rt, current);
    if (!allowed.includes(actual)) throw typeError(name, current, PY_TYPES_MAP[actual] ?? 'unknown', types);
    if (allowedSub.length && Array.isArray(current)) {
      let sub: string[] | undefined;
      if (allowedSub.length === 1) sub = allowedSub[0];
      else if (current.length) {
        const first = pyTypeName(rt, current[0]);
        sub = allowedSub.find((s) => s.includes(first));
        if (!sub) throw typeError(name, current[0], first, types);
      }
      for (const element of sub ? current : []) {
        const t = pyTypeName(rt, element);
        if (!sub!.includes(t)) throw typeError(name, element, t, types);
      }
    }
  }
}

function pyScalarType(v: unknown): string {
  return typeof v === 'string' ? 'str' : typeof v === 'number' ? (isPyInt(v) ? 'int' : 'float') : 'NoneType';
}

/** Python's `a <op> b` for numbers/strings; str vs number raises Python's TypeError text. */
export function pyCompare(op: '<' | '>' | '<=' | '>=', a: number | string, b: number | string): boolean {
  if (typeof a !== typeof b) {
    throw new JmesEvalError(`'${op}' not supported between instances of '${pyScalarType(a)}' and '${pyScalarType(b)}'`);
  }
  const c = typeof a === 'string' ? compareCodePoints(a, b as string) : a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
  return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
}
