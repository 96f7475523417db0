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
  if (a.auth !== 'none') extras.security = [{ bearer: [] }];
  return { config: a, schemaExtras: extras };
}

/** Response schemas for the catalogued errors a route documents (grouped by status). */
export function errorResponses(envelope: TSchema, ...codes: ErrorCode[]): Record<number, TSchema> {
  const byStatus: Record<number, ErrorCode[]> = {};
  for (const c of codes) (byStatus[ERRORS[c].status] ??= []).push(c);
  const out: Record<number, TSchema> = {};
  for (const [status, cs] of Object.entries(byStatus)) out[Number(status)] = Type.Ref(envelope.$id!, { description: cs.join(', ') });
  return out;
}

/** One registered route as its definition declared it (tests generate security cases from these). */
export interface RouteEntry {
  method: string;
  url: string;
  config: RouteAccess;
  hidden: boolean;
}

const ROUTE_TABLES = new WeakMap<object, RouteEntry[]>();

/** Records every route registered on `app` from now on, in any child context. Call before registering routes. */
export function trackRoutes(app: { addHook(name: 'onRoute', fn: (r: { method: string | string[]; url: string; config?: unknown; schema?: unknown }) => void): unknown }): void {
  const table: RouteEntry[] = [];
  ROUTE_TABLES.set(app, table);
  app.addHook('onRoute', (r) => {
    const hidden = !!(r.schema as { hide?: boolean } | undefined)?.hide;
    for (const method of ([] as string[]).concat(r.method)) if (method !== 'HEAD') table.push({ method, url: r.url, config: (r.config ?? {}) as RouteAccess, hidden });
  });
}

/** The routes recorded by trackRoutes(app). */
export function routeTable(app: object): readonly RouteEntry[] {
  return ROUTE_TABLES.get(app) ?? [];
}
