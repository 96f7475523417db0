import { Type } from '@sinclair/typebox';

export const Uuid = Type.String({ format: 'uuid' });
export const IsoTime = Type.String({ format: 'date-time' });
export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
export { Nullable, PageQuerySchema as PageQuery } from '../../schemas/common.js';

export const TenantHeader = Type.Object({ 'x-tenant-id': Type.String({ description: 'Organization UUID the call runs in' }) });

/** A response without a body: 204 No Content, or ARM's 200 after a synchronous delete (empty body). */
export const NoBody = (description: string) => Type.Unsafe<void>({ type: 'null', description });
