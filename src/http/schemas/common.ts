import { Type, type TSchema } from '@sinclair/typebox';

export const Uuid = Type.String({ format: 'uuid' });
export const IsoTime = Type.String({ format: 'date-time' });
export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** EDM-style pagination (spec/ei-iam.md §7.2): page is 1-based, size ≤ 200. */
export const PageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  size: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
}, { additionalProperties: false });

export const TenantHeader = Type.Object({ 'x-tenant-id': Type.String({ description: 'Organization UUID the call runs in' }) });
