import { Type } from '@sinclair/typebox';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import { PERMISSIONS } from '../../../domain/permissions.js';
import { access, errorResponses } from '../../route.js';
import { TenantHeader, iso, NoBody } from '../../schemas/common.js';
import { AuditQuerySchema, CreateTenantSchema } from '../../../schemas/iam.js';
import { EiErrorSchema } from './errors.js';
import { OrgSchema, SessionSchema, orgView, sessionView, valueOf } from './views.js';

const signedIn = access({});
const admin = access({ platformAdmin: true });
const manage = access({ tenantScoped: true, permission: PERMISSIONS.ACCESS_CONTROL });
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

const AuditEventSchema = Type.Object({
  id: Type.String(),
  at: Type.String(),
  action: Type.String(),
  actorType: Type.Union([Type.String(), Type.Null()]),
  actorId: Type.Union([Type.String(), Type.Null()]),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  clientAddress: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});

/** Tenants (platform admin), sub-organizations, sessions, audit and signing-key rotation. */
export function registerTenantRoutes(app: App, s: Services) {
  const d = s.tenants;
  app.get(
    '/iam/tenants',
    {
      config: signedIn.config,
      schema: {
        ...signedIn.schemaExtras,
        tags: ['tenants'],
        operationId: 'listTenants',
        summary: 'Tenants where the caller holds a role',
        response: { 200: valueOf(OrgSchema) },
      },
    },
    async (req) => ({ value: (await d.listTenants(req.ctx)).map(orgView) }),
  );

  app.post(
    '/iam/tenants',
    {
      config: admin.config,
      schema: {
        ...admin.schemaExtras,
        tags: ['tenants'],
        operationId: 'createTenant',
        summary: 'Create a top-level tenant (platform administrator); the caller becomes its Tenant Admin',
        body: CreateTenantSchema,
        response: { 201: OrgSchema, ...errorResponses(EiErrorSchema, 'TENANT_NAME_TAKEN', 'PLATFORM_ADMIN_REQUIRED') },
      },
    },
    async (req, reply) => reply.code(201).send(orgView(await d.createTenant(req.ctx, req.body))),
  );

  app.get(
    '/iam/orgs',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['orgs'],
        operationId: 'listOrgs',
        summary: 'Sub-organizations of this tenant',
        headers: TenantHeader,
        response: { 200: valueOf(OrgSchema) },
      },
    },
    async (req) => ({ value: (await d.listOrgs(req.tenantId!)).map(orgView) }),
  );

  app.post(
    '/iam/orgs',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['orgs'],
        operationId: 'createOrg',
        summary: 'Create a sub-organization; roles held here reach it',
        headers: TenantHeader,
        body: CreateTenantSchema,
        response: { 201: OrgSchema, ...errorResponses(EiErrorSchema, 'TENANT_NAME_TAKEN') },
      },
    },
    async (req, reply) => reply.code(201).send(orgView(await d.createOrg(req.ctx, req.tenantId!, req.body))),
  );

  app.get(
    '/iam/orgs/:id',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['orgs'],
        operationId: 'getOrg',
        summary: 'Show a sub-organization',
        headers: TenantHeader,
        params: IdParams,
        response: { 200: OrgSchema, ...errorResponses(EiErrorSchema, 'TENANT_NOT_FOUND') },
      },
    },
    async (req) => orgView(await d.getOrg(req.tenantId!, req.params.id)),
  );

  app.delete(
    '/iam/orgs/:id',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['orgs'],
        operationId: 'deleteOrg',
        summary: 'Delete a sub-organization without children, and everything in it',
        headers: TenantHeader,
        params: IdParams,
        response: { 204: NoBody('Deleted'), ...errorResponses(EiErrorSchema, 'TENANT_NOT_FOUND', 'ORG_HAS_CHILDREN') },
      },
    },
    async (req, reply) => {
      await d.deleteOrg(req.ctx, req.tenantId!, req.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/iam/sessions',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['sessions'],
        operationId: 'listSessions',
        summary: 'Active sessions opened in this tenant',
        headers: TenantHeader,
        response: { 200: valueOf(SessionSchema) },
      },
    },
    async (req) => ({ value: (await s.sessions.listSessions(req.tenantId!)).map(sessionView) }),
  );

  app.delete(
    '/iam/sessions/:id',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['sessions'],
        operationId: 'revokeSession',
        summary: 'Revoke a session: its tokens stop working at once',
        headers: TenantHeader,
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: NoBody('Deleted'), ...errorResponses(EiErrorSchema, 'SESSION_NOT_FOUND') },
      },
    },
    async (req, reply) => {
      await s.sessions.revokeSession(req.ctx, req.tenantId!, req.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/iam/audit',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['audit'],
        operationId: 'listAuditEvents',
        summary: 'Audit trail of this tenant, newest first',
        headers: TenantHeader,
        querystring: AuditQuerySchema,
        response: {
          200: Type.Object({ value: Type.Array(AuditEventSchema), page: Type.Integer(), size: Type.Integer(), total: Type.Integer() }),
          ...errorResponses(EiErrorSchema, 'AUDIT_QUERY_INVALID'),
        },
      },
    },
    async (req) => {
      const r = await s.audit.list(req.tenantId!, req.query);
      return { value: r.items.map((e) => ({ ...e, at: iso(e.at) })), page: r.page, size: r.size, total: r.total };
    },
  );
}
