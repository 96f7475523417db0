import { CliUsageError } from '../../output/index.js';
import type { ArgSpec, CommandModule } from '../../command-table.js';
import { call, listOf, seg } from './shared.js';

const NAME = { dest: 'name', options: ['--name', '-n'], required: true, help: 'Role name or id.' } as const;
const PERMISSIONS = (required: boolean): ArgSpec => ({
  dest: 'permissions',
  options: ['--permissions'],
  multiple: true,
  commaList: true,
  required,
  help: "Permission ids (see 'latch iam permission list'): repeat the option, give several values, or a comma-separated list.",
});

export const roleCommands: CommandModule = {
  groups: [
    { name: 'iam role', summary: 'Manage roles: built-in ones and the custom roles of a tenant.' },
    { name: 'iam permission', summary: 'The permission catalogue.' },
  ],
  commands: [
    {
      name: 'iam role create',
      summary: 'Create a custom role.',
      tenantScoped: true,
      args: [
        { ...NAME, help: 'Role name, unique in the tenant.' },
        PERMISSIONS(true),
        { dest: 'description', options: ['--description'], help: 'Description.' },
      ],
      handler: (ctx) => {
        const a = ctx.args as { name: string; permissions: string[]; description?: string };
        return call(ctx, 'POST', '/iam/roles', {
          name: a.name,
          permissions: a.permissions,
          ...(a.description === undefined ? {} : { description: a.description }),
        });
      },
    },
    {
      name: 'iam role list',
      summary: 'List built-in roles and the custom roles of a tenant.',
      tenantScoped: true,
      args: [],
      handler: (ctx) => listOf(ctx, '/iam/roles'),
    },
    {
      name: 'iam role show',
      summary: 'Show a role.',
      tenantScoped: true,
      args: [NAME],
      handler: (ctx) => call(ctx, 'GET', `/iam/roles/${seg(ctx.args.name as string)}`),
    },
    {
      name: 'iam role update',
      summary: 'Change a custom role; its holders are affected at once.',
      tenantScoped: true,
      args: [
        NAME,
        { dest: 'newName', options: ['--new-name'], help: 'New name.' },
        { dest: 'description', options: ['--description'], help: "New description ('' clears it)." },
        PERMISSIONS(false),
      ],
      handler: (ctx) => {
        const a = ctx.args as { name: string; newName?: string; description?: string; permissions?: string[] };
        const body: Record<string, unknown> = {};
        if (a.newName !== undefined) body.name = a.newName;
        if (a.description !== undefined) body.description = a.description === '' ? null : a.description;
        if (a.permissions !== undefined) body.permissions = a.permissions;
        if (!Object.keys(body).length)
          throw new CliUsageError('usage error: give at least one of --new-name, --description, --permissions');
        return call(ctx, 'PATCH', `/iam/roles/${seg(a.name)}`, body);
      },
    },
    {
      name: 'iam role delete',
      summary: 'Delete a custom role that nobody holds.',
      tenantScoped: true,
      args: [NAME],
      handler: (ctx) => call(ctx, 'DELETE', `/iam/roles/${seg(ctx.args.name as string)}`),
    },
    {
      name: 'iam permission list',
      summary: 'List the permission catalogue.',
      tenantScoped: true,
      args: [],
      handler: (ctx) => listOf(ctx, '/iam/permissions'),
    },
  ],
};
