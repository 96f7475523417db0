import { CliUsageError } from '../../output/index.js';
import type { CommandModule } from '../../command-table.js';
import { call, isoTime, listOf, ROLES_ARG, seg } from './shared.js';
import {
  API_KEY_EXPIRY_DAYS,
  API_KEY_NAME_CHARS,
  API_KEY_NAME_MAX,
  DEFAULT_API_KEY_EXPIRY_DAYS,
  isApiKeyName,
} from '../../../domain/api-keys.js';

const nameRule = (v: string) => (isApiKeyName(v) ? undefined : `use only ${API_KEY_NAME_CHARS}, at most ${API_KEY_NAME_MAX} characters`);
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
        {
          ...NAME,
          help: `API key name: ${API_KEY_NAME_CHARS} allowed, max length ${API_KEY_NAME_MAX}, unique in the tenant.`,
          validate: nameRule,
        },
        ROLES_ARG(true),
        {
          dest: 'expiresInDays',
          options: ['--expires-in-days'],
          choices: API_KEY_EXPIRY_DAYS.map(String),
          help: `Lifetime in days. Default: ${DEFAULT_API_KEY_EXPIRY_DAYS}.`,
        },
        {
          dest: 'expiry',
          options: ['--expiry'],
          help: 'Explicit expiry time, ISO 8601 (instead of --expires-in-days).',
          validate: isoTime,
        },
      ],
      examples: [{ name: 'Create a key for CI valid 90 days.', text: "latch iam api-key create -n ci -r 'EI Admin' --expires-in-days 90" }],
      async handler(ctx) {
        const a = ctx.args as { name: string; roles: string[]; expiresInDays?: string; expiry?: string };
        if (a.expiresInDays !== undefined && a.expiry !== undefined) {
          throw new CliUsageError('usage error: --expires-in-days and --expiry cannot be used together');
        }
        const body = {
          name: a.name,
          roles: a.roles,
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
