import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';

const base: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false };
// Bodies are JSON: a wrong type is a client error, never silently converted ({"name": 5} is a 400).
const strict = addFormats.default(new Ajv({ ...base, coerceTypes: false }));
// Query strings, path parameters and headers are text: numbers and booleans are coerced.
const coercing = addFormats.default(new Ajv({ ...base, coerceTypes: 'array' }));

type Validate = ((data: unknown) => boolean) & { errors?: unknown };
type Serialize = (data: unknown) => string;
type BuildSerializer = (externalSchemas: unknown, options: unknown) => FastifySerializerCompiler<unknown>;

/**
 * The app's schema compilers, which compile a route's validators (ajv) and serializers
 * (fast-json-stringify) on the route's first request instead of at start: compiling every route's
 * schemas eagerly was about 40 % of a cold start (profiled, 2026-12-01), for routes most
 * processes never serve. A request pays its route's compile once (milliseconds); after that the
 * wrapper costs one call. A schema that cannot compile would fail its route's first request
 * rather than the start, so `compileAll` compiles whatever is still waiting (a test calls it on
 * the whole app).
 */
export function schemaCompilers() {
  const waiting = new Set<() => void>();
  let compiled = 0;
  /** A getter of `make()`'s function: made on the first call (or in compileAll), served from then on. */
  function deferred<F extends (data: unknown) => unknown>(make: () => F): () => F {
    let f: F | undefined;
    const force = () => {
      if (f) return;
      f = make();
      compiled++;
      waiting.delete(force);
    };
    waiting.add(force);
    return () => {
      if (!f) force();
      return f!;
    };
  }

  const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    const compiledValidator = deferred(() => ajv.compile(schema as object) as Validate);
    // Fastify reads `errors` off the function it was given after a failed validation.
    const validate: Validate = (data) => {
      const v = compiledValidator();
      const ok = v(data);
      validate.errors = v.errors;
      return ok;
    };
    return validate as ReturnType<FastifySchemaCompiler<unknown>>;
  };

  /** Fastify's own serializer factory (fast-json-stringify with the app's shared schemas), deferred per route. */
  const defaultSerializers = SerializerSelector() as unknown as BuildSerializer;
  const buildSerializer: BuildSerializer = (externalSchemas, options) => {
    const compile = defaultSerializers(externalSchemas, options);
    return (route) => {
      const serializer = deferred(() => compile(route) as Serialize);
      return (data: unknown) => serializer()(data);
    };
  };

  return {
    validatorCompiler,
    buildSerializer,
    /** Compiles every schema still waiting; answers how many were compiled in all. */
    compileAll(): number {
      for (const force of [...waiting]) force();
      return compiled;
    },
    /** How many schemas have been compiled so far, and how many wait for their route's first request. */
    counts: () => ({ compiled, waiting: waiting.size }),
  };
}

export type SchemaCompilers = ReturnType<typeof schemaCompilers>;
