import { Type } from '@sinclair/typebox';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import { ALL_PERMISSIONS, PERMISSION_DESCRIPTIONS, PERMISSIONS } from '../../../domain/permissions.js';
import { access, errorResponses } from '../../route.js';
import { TenantHeader, NoBody } from '../../schemas/common.js';
import { CreateRoleSchema, UpdateRoleSchema } from '../../../schemas/iam.js';
import { EiErrorSchema } from './errors.js';
import { RoleSchema, valueOf } from './views.js';

const manage = access({ tenantScoped: true, permission: PERMISSIONS.ACCESS_CONTROL });
const member = access({ tenantScoped: true, permission: null });
const Params = Type.Object({ role: Type.String({ maxLength: 128, description: 'Role id or name' }) });

/** /iam/roles (built-in and custom) and /iam/permissions (the catalogue). */
export function registerRoleRoutes(app: App, s: Services) {
  const d = s.roles;
  app.get(
    '/iam/permissions',
    {
      config: member.config,
      schema: {
        ...member.schemaExtras,
        tags: ['roles'],
        operationId: 'listPermissions',
        summary: 'The permission catalogue',
        headers: TenantHeader,
        response: { 200: valueOf(Type.Object({ id: Type.String(), description: Type.String() })) },
      },
    },
    async () => ({ value: ALL_PERMISSIONS.map((id) => ({ id, description: PERMISSION_DESCRIPTIONS[id] })) }),
  );

  app.get(
    '/iam/roles',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['roles'],
        operationId: 'listRoles',
        summary: 'Built-in roles and the custom roles of this tenant and its parents',
        headers: TenantHeader,
        response: { 200: valueOf(RoleSchema) },
      },
    },
    async (req) => ({ value: await d.listRoles(req.tenantId!) }),
  );

  app.get(
    '/iam/roles/:role',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['roles'],
        operationId: 'getRole',
        summary: 'Show a role',
        headers: TenantHeader,
        params: Params,
        response: { 200: RoleSchema, ...errorResponses(EiErrorSchema, 'ROLE_NOT_FOUND') },
      },
    },
    async (req) => d.getRole(req.tenantId!, req.params.role),
  );

  app.post(
    '/iam/roles',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['roles'],
        operationId: 'createRole',
        summary: 'Create a custom role',
        headers: TenantHeader,
        body: CreateRoleSchema,
        response: { 201: RoleSchema, ...errorResponses(EiErrorSchema, 'ROLE_NAME_TAKEN', 'PERMISSION_UNKNOWN', 'PERMISSION_ESCALATION') },
      },
    },
    async (req, reply) => reply.code(201).send(await d.createRole(req.ctx, req.tenantId!, req.body)),
  );

  app.patch(
    '/iam/roles/:role',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['roles'],
        operationId: 'updateRole',
        summary: 'Change a custom role; holders are affected at once',
        headers: TenantHeader,
        params: Params,
        body: UpdateRoleSchema,
        response: {
          200: RoleSchema,
          ...errorResponses(
            EiErrorSchema,
            'ROLE_NOT_FOUND',
            'ROLE_BUILT_IN',
            'ROLE_NAME_TAKEN',
            'PERMISSION_UNKNOWN',
            'PERMISSION_ESCALATION',
          ),
        },
      },
    },
    async (req) => d.updateRole(req.ctx, req.tenantId!, req.params.role, req.body),
  );

  app.delete(
    '/iam/roles/:role',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['roles'],
        operationId: 'deleteRole',
        summary: 'Delete a custom role that nobody holds',
        headers: TenantHeader,
        params: Params,
        response: {
          204: NoBody('Deleted'),
          ...errorResponses(EiErrorSchema, 'ROLE_NOT_FOUND', 'ROLE_BUILT_IN', 'ROLE_IN_USE', 'PERMISSION_ESCALATION'),
        },
      },
    },
    async (req, reply) => {
      await d.deleteRole(req.ctx, req.tenantId!, req.params.role);
      return reply.code(204).send();
    },
  );
}
