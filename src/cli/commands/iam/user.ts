import type { CommandContext, CommandModule } from '../../command-table.js';
import { call, idByName, listOf, ROLES_ARG, seg } from './shared.js';

const USER = { dest: 'user', options: ['--user', '-u'], required: true, help: 'User id or username.' } as const;
const userId = (ctx: CommandContext) => idByName(ctx, ctx.args.user as string, '/iam/users', 'username', 'USER_NOT_FOUND', 'User');
const ROLE = { dest: 'role', options: ['--role', '-r'], required: true, help: 'Role name or id.' } as const;

export const userCommands: CommandModule = {
  groups: [
    { name: 'iam user', summary: 'Manage the users of a tenant.' },
    { name: 'iam user role', summary: 'Manage the role assignments of a user in a tenant.' },
  ],
  commands: [
    {
      name: 'iam user create',
      summary: 'Create a user in a tenant.',
      tenantScoped: true,
      args: [
        { dest: 'username', options: ['--username'], required: true, help: 'Login name, unique on the server.' },
        { dest: 'password', options: ['--password', '-p'], required: true, secret: true, help: 'Initial password.' },
        { dest: 'email', options: ['--email'], help: 'E-mail address.' },
        { dest: 'firstName', options: ['--first-name'], help: 'First name.' },
        { dest: 'lastName', options: ['--last-name'], help: 'Last name.' },
        ROLES_ARG(false),
      ],
      handler: (ctx) => {
        const a = ctx.args as Record<string, string | string[] | undefined>;
        const body = {
          username: a.username,
          password: a.password,
          email: a.email,
          firstName: a.firstName,
          lastName: a.lastName,
          roles: a.roles,
        };
        return call(ctx, 'POST', '/iam/users', Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)));
      },
    },
    {
      name: 'iam user list',
      summary: 'List the users of a tenant.',
      tenantScoped: true,
      args: [],
      handler: (ctx) => listOf(ctx, '/iam/users'),
    },
    {
      name: 'iam user show',
      summary: 'Show a user.',
      tenantScoped: true,
      args: [USER],
      handler: async (ctx) => call(ctx, 'GET', `/iam/users/${seg(await userId(ctx))}`),
    },
    {
      name: 'iam user delete',
      summary: 'Delete a user; its sessions end at once.',
      tenantScoped: true,
      args: [USER],
      handler: async (ctx) => call(ctx, 'DELETE', `/iam/users/${seg(await userId(ctx))}`),
    },
    {
      name: 'iam user role add',
      summary: 'Assign a role to a user in a tenant.',
      tenantScoped: true,
      args: [USER, ROLE],
      handler: async (ctx) => call(ctx, 'PUT', `/iam/users/${seg(await userId(ctx))}/roles/${seg(ctx.args.role as string)}`),
    },
    {
      name: 'iam user role remove',
      summary: 'Remove a role assignment of a user; takes effect at once.',
      tenantScoped: true,
      args: [USER, ROLE],
      handler: async (ctx) => call(ctx, 'DELETE', `/iam/users/${seg(await userId(ctx))}/roles/${seg(ctx.args.role as string)}`),
    },
  ],
};
