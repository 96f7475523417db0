import { Type } from '@sinclair/typebox';
import { NoBody } from '../../schemas/common.js';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import { CENTRAL_PERMISSIONS } from '../../../domain/central.js';
import {
  CustomRoleCreateSchema,
  OrganizationCreateSchema,
  type CustomRoleCreate,
  type OrganizationCreate,
} from '../../../schemas/central.js';
import { AppParam, ApiVersionQuery, centralAccess, centralErrors } from './route.js';
import { OrganizationListSchema, OrganizationSchema, RoleListSchema, RoleSchema, orgView } from './views.js';

const caller = (req: FastifyRequest) => req.central!;
const param = (req: FastifyRequest, name: string) => (req.params as Record<string, string>)[name]!;

/** /api/roles (the six built-ins + custom roles) and /api/organizations (a tree; org roles see their subtree). */
export function registerDirectoryRoutes(app: App, s: Services) {
  const rolesRead = centralAccess(CENTRAL_PERMISSIONS.ROLES_READ);
  const rolesWrite = centralAccess(CENTRAL_PERMISSIONS.ROLES_WRITE);
  const orgsRead = centralAccess(CENTRAL_PERMISSIONS.ORGS_READ);
  const orgsWrite = centralAccess(CENTRAL_PERMISSIONS.ORGS_WRITE);
  const RoleParams = Type.Object({ ...AppParam, roleId: Type.String() });
  const OrgParams = Type.Object({ ...AppParam, organizationId: Type.String() });
  const roleTags = ['central: roles'];
  const orgTags = ['central: organizations'];

  app.get(
    '/roles',
    {
      config: rolesRead.config,
      schema: {
        ...rolesRead.extras,
        tags: roleTags,
        operationId: 'listCentralRoles',
        summary: 'List roles: the six built-in roles (same GUIDs in every app) and the custom roles',
        params: Type.Object(AppParam),
        querystring: ApiVersionQuery,
        response: { 200: RoleListSchema, ...centralErrors() },
      },
    },
    async (req) => ({ value: await s.centralDirectory.listRoles(caller(req)) }),
  );

  app.get(
    '/roles/:roleId',
    {
      config: rolesRead.config,
      schema: {
        ...rolesRead.extras,
        tags: roleTags,
        operationId: 'getCentralRole',
        summary: 'Show a role',
        params: RoleParams,
        querystring: ApiVersionQuery,
        response: { 200: RoleSchema, ...centralErrors('CENTRAL_ROLE_NOT_FOUND') },
      },
    },
    async (req) => s.centralDirectory.getRole(caller(req), param(req, 'roleId')),
  );

  app.put(
    '/roles/:roleId',
    {
      config: rolesWrite.config,
      schema: {
        ...rolesWrite.extras,
        tags: roleTags,
        operationId: 'createCentralRole',
        summary: 'Latch extension: create a custom role (GUID id; app or organization scope; permissions from the Central catalogue)',
        params: RoleParams,
        querystring: ApiVersionQuery,
        body: CustomRoleCreateSchema,
        response: {
          200: RoleSchema,
          ...centralErrors('CENTRAL_ROLE_ID_INVALID', 'CENTRAL_ROLE_PERMISSION_INVALID', 'CENTRAL_ROLE_ESCALATION', 'CENTRAL_ROLE_EXISTS'),
        },
      },
    },
    async (req) => s.centralDirectory.createRole(caller(req), param(req, 'roleId'), req.body as CustomRoleCreate),
  );

  app.get(
    '/organizations',
    {
      config: orgsRead.config,
      schema: {
        ...orgsRead.extras,
        tags: orgTags,
        operationId: 'listCentralOrganizations',
        summary: 'List organizations (organization roles: their subtrees only)',
        params: Type.Object(AppParam),
        querystring: ApiVersionQuery,
        response: { 200: OrganizationListSchema, ...centralErrors() },
      },
    },
    async (req) => ({ value: (await s.centralDirectory.listOrgs(caller(req))).map(orgView) }),
  );

  app.get(
    '/organizations/:organizationId',
    {
      config: orgsRead.config,
      schema: {
        ...orgsRead.extras,
        tags: orgTags,
        operationId: 'getCentralOrganization',
        summary: "Show an organization (outside the caller's subtrees: 404)",
        params: OrgParams,
        querystring: ApiVersionQuery,
        response: { 200: OrganizationSchema, ...centralErrors('CENTRAL_ORG_NOT_FOUND') },
      },
    },
    async (req) => orgView(await s.centralDirectory.getOrg(caller(req), param(req, 'organizationId'))),
  );

  app.put(
    '/organizations/:organizationId',
    {
      config: orgsWrite.config,
      schema: {
        ...orgsWrite.extras,
        tags: orgTags,
        operationId: 'createCentralOrganization',
        summary: 'Create an organization (200); an existing id is 409',
        params: OrgParams,
        querystring: ApiVersionQuery,
        body: OrganizationCreateSchema,
        response: {
          200: OrganizationSchema,
          ...centralErrors('CENTRAL_ORG_ID_INVALID', 'CENTRAL_ORG_PARENT_UNKNOWN', 'CENTRAL_ORG_EXISTS'),
        },
      },
    },
    async (req) => orgView(await s.centralDirectory.createOrg(caller(req), param(req, 'organizationId'), req.body as OrganizationCreate)),
  );

  app.delete(
    '/organizations/:organizationId',
    {
      config: orgsWrite.config,
      schema: {
        ...orgsWrite.extras,
        tags: orgTags,
        operationId: 'deleteCentralOrganization',
        summary: 'Delete a leaf organization no API token uses (204)',
        params: OrgParams,
        querystring: ApiVersionQuery,
        response: { 204: NoBody('Deleted'), ...centralErrors('CENTRAL_ORG_NOT_FOUND', 'CENTRAL_ORG_HAS_CHILDREN', 'CENTRAL_ORG_IN_USE') },
      },
    },
    async (req, reply) => {
      await s.centralDirectory.deleteOrg(caller(req), param(req, 'organizationId'));
      return reply.code(204).send();
    },
  );
}
