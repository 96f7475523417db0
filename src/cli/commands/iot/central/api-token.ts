/**
 * `latch iot central api-token create|list|show|delete`: az's `iot central api-token` (Azure/
 * azure-iot-cli-extension), option for option (spec/cli-conventions.md §9). A script written for
 * az works after replacing `az` with `latch`.
 */
import type { ArgSpec, CommandSpec } from '../../../command-table.js';
import { APP_ID_ARG, apiPath, CENTRAL_COMMON_ARGS, centralCall } from './data-plane.js';
import { API_TOKEN_ID, CENTRAL_ROLE_ALIASES } from './rules.js';

const TOKEN_ID = (help: string): ArgSpec => ({
  dest: 'tokenId',
  options: ['--token-id', '--tkid'],
  required: true,
  help,
  validate: (v) => (API_TOKEN_ID.test(v) ? undefined : 'use only [0-9a-zA-Z-], at most 40 characters'),
});

export const apiTokenCommands: CommandSpec[] = [
  {
    name: 'iot central api-token create',
    summary: 'Generate an API token associated with your IoT Central application.',
    description: "Note: Write down your token once it's been generated as you won't be able to retrieve it again.",
    args: [
      APP_ID_ARG,
      TOKEN_ID(
        'The IoT Central ID associated with this token, [0-9a-zA-Z-] allowed, max length limit to 40. Specify an ID that you will then use when modifying or deleting this token later via the CLI or API.',
      ),
      {
        dest: 'role',
        options: ['--role', '-r'],
        required: true,
        help: 'The role that will be associated with this token: one of the built-in roles admin, builder, operator, or the role ID of a custom or organization role.',
      },
      { dest: 'orgId', options: ['--org-id', '--organization-id'], help: 'The ID of the organization for the token role assignment.' },
      ...CENTRAL_COMMON_ARGS,
    ],
    examples: [
      { name: 'Add new API token', text: 'latch iot central api-token create --token-id {tokenId} --app-id {appId} --role admin' },
    ],
    handler(ctx) {
      const a = ctx.args as { tokenId: string; role: string; orgId?: string };
      const role = Object.hasOwn(CENTRAL_ROLE_ALIASES, a.role) ? CENTRAL_ROLE_ALIASES[a.role] : a.role;
      const assignment = a.orgId === undefined ? { role } : { role, organization: a.orgId };
      return centralCall(ctx, 'PUT', apiPath('apiTokens', a.tokenId), { roles: [assignment] });
    },
  },
  {
    name: 'iot central api-token list',
    summary: 'Get the list of API tokens associated with your IoT Central application.',
    description: 'List details, like its associated role, for API tokens in your IoT Central application. Token values are never shown.',
    args: [APP_ID_ARG, ...CENTRAL_COMMON_ARGS],
    examples: [{ name: 'List of API tokens', text: 'latch iot central api-token list --app-id {appId}' }],
    handler: (ctx) => centralCall(ctx, 'GET', 'apiTokens'),
  },
  {
    name: 'iot central api-token show',
    summary: 'Get details for an API token associated with your IoT Central application.',
    args: [APP_ID_ARG, TOKEN_ID('The IoT Central ID associated with this token.'), ...CENTRAL_COMMON_ARGS],
    examples: [{ name: 'Get API token', text: 'latch iot central api-token show --app-id {appId} --token-id {tokenId}' }],
    handler: (ctx) => centralCall(ctx, 'GET', apiPath('apiTokens', ctx.args.tokenId as string)),
  },
  {
    name: 'iot central api-token delete',
    summary: 'Delete an API token associated with your IoT Central application.',
    description: 'Requests made with the token fail at once.',
    args: [APP_ID_ARG, TOKEN_ID('The IoT Central ID associated with this token.'), ...CENTRAL_COMMON_ARGS],
    examples: [{ name: 'Delete an API token', text: 'latch iot central api-token delete --app-id {appId} --token-id {tokenId}' }],
    handler: (ctx) => centralCall(ctx, 'DELETE', apiPath('apiTokens', ctx.args.tokenId as string)),
  },
];
