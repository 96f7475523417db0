import { CliUsageError } from '../../output/index.js';
import type { CommandModule } from '../../command-table.js';
import { call, isoTime, listOf, ROLES_ARG, seg } from './shared.js';

/** The API key name rule, checked here (exit 2) and by the server (400). */
export const API_KEY_NAME = /^[0-9a-zA-Z-]{1,40}$/;
const nameRule = (v: string) => (API_KEY_NAME.test(v) ? undefined : 'use only [0-9a-zA-Z-], at most 40 characters');
const NAME = { dest: 'name', options: ['--name', '-n'], required: true, help: 'API key name or id.' } as const;

export const apiKeyCommands: CommandModule = {
  groups: [{ name: 'iam api-key', summary: 'Manage API keys of a tenant (EI-style client credentials).' }],
  commands: [
    {
      name: 'iam api-key create',
      summary: 'Create an API key.',
      description: 'The secret is in this output only: write it down, it cannot be retrieved again.',
      tenantScoped: true,
      args: [
        { ...NAME, help: 'API key name: [0-9a-zA-Z-] allowed, max length 40, unique in the tenant.', validate: nameRule },
        ROLES_ARG(true),
        { dest: 'expiresInDays', options: ['--expires-in-days'], choices: ['30', '60', '90', '180', '365'], help: 'Lifetime in days. Default: 365.' },
        { dest: 'expiry', options: ['--expiry'], help: 'Explicit expiry time, ISO 8601 (instead of --expires-in-days).', validate: isoTime },
      ],
      examples: [{ name: 'Create a key for CI valid 90 days.', text: "latch iam api-key create -n ci -r 'EI Admin' --expires-in-days 90" }],
      async handler(ctx) {
        const a = ctx.args as { name: string; roles: string[]; expiresInDays?: string; expiry?: string };
        if (a.expiresInDays !== undefined && a.expiry !== undefined) {
          throw new CliUsageError('usage error: --expires-in-days and --expiry cannot be used together');
        }
        const body = {
          name: a.name, roles: a.roles,
          ...(a.expiresInDays === undefined ? {} : { expiresInDays: Number(a.expiresInDays) }),
          ...(a.expiry === undefined ? {} : { expiry: new Date(a.expiry).toISOString() }),
        };
        const created = await call(ctx, 'POST', '/iam/api-keys', body);
        ctx.warn('The output includes the API key secret. It is shown only once: store it securely, it cannot be retrieved again.');
        return created;
      },
    },
    {
      name: 'iam api-key list',
      summary: 'List the API keys of a tenant (never their secrets).',
      tenantScoped: true,
      args: [],
      handler: (ctx) => listOf(ctx, '/iam/api-keys'),
    },
    {
      name: 'iam api-key show',
      summary: 'Show an API key.',
      tenantScoped: true,
      args: [NAME],
      handler: (ctx) => call(ctx, 'GET', `/iam/api-keys/${seg(ctx.args.name as string)}`),
    },
    {
      name: 'iam api-key delete',
      summary: 'Delete an API key; its tokens stop working at once.',
      tenantScoped: true,
      args: [NAME],
      handler: (ctx) => call(ctx, 'DELETE', `/iam/api-keys/${seg(ctx.args.name as string)}`),
    },
  ],
};
