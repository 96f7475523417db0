import type { JsonSchema } from './schema.js';

/** One operation of the OpenAPI document, as much of it as the generators need. */
export interface Operation {
  method: string;
  /** The OpenAPI path template, `/iam/users/{userId}`. */
  path: string;
  pathParams: Param[];
  query: Param[];
  headers: Param[];
  /** The JSON request body's schema, when the operation declares one. */
  body?: JsonSchema;
  bodyRequired: boolean;
  /** Operations with `security` need a credential; the others are open. */
  secured: boolean;
}

export interface Param {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface OpenApiOperation {
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
}

/** Replaces `$ref: '#/components/schemas/X'` by the schema it names (our request schemas hold no cycles). */
function deref(s: unknown, doc: OpenApiDoc, seen = new Set<string>()): unknown {
  if (Array.isArray(s)) return s.map((x) => deref(x, doc, seen));
  if (!s || typeof s !== 'object') return s;
  const ref = (s as { $ref?: string }).$ref;
  if (ref) {
    const name = ref.replace(/^#\/components\/schemas\//, '');
    if (seen.has(name)) return {};
    return deref(doc.components?.schemas?.[name] ?? {}, doc, new Set([...seen, name]));
  }
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, deref(v, doc, seen)]));
}

/** Every operation of every face the document lists, in document order. */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters ?? []).map((p) => ({
        in: p.in,
        name: p.name,
        required: !!p.required,
        schema: deref(p.schema ?? {}, doc) as JsonSchema,
      }));
      const pick = (where: string) =>
        params.filter((p) => p.in === where).map(({ name, required, schema }) => ({ name, required, schema }));
      const json = op.requestBody?.content?.['application/json']?.schema;
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: pick('path'),
        query: pick('query'),
        headers: pick('header'),
        ...(json ? { body: deref(json, doc) as JsonSchema } : {}),
        bodyRequired: !!op.requestBody?.required,
        secured: !!op.security?.length,
      });
    }
  }
  return out;
}
