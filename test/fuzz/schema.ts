import fc, { type Arbitrary } from 'fast-check';

/** The part of JSON Schema (OpenAPI 3.0 flavour) that @fastify/swagger emits for our TypeBox schemas. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  nullable?: boolean;
  description?: string;
  default?: unknown;
}

/**
 * How a value is drawn from a schema:
 * - `valid`: what the schema (and a `^…$` pattern leading its description) allows;
 * - `boundary`: each leaf is valid or an edge of its type (empty, max and max+1 length, huge
 *   numbers, unicode, NUL, lone surrogates, very long strings, deep nesting);
 * - `wrong`: each leaf may be of the wrong type, required properties may be missing and unknown ones added.
 */
export type Mode = 'valid' | 'boundary' | 'wrong';

/** Strings the live API gives meaning to (fixture ids, role and permission names, api-versions), so valid values reach handlers. */
export interface Vocabulary {
  strings: readonly string[];
}

/**
 * A value nested `depth` levels deep (objects or arrays). Held as a marker, because
 * JSON.stringify of 20,000 levels overflows the fuzzer's own stack: encodeJson writes it out.
 */
export class Deep {
  constructor(
    readonly depth: number,
    readonly kind: 'object' | 'array',
  ) {}
  toJSON(): string {
    return `\u0001deep:${this.depth}:${this.kind}\u0001`;
  }
}

export const nested = (depth: number, kind: 'object' | 'array') => new Deep(depth, kind);

/** JSON.stringify, with each Deep written out as its levels of nesting. */
export function encodeJson(v: unknown): string {
  return (JSON.stringify(v) ?? 'null').replace(/"\\u0001deep:(\d+):(\w+)\\u0001"/g, (_, d: string, k: string) =>
    k === 'object' ? '{"a":'.repeat(Number(d)) + '1' + '}'.repeat(Number(d)) : '['.repeat(Number(d)) + '1' + ']'.repeat(Number(d)),
  );
}

/** The nesting depth of a parsed JSON value (iterative: it must measure what overflows the server's stack). */
export function depthOf(v: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    max = Math.max(max, d + 1);
    for (const c of Object.values(x as object)) stack.push([c, d + 1]);
  }
  return max;
}

/** Edge strings of any text field. */
export const edgeStrings = (max = 64): Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(
      '',
      ' ',
      'a\u0000',
      '\u0000',
      'x\u0000y',
      '\ud800',
      'a\udfffb',
      '\ufeff',
      '\u202e',
      'é',
      'e\u0301',
      '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
      '😀',
      '../../etc/passwd',
      '%00',
      '%',
      "'; drop table users; --",
      '${jndi:x}',
      '<script>',
      '\r\n',
      'null',
      '__proto__',
      'constructor',
    ),
    fc.constantFrom(max, max + 1, 1_000, 20_000).map((n) => 'a'.repeat(n)),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
  );

const edgeNumbers = (s: JsonSchema): Arbitrary<number> =>
  fc.constantFrom(
    0,
    -1,
    1,
    (s.minimum ?? 0) - 1,
    (s.maximum ?? 0) + 1,
    s.minimum ?? -0,
    s.maximum ?? 2 ** 31,
    2 ** 31,
    2 ** 53,
    -(2 ** 53),
    Number.MAX_SAFE_INTEGER + 2,
    1e308,
    -1e308,
    1.5,
    5e-324,
  );

/** Deep values: the stack-depth edge of JSON parsing and serialisation. */
const deep = (): Arbitrary<unknown> =>
  fc
    .tuple(fc.constantFrom(2, 50, 1_000, 5_000, 20_000), fc.constantFrom('object' as const, 'array' as const))
    .map(([d, k]) => nested(d, k));

const wrongTyped = (): Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(null, true, false, 0, -1, 1.5, '', 'x', [], {}, [null], { a: 1 }, '1', 'true'),
    fc.jsonValue({ maxDepth: 2 }),
    deep(),
  );

/** A regular expression a description starts with (`"^[0-9a-zA-Z-]{1,40}$, unique in the tenant"`). */
function describedPattern(s: JsonSchema): string | undefined {
  return s.pattern ?? /^(\^\S+\$)(?:[,;\s]|$)/.exec(s.description ?? '')?.[1];
}

