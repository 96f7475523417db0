import type { TSchema } from '@sinclair/typebox';
import type { RouteAccess } from './types.js';
import { describeRequirement } from '../domain/permissions.js';
import { ERRORS, type ErrorCode } from '../errors/catalog.js';
import { Type } from '@sinclair/typebox';

/**
 * The access part of a route definition: goes into `config` (enforced by the face's auth hook)
 * and into the OpenAPI operation as `x-permission` / `x-tenant-scoped`, from the one declaration.
 */
export function access(a: RouteAccess): { config: RouteAccess; schemaExtras: Record<string, unknown> } {
  const extras: Record<string, unknown> = {};
  if (a.permission) extras['x-permission'] = describeRequirement(a.permission);
  if (a.tenantScoped) extras['x-tenant-scoped'] = true;
  if (a.platformAdmin) extras['x-platform-admin'] = true;
  // OpenAPI: `[]` = public, `{}` alongside bearer = a token is used when present.
  extras.security = a.auth === 'none' ? [] : a.auth === 'optional' ? [{ bearer: [] }, {}] : [{ bearer: [] }];
  return { config: a, schemaExtras: extras };
}

/** Where errorResponses records its codes on each schema it returns (read back by trackRoutes; not serialized). */
const DECLARED_CODES = Symbol('declaredErrorCodes');

/** Response schemas for the catalogued errors a route documents (grouped by status). */
export function errorResponses(envelope: TSchema, ...codes: ErrorCode[]): Record<number, TSchema> {
  const byStatus: Record<number, ErrorCode[]> = {};
  for (const c of codes) (byStatus[ERRORS[c].status] ??= []).push(c);
  const out: Record<number, TSchema> = {};
  for (const [status, cs] of Object.entries(byStatus)) {
    out[Number(status)] = Object.defineProperty(Type.Ref(envelope.$id!, { description: cs.join(', ') }), DECLARED_CODES, { value: cs });
  }
  return out;
}

/** The codes a route's response schemas declare through errorResponses, in declaration order. */
function declaredCodes(schema: unknown): ErrorCode[] {
  const response = (schema as { response?: Record<string, unknown> } | undefined)?.response ?? {};
  return Object.values(response).flatMap((s) => (s as { [DECLARED_CODES]?: ErrorCode[] } | null)?.[DECLARED_CODES] ?? []);
}

/** One registered route as its definition declared it (tests generate security cases from these). */
export interface RouteEntry {
  method: string;
  url: string;
  config: RouteAccess;
  hidden: boolean;
  /** The catalogued codes the route documents via errorResponses (test/ops/error-codes.test.ts needs a case for each). */
  errorCodes: ErrorCode[];
}

const ROUTE_TABLES = new WeakMap<object, RouteEntry[]>();

/** Records every route registered on `app` from now on, in any child context. Call before registering routes. */
export function trackRoutes(app: {
  addHook(name: 'onRoute', fn: (r: { method: string | string[]; url: string; config?: unknown; schema?: unknown }) => void): unknown;
}): void {
  const table: RouteEntry[] = [];
  ROUTE_TABLES.set(app, table);
  app.addHook('onRoute', (r) => {
    const hidden = !!(r.schema as { hide?: boolean } | undefined)?.hide;
    const errorCodes = declaredCodes(r.schema);
    for (const method of ([] as string[]).concat(r.method))
      if (method !== 'HEAD') table.push({ method, url: r.url, config: (r.config ?? {}) as RouteAccess, hidden, errorCodes });
  });
}

/** The routes recorded by trackRoutes(app). */
export function routeTable(app: object): readonly RouteEntry[] {
  return ROUTE_TABLES.get(app) ?? [];
}

/**
 * An onRoute hook for a face whose auth hook rejects requests without a valid token: every route
 * that takes a token (auth `bearer` or `optional`) documents that 401, in the face's `envelope`,
 * unless it declares its own. Not recorded as a declared code: the auth suites test it per route.
 */
export function authErrorResponse(envelope: TSchema) {
  const ref = () => Type.Ref(envelope.$id!, { description: 'AUTH_MISSING, AUTH_INVALID_TOKEN' });
  return (r: { config?: unknown; schema?: { response?: Record<string | number, unknown>; hide?: boolean } }) => {
    if ((r.config as RouteAccess | undefined)?.auth === 'none' || !r.schema || r.schema.hide) return;
    if (r.schema.response?.[401] === undefined) r.schema.response = { ...r.schema.response, 401: ref() };
  };
}

/** A deep copy of `value` with every object key `from` renamed to `to` (for the OpenAPI document). */
export function renameKeys<T>(value: T, from: string, to: string): T {
  if (Array.isArray(value)) return value.map((v: unknown) => renameKeys(v, from, to)) as T;
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k === from ? to : k, renameKeys(v, from, to)])) as T;
}
