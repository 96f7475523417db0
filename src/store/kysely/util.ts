import type { Kysely } from 'kysely';
import { UniqueViolation } from '../port.js';
import { isSqliteUniqueViolation } from '../dialects/sqlite.js';
import { isPostgresUniqueViolation } from '../dialects/postgres.js';
import type { DB } from './schema.js';

export type Db = Kysely<DB>;

export async function guardUnique<T>(table: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (isSqliteUniqueViolation(e) || isPostgresUniqueViolation(e)) throw new UniqueViolation(table, e);
    throw e;
  }
}

export const bool = (n: number | boolean): boolean => n === 1 || n === true;
export const num = (v: number | string | bigint): number => Number(v);
export const numOrNull = (v: number | string | bigint | null): number | null => (v === null ? null : Number(v));
export const json = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));
export const key = (s: string): string => s.toLowerCase();

/** Number of affected rows of an update/delete result, across dialects. */
export function affected(
  r: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | { numUpdatedRows?: bigint; numDeletedRows?: bigint }[],
): number {
  const one = Array.isArray(r) ? r[0] : r;
  return Number(one?.numUpdatedRows ?? one?.numDeletedRows ?? 0n);
}