function validString(s: JsonSchema, vocab: Vocabulary): Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 64, 200);
  const fits = (v: string) => v.length >= min && v.length <= (s.maxLength ?? Infinity);
  if (s.format === 'uuid') return fc.uuid();
  if (s.format === 'date-time')
    return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  const pattern = describedPattern(s);
  const own: Arbitrary<string>[] = [];
  if (pattern) {
    try {
      own.push(fc.stringMatching(new RegExp(pattern)).filter(fits));
    } catch {
      // a description that is not a regex after all
    }
  }
  if (!own.length) own.push(fc.string({ minLength: min, maxLength: Math.max(min, max) }));
  const known = vocab.strings.filter(fits);
  return known.length ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 2 }, ...own) : fc.oneof(...own);
}

/** A value drawn from `s` in `mode`. */
export function fromSchema(s: JsonSchema, mode: Mode, vocab: Vocabulary, depth = 0): Arbitrary<unknown> {
  const base = shaped(s, mode, vocab, depth);
  const withNull = s.nullable ? fc.oneof({ arbitrary: base, weight: 5 }, fc.constant(null)) : base;
  if (mode === 'valid') return withNull;
  const edge = mode === 'boundary' ? leafEdge(s) : wrongTyped();
  return fc.oneof({ arbitrary: withNull, weight: 3 }, { arbitrary: edge, weight: 1 });
}

function leafEdge(s: JsonSchema): Arbitrary<unknown> {
  switch (s.type) {
    case 'string':
      return edgeStrings(s.maxLength ?? 64);
    case 'integer':
    case 'number':
      return edgeNumbers(s);
    case 'array':
      return fc.oneof(
        fc.constant([]),
        fc.constantFrom((s.maxItems ?? 50) + 1, 1_000).map((n) => Array.from({ length: n }, () => 'a')),
        deep().map((d) => [d]),
      );
    case 'object':
      return fc.oneof(
        fc.constant({}),
        deep().map((d) => ({ a: d })),
        fc.constant(JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}')),
      );
    default:
      return fc.oneof(edgeStrings(), deep(), edgeNumbers(s));
  }
}

function shaped(s: JsonSchema, mode: Mode, vocab: Vocabulary, depth: number): Arbitrary<unknown> {
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.anyOf) return fc.oneof(...s.anyOf.map((a) => fromSchema(a, mode, vocab, depth + 1)));
  switch (s.type) {
    case 'string':
      return validString(s, vocab);
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(s.items ? fromSchema(s.items, mode, vocab, depth + 1) : fc.jsonValue({ maxDepth: 1 }), {
        minLength: s.minItems ?? 0,
        maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 4, 4)),
      });
    case 'object':
      return objectOf(s, mode, vocab, depth);
    default:
      // `{}` (any JSON), or a read-only field described but not typed
      return fc.jsonValue({ maxDepth: depth > 2 ? 0 : 2 });
  }
}

function objectOf(s: JsonSchema, mode: Mode, vocab: Vocabulary, depth: number): Arbitrary<unknown> {
  const props = s.properties ?? {};
  const required = new Set(s.required ?? []);
  const names = Object.keys(props);
  const extraSchema = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  const maxExtra = Math.min(s.maxProperties ?? 3, 3);
  const declared = names.length
    ? fc.record(Object.fromEntries(names.map((n) => [n, fromSchema(props[n]!, mode, vocab, depth + 1)])), {
        requiredKeys: names.filter((n) => required.has(n)),
      })
    : fc.constant({});
  const extras =
    extraSchema || (s.additionalProperties !== false && !names.length)
      ? fc.dictionary(
          fc.string({ minLength: 1, maxLength: 12 }),
          extraSchema ? fromSchema(extraSchema, mode, vocab, depth + 1) : fc.jsonValue({ maxDepth: 1 }),
          {
            maxKeys: maxExtra,
          },
        )
      : fc.constant({});
  const valid = fc.tuple(declared, extras).map(([d, e]) => ({ ...e, ...d }));
  if (mode !== 'wrong') return valid;
  // missing required properties and unknown ones
  return fc
    .tuple(valid, fc.subarray([...required]), fc.dictionary(fc.string({ maxLength: 12 }), wrongTyped(), { maxKeys: 2 }))
    .map(([v, drop, add]) => {
      const o = { ...add, ...(v as object) } as Record<string, unknown>;
      for (const k of drop) delete o[k];
      return o;
    });
}
