import { CompiledQuery, type Kysely } from 'kysely';
import { UniqueViolation } from '../port.js';
import { isUniqueViolation } from '../dialects/unique-violation.js';
import type { DB } from './schema.js';
import { nameKey } from '../../domain/names.js';

export type Db = Kysely<DB>;

export async function guardUnique<T>(table: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (isUniqueViolation(e)) throw new UniqueViolation(table, e);
    throw e;
  }
}

export const bool = (n: number | boolean): boolean => n === 1 || n === true;
export const num = (v: number | string | bigint): number => Number(v);
export const numOrNull = (v: number | string | bigint | null): number | null => (v === null ? null : Number(v));
export const json = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));
/** A `*_key` column's value: the one case-folding rule, so the unique index and the services agree. */
export const key = nameKey;

/** Number of affected rows of an update/delete result, across dialects. */
export function affected(
  r: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | { numUpdatedRows?: bigint; numDeletedRows?: bigint }[],
): number {
  const one = Array.isArray(r) ? r[0] : r;
  return Number(one?.numUpdatedRows ?? one?.numDeletedRows ?? 0n);
}

/** SQL of `insertRow`, per dialect (Kysely's adapter object) and per table and column list. */
const insertSql = new WeakMap<object, Map<string, string | null>>();

/**
 * `db.insertInto(table).values(row).execute()` for the hot path's single-row inserts (sessions,
 * refresh tokens, audit records), without building and compiling the query tree each time
 * (about 10 µs an insert): Kysely compiles the statement for the first row of each column list
 * on each dialect, and later rows run that SQL with their own values. The first compile is
 * checked to bind exactly the row's values in key order; a shape where it does not (a value
 * Kysely would turn into an expression) is always built by Kysely instead.
 */
export async function insertRow<T extends keyof DB & string>(db: Db, table: T, row: Record<string, unknown>): Promise<void> {
  const adapter = db.getExecutor().adapter;
  let byShape = insertSql.get(adapter);
  if (!byShape) insertSql.set(adapter, (byShape = new Map()));
  const columns = Object.keys(row).filter((c) => row[c] !== undefined);
  const shape = `${table}(${columns.join(',')})`;
  const values = columns.map((c) => row[c]);
  let text = byShape.get(shape);
  if (text === undefined) {
    const compiled = db
      .insertInto(table)
      .values(row as never)
      .compile();
    const same = compiled.parameters.length === values.length && compiled.parameters.every((p, i) => p === values[i]);
    byShape.set(shape, (text = same ? compiled.sql : null));
    if (!same) return void (await db.executeQuery(compiled));
  }
  if (text === null) {
    await db
      .insertInto(table)
      .values(row as never)
      .execute();
    return;
  }
  await db.executeQuery(CompiledQuery.raw(text, values));
}
