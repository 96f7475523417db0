/**
 * `latch iot central app create|show|list|delete`: az's `iot central app` over ARM
 * `Microsoft.IoTCentral/iotApps` (api-version 2021-06-01, the one @azure/arm-iotcentral sends).
 */
import { CliNotFoundError } from '../../../output/index.js';
import type { ArgSpec, CommandSpec } from '../../../command-table.js';
import { CENTRAL_SKUS, DEFAULT_TEMPLATE } from './rules.js';
import { deleteResource, getResource, listResources, putResource, RESOURCE_GROUP_ARG, resourceGroupOf, type ArmType } from '../arm.js';

export const IOT_APPS: ArmType = {
  provider: 'Microsoft.IoTCentral',
  collection: 'iotApps',
  apiVersion: '2021-06-01',
  display: 'IoT Central application',
};

const NAME: ArgSpec = { dest: 'name', options: ['--name', '-n'], required: true, help: 'IoT Central application name.' };

export const appCommands: CommandSpec[] = [
  {
    name: 'iot central app create',
    summary: 'Create an IoT Central application.',
    tenantScoped: true,
    args: [
      NAME,
      RESOURCE_GROUP_ARG(true),
      {
        dest: 'subdomain',
        options: ['--subdomain', '-s'],
        required: true,
        help: 'Subdomain of the application URL {subdomain}.<central suffix>: unique, case-insensitive.',
      },
      { dest: 'displayName', options: ['--display-name'], help: 'Display name of the application. Default: the name.' },
      { dest: 'location', options: ['--location', '-l'], help: 'Location. Default: westus.' },
      { dest: 'sku', options: ['--sku'], choices: [...CENTRAL_SKUS], help: 'Pricing plan. Default: ST2.' },
      { dest: 'template', options: ['--template'], help: `Application template. Default: ${DEFAULT_TEMPLATE}.` },
    ],
    examples: [
      {
        name: 'Create an IoT Central application.',
        text: 'latch iot central app create -n my-first-app -g MyResourceGroup --subdomain my-app --sku ST2',
      },
    ],
    handler(ctx) {
      const a = ctx.args as {
        name: string;
        resourceGroup: string;
        subdomain: string;
        displayName?: string;
        location?: string;
        sku?: string;
        template?: string;
      };
      const body = {
        location: a.location ?? 'westus',
        sku: { name: a.sku ?? 'ST2' },
        properties: { subdomain: a.subdomain, displayName: a.displayName ?? a.name, template: a.template ?? DEFAULT_TEMPLATE },
      };
      return putResource(ctx, IOT_APPS, a.resourceGroup, a.name, body);
    },
  },
  {
    name: 'iot central app show',
    summary: 'Get the details of an IoT Central application.',
    tenantScoped: true,
    ids: { type: 'Microsoft.IoTCentral/iotApps', name: 'name' },
    args: [NAME, RESOURCE_GROUP_ARG(false)],
    handler: (ctx) => getResource(ctx, IOT_APPS, ctx.args.name as string, ctx.args.resourceGroup as string | undefined),
  },
  {
    name: 'iot central app list',
    summary: 'List IoT Central applications.',
    tenantScoped: true,
    args: [RESOURCE_GROUP_ARG(false)],
    handler: (ctx) => listResources(ctx, IOT_APPS, ctx.args.resourceGroup as string | undefined),
  },
  {
    name: 'iot central app delete',
    summary: 'Delete an IoT Central application: its API tokens, organizations and roles go with it.',
    tenantScoped: true,
    ids: { type: 'Microsoft.IoTCentral/iotApps', name: 'name' },
    args: [NAME, RESOURCE_GROUP_ARG(false)],
    async handler(ctx) {
      const a = ctx.args as { name: string; resourceGroup?: string };
      const rg =
        a.resourceGroup ??
        resourceGroupOf(
          await getResource(ctx, IOT_APPS, a.name, undefined).catch((e: unknown) => {
            throw e instanceof CliNotFoundError
              ? new CliNotFoundError(`No IoT Central application found with name ${a.name} in current subscription.`)
              : e;
          }),
        );
      await deleteResource(ctx, IOT_APPS, rg, a.name);
      return null;
    },
  },
];
