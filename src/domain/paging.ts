import type { PageRequest } from './types.js';

/** EDM-style pagination (spec/ei-iam.md §7.2): `page` is 1-based. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;
/** The highest page asked for: keeps (page - 1) × size an integer every store takes as OFFSET (page=1e308 was a 500). */
export const MAX_PAGE = 1_000_000;

export interface Paging {
  page: number;
  size: number;
}

/** The page asked for, defaults filled in. */
export function pageOf(q: { page?: number; size?: number }): Paging {
  return { page: q.page ?? 1, size: q.size ?? DEFAULT_PAGE_SIZE };
}

/** Page number and size → the rows to read. */
export function pageWindow(p: Paging): PageRequest {
  return { offset: (p.page - 1) * p.size, limit: p.size };
}
