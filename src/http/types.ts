import '@fastify/swagger';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PermissionRequirement } from '../domain/permissions.js';
import type { Principal } from '../domain/types.js';
import type { Ctx } from '../deps.js';
import type { Access } from '../services/access.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What a route declares about access, once, in its definition. */
export interface RouteAccess {
  /** 'bearer' (default): a valid access token is required; 'optional': used when present; 'none'. */
  auth?: 'bearer' | 'optional' | 'none';
  /** The route works in the tenant named by `x-tenant-id` (spec/ei-iam.md §5). */
  tenantScoped?: boolean;
  /** Permission needed in that tenant; null = membership is enough. */
  permission?: PermissionRequirement | null;
  /** Only the platform administrator. */
  platformAdmin?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig extends RouteAccess {
    /** The response carries a secret or key: every answer of the route is sent with `Cache-Control: no-store` (http/app.ts). */
    noStore?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    tenantId: string | null;
    access: Access | null;
    ctx: Ctx;
    /** The client's address as throttles and the audit count it (http/client-address.ts). */
    readonly clientAddress: string | null;
  }
}
