import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const base: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false };
// Bodies are JSON: a wrong type is a client error, never silently converted ({"name": 5} is a 400).
const strict = addFormats.default(new Ajv({ ...base, coerceTypes: false }));
// Query strings, path parameters and headers are text: numbers and booleans are coerced.
const coercing = addFormats.default(new Ajv({ ...base, coerceTypes: 'array' }));

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? strict : coercing).compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
