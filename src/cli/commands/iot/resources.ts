/** `latch iot hub|dps create|show|list|delete` (az `iot hub …` / `iot dps …`, ARM PUT/GET/DELETE). */
import { CliError, CliNotFoundError } from '../../output/index.js';
import type { ArgSpec, CommandSpec } from '../../command-table.js';
import { positiveInt } from '../iam/shared.js';
import { deleteResource, getResource, listResources, putResource, resourceGroupOf, RESOURCE_GROUP_ARG, type KindSpec } from './arm.js';
import { IOT_KINDS, MAX_SKU_CAPACITY } from '../../../domain/iot.js';

/** az `--tags`: space-separated `key[=value]` (a bare key has the value ''). */
export function parseTags(values: readonly string[] | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq < 0) tags[v] = '';
    else tags[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return tags;
}

export function resourceCommands(k: KindSpec): CommandSpec[] {
  const what = k.kind === 'hub' ? 'IoT hub' : 'IoT provisioning service';
  const NAME: ArgSpec = { dest: 'name', options: ['--name', '-n'], required: true, help: `${what} name.` };
  const skus = [...IOT_KINDS[k.kind].skus];
  return [
    {
      name: `${k.group} create`,
      summary: `Create an ${what}.`,
      tenantScoped: true,
      args: [
        NAME,
        RESOURCE_GROUP_ARG(true),
        { dest: 'location', options: ['--location', '-l'], help: 'Location. Default: westus.' },
        { dest: 'sku', options: ['--sku'], choices: skus, help: `Pricing tier. Default: S1.` },
        {
          dest: 'unit',
          options: ['--unit'],
          validate: positiveInt(MAX_SKU_CAPACITY),
          help: 'Units in the tier (sku capacity). Default: 1.',
        },
        { dest: 'tags', options: ['--tags'], multiple: true, help: 'Space-separated tags: key[=value] [key[=value] ...].' },
      ],
      examples: [
        {
          name: `Create an ${what} in the westus region.`,
          text: `latch ${k.group} create -n my${k.kind} -g MyResourceGroup --tags env=ci`,
        },
      ],
      async handler(ctx) {
        const a = ctx.args as { name: string; resourceGroup: string; location?: string; sku?: string; unit?: string; tags?: string[] };
        // az checks name availability first, so create never silently updates an existing resource.
        const existing = await getResource(ctx, k, a.name, a.resourceGroup).catch((e: unknown) => {
          if (e instanceof CliNotFoundError) return undefined;
          throw e;
        });
        if (existing)
          throw new CliError(
            k.kind === 'hub' ? `IotHub name '${a.name}' is not available` : `Provisioning Service name '${a.name}' already exists.`,
          );
        const body = {
          location: a.location ?? 'westus',
          sku: { name: a.sku ?? 'S1', capacity: a.unit === undefined ? 1 : Number(a.unit) },
          tags: parseTags(a.tags),
          properties: {},
        };
        return putResource(ctx, k, a.resourceGroup, a.name, body);
      },
    },
    {
      name: `${k.group} show`,
      summary: `Get the details of an ${what}.`,
      tenantScoped: true,
      ids: { type: `${k.provider}/${k.collection}`, name: 'name' },
      args: [NAME, RESOURCE_GROUP_ARG(false)],
      handler: (ctx) => getResource(ctx, k, ctx.args.name as string, ctx.args.resourceGroup as string | undefined),
    },
    {
      name: `${k.group} list`,
      summary: `List ${what}s.`,
      tenantScoped: true,
      args: [RESOURCE_GROUP_ARG(false)],
      handler: (ctx) => listResources(ctx, k, ctx.args.resourceGroup as string | undefined),
    },
    {
      name: `${k.group} delete`,
      summary: `Delete an ${what}.`,
      tenantScoped: true,
      ids: { type: `${k.provider}/${k.collection}`, name: 'name' },
      args: [NAME, RESOURCE_GROUP_ARG(false)],
      async handler(ctx) {
        const a = ctx.args as { name: string; resourceGroup?: string };
        const rg = a.resourceGroup ?? resourceGroupOf(await getResource(ctx, k, a.name, undefined));
        await deleteResource(ctx, k, rg, a.name);
        return null;
      },
    },
  ];
}
