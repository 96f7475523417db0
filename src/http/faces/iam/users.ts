import { Type } from '@sinclair/typebox';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import { PERMISSIONS } from '../../../domain/permissions.js';
import { access, errorResponses } from '../../route.js';
import { TenantHeader, NoBody } from '../../schemas/common.js';
import { CreateUserSchema } from '../../../schemas/iam.js';
import { EiErrorSchema } from './errors.js';
import { RoleSchema, UserSchema, userView, valueOf } from './views.js';

const manage = access({ tenantScoped: true, permission: PERMISSIONS.ACCESS_CONTROL });
const Params = Type.Object({ userId: Type.String({ format: 'uuid' }) });
const RoleParams = Type.Object({ userId: Type.String({ format: 'uuid' }), role: Type.String({ maxLength: 128 }) });

/** /iam/users: users of the tenant in x-tenant-id and their role assignments there. */
export function registerUserRoutes(app: App, s: Services) {
  const { users, roles } = s;
  app.post(
    '/iam/users',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['users'],
        operationId: 'createUser',
        summary: 'Create a user in this tenant',
        headers: TenantHeader,
        body: CreateUserSchema,
        response: {
          201: UserSchema,
          ...errorResponses(EiErrorSchema, 'USERNAME_TAKEN', 'PASSWORD_TOO_WEAK', 'ROLE_NOT_FOUND', 'PERMISSION_ESCALATION'),
        },
      },
    },
    async (req, reply) => {
      const created = await users.createUser(req.ctx, req.tenantId!, req.body);
      return reply.code(201).send(userView(created.user, created.roles));
    },
  );

  app.get(
    '/iam/users',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['users'],
        operationId: 'listUsers',
        summary: 'List users of this tenant',
        headers: TenantHeader,
        response: { 200: valueOf(UserSchema) },
      },
    },
    async (req) => ({
      value: await Promise.all(
        (await users.listUsers(req.tenantId!)).map(async (u) => userView(u, await roles.rolesOf('user', u.id, req.tenantId!))),
      ),
    }),
  );

  app.get(
    '/iam/users/:userId',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['users'],
        operationId: 'getUser',
        summary: 'Show a user',
        headers: TenantHeader,
        params: Params,
        response: { 200: UserSchema, ...errorResponses(EiErrorSchema, 'USER_NOT_FOUND') },
      },
    },
    async (req) => {
      const u = await users.visibleUser(req.tenantId!, req.params.userId);
      return userView(u, await roles.rolesOf('user', u.id, req.tenantId!));
    },
  );

  app.delete(
    '/iam/users/:userId',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['users'],
        operationId: 'deleteUser',
        summary: 'Delete a user; its sessions end at once',
        headers: TenantHeader,
        params: Params,
        response: { 204: NoBody('Deleted'), ...errorResponses(EiErrorSchema, 'USER_NOT_FOUND', 'USER_SELF_DELETE') },
      },
    },
    async (req, reply) => {
      await users.deleteUser(req.ctx, req.tenantId!, req.params.userId);
      return reply.code(204).send();
    },
  );

  app.put(
    '/iam/users/:userId/roles/:role',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['users'],
        operationId: 'assignUserRole',
        summary: 'Assign a role (id or name) to a user in this tenant',
        headers: TenantHeader,
        params: RoleParams,
        response: { 200: RoleSchema, ...errorResponses(EiErrorSchema, 'USER_NOT_FOUND', 'ROLE_NOT_FOUND', 'PERMISSION_ESCALATION') },
      },
    },
    async (req) => roles.assignUserRole(req.ctx, req.tenantId!, req.params.userId, req.params.role),
  );

  app.delete(
    '/iam/users/:userId/roles/:role',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['users'],
        operationId: 'removeUserRole',
        summary: 'Remove a role assignment; takes effect at once',
        headers: TenantHeader,
        params: RoleParams,
        response: { 204: NoBody('Deleted'), ...errorResponses(EiErrorSchema, 'ROLE_ASSIGNMENT_NOT_FOUND', 'PERMISSION_ESCALATION') },
      },
    },
    async (req, reply) => {
      await roles.unassignUserRole(req.ctx, req.tenantId!, req.params.userId, req.params.role);
      return reply.code(204).send();
    },
  );
}
