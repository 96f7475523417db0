import { Type } from '@sinclair/typebox';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import { access } from '../../route.js';

const RoleEntry = Type.Object({
  tenant_id: Type.String(),
  tenant_name: Type.String(),
  role_id: Type.String(),
  role_name: Type.String(),
  permissions: Type.Array(Type.String()),
});
const MeSchema = Type.Object({
  id: Type.String(),
  type: Type.String({ description: '"user" or "api_key"' }),
  username: Type.String(),
  name: Type.Optional(Type.String()),
  email: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  first_name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  last_name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  tenant_id: Type.String(),
  platform_admin: Type.Boolean(),
  roles: Type.Array(RoleEntry),
});

/** GET /iam/users/me: the caller and its roles in every tenant (spec/ei-iam.md §3); works for API keys too. */
export function registerMeRoute(app: App, s: Services) {
  const a = access({});
  app.get(
    '/iam/users/me',
    {
      config: { ...a.config, noStore: true },
      schema: {
        ...a.schemaExtras,
        tags: ['iam'],
        operationId: 'getMe',
        summary: 'Who am I: roles per tenant (discovers x-tenant-id)',
        response: { 200: MeSchema },
      },
    },
    async (req) => {
      const p = req.principal!;
      const roles = await s.roles.rolesOfEverywhere(p.type, p.id);
      const base = { id: p.id, type: p.type, username: p.name, tenant_id: p.tenantId, platform_admin: p.platformAdmin, roles };
      if (p.type === 'api_key') return { ...base, name: p.name };
      const u = await s.users.userProfile(p.id);
      return { ...base, email: u?.email ?? null, first_name: u?.firstName ?? null, last_name: u?.lastName ?? null };
    },
  );
}
