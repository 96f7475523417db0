import type { CommandContext, CommandModule } from '../../command-table.js';
import { resolveTenant } from '../../client.js';
import { call, idByName, listOf, seg } from './shared.js';

const NAME = { dest: 'name', options: ['--name', '-n'], required: true, help: 'Organization id or name.' } as const;
const orgId = (ctx: CommandContext) => idByName(ctx, ctx.args.name as string, '/iam/orgs', 'name', 'TENANT_NOT_FOUND', 'Tenant');

export const orgCommands: CommandModule = {
  groups: [
    { name: 'iam org', summary: 'Manage the sub-organizations of a tenant (roles held on a parent reach its children).' },
    { name: 'iam tenant', summary: 'Tenants: list, create (platform administrator) and choose the default one.' },
  ],
  commands: [
    {
      name: 'iam org create',
      summary: 'Create a sub-organization.',
      tenantScoped: true,
      args: [{ ...NAME, help: 'Organization name.' }],
      handler: (ctx) => call(ctx, 'POST', '/iam/orgs', { name: ctx.args.name }),
    },
    {
      name: 'iam org list',
      summary: 'List the sub-organizations of a tenant.',
      tenantScoped: true,
      args: [],
      handler: (ctx) => listOf(ctx, '/iam/orgs'),
    },
    {
      name: 'iam org show',
      summary: 'Show a sub-organization.',
      tenantScoped: true,
      args: [NAME],
      handler: async (ctx) => call(ctx, 'GET', `/iam/orgs/${seg(await orgId(ctx))}`),
    },
    {
      name: 'iam org delete',
      summary: 'Delete a sub-organization without children, and everything in it.',
      tenantScoped: true,
      args: [NAME],
      handler: async (ctx) => call(ctx, 'DELETE', `/iam/orgs/${seg(await orgId(ctx))}`),
    },
    {
      name: 'iam tenant create',
      summary: 'Create a top-level tenant (platform administrator); you become its Tenant Admin.',
      args: [{ dest: 'name', options: ['--name', '-n'], required: true, help: 'Tenant name, unique on the server.' }],
      handler: async (ctx) => (await ctx.client()).request('POST', '/iam/tenants', { body: { name: ctx.args.name } }),
    },
    {
      name: 'iam tenant list',
      summary: 'List the tenants where you hold a role.',
      args: [],
      handler: async (ctx) => (await (await ctx.client()).request<{ value: unknown[] }>('GET', '/iam/tenants')).value,
    },
    {
      name: 'iam tenant set',
      summary: 'Choose the default tenant of tenant-scoped commands.',
      args: [{ dest: 'tenant', options: ['--tenant', '-t'], required: true, help: 'Tenant id or name.' }],
      async handler(ctx) {
        const c = await ctx.client();
        const t = await resolveTenant(c, ctx.args.tenant as string);
        const p = ctx.profiles.load() ?? c.current;
        ctx.profiles.save({ ...p, tenantId: t.id, tenantName: t.name });
        return null;
      },
    },
    {
      name: 'iam tenant show',
      summary: 'Show the default tenant of tenant-scoped commands.',
      args: [],
      async handler(ctx) {
        const p = (await ctx.client()).current;
        return { id: p.tenantId, name: p.tenantName };
      },
    },
  ],
};
