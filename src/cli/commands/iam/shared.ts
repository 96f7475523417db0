import { CliNotFoundError } from '../../output/index.js';
import type { ArgSpec, CommandContext } from '../../command-table.js';
import { isUuid } from '../../../domain/ids.js';
import { sameName } from '../../../domain/names.js';

export const seg = (s: string) => encodeURIComponent(s);

/** GET a `{value: [...]}` collection of the current tenant and return the array (az list commands print arrays). */
export async function listOf<T = unknown>(
  ctx: CommandContext,
  path: string,
  query?: Record<string, string | number | undefined>,
): Promise<T[]> {
  const c = await ctx.client();
  return (await c.request<{ value: T[] }>('GET', path, { tenant: await ctx.tenant(), query })).value;
}

/** Call the API in the current tenant. */
export async function call<T = unknown>(ctx: CommandContext, method: string, path: string, body?: unknown): Promise<T> {
  const c = await ctx.client();
  return c.request<T>(method, path, { tenant: await ctx.tenant(), body });
}

/**
 * An id, or a name looked up in a list (for routes that take ids only). Unknown → exit 3 with the
 * server's code and wording.
 */
export async function idByName(
  ctx: CommandContext,
  value: string,
  path: string,
  field: string,
  code: string,
  what: string,
): Promise<string> {
  if (isUuid(value)) return value.toLowerCase();
  const items = await listOf<Record<string, unknown>>(ctx, path);
  const hit = items.find((x) => sameName(String(x[field]), value));
  if (!hit) throw new CliNotFoundError(`(${code}) ${what} ${value} not found`);
  return String(hit.id);
}

export const positiveInt = (max?: number) => (v: string) =>
  /^\d+$/.test(v) && Number(v) >= 1 && (max === undefined || Number(v) <= max)
    ? undefined
    : `use a whole number from 1${max ? ` to ${max}` : ''}`;

export const isoTime = (v: string) => (Number.isNaN(Date.parse(v)) ? 'use an ISO 8601 time such as 2030-01-31T00:00:00Z' : undefined);

export const ROLES_ARG = (required: boolean): ArgSpec => ({
  dest: 'roles',
  options: ['--role', '-r'],
  multiple: true,
  required,
  help: "Role name or id; repeat the option or give several values: -r 'EI Admin' -r Reader.",
});
