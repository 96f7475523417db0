import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE } from '../domain/paging.js';

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** EDM-style pagination (spec/ei-iam.md §7.2): page is 1-based. */
export const PageQuerySchema = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 })),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof PageQuerySchema>;
