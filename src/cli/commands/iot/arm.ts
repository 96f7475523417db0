/**
 * ARM plumbing of `latch iot hub|dps|central app`: the resource types, their paths and
 * api-versions (spec/arm-iothub-dps-keys.md §2–§4), resolving a resource without `-g` (az looks the
 * name up in the subscription list), paged listkeys, and the az policy-edit PUT (GET → listkeys →
 * PUT with If-Match). The subscription id is the current tenant; calls carry the session's bearer.
 */
import { CliNotFoundError } from '../../output/index.js';
import type { ArgSpec, CommandContext } from '../../command-table.js';
import { DPS_RIGHTS, HUB_RIGHTS, parseDpsRights, parseHubRights, type RightsParseResult } from '../../../domain/sas.js';
import { sameName } from '../../../domain/names.js';

/** An ARM resource type the CLI manages: where its collection lives and the api-version it sends. */
export interface ArmType {
  /** Resource provider namespace, `Microsoft.Devices` / `Microsoft.IoTCentral`. */
  provider: string;
  collection: string;
  apiVersion: string;
  /** Wording in az's messages: `IoT Hub`, `IoT Provisioning Service`, `IoT Central application`. */
  display: string;
}

export interface KindSpec extends ArmType {
  kind: 'hub' | 'dps';
  /** Command group words, `iot hub` / `iot dps`. */
  group: string;
  collection: 'IotHubs' | 'provisioningServices';
  keysSegment: 'IotHubKeys' | 'keys';
  /** `--hub-name` / `--dps-name` of the policy/connection-string/sas commands. */
  nameOption: string;
  defaultPolicy: string;
  atoms: readonly string[];
  parseRights(s: string): RightsParseResult<string>;
  /** The host name clients address (connection strings, SAS `sr`). */
  hostName(r: ArmResource): string;
}

export interface ArmResource {
  id: string;
  name: string;
  etag: string;
  resourcegroup?: string;
  location: string;
  tags?: Record<string, string>;
  sku: { name: string; tier?: string; capacity?: number };
  properties: Record<string, unknown>;
  [k: string]: unknown;
}

export interface AuthorizationRule {
  keyName: string;
  primaryKey: string;
  secondaryKey: string;
  rights: string;
}

export const HUB: KindSpec = {
  kind: 'hub',
  provider: 'Microsoft.Devices',
  group: 'iot hub',
  collection: 'IotHubs',
  keysSegment: 'IotHubKeys',
  apiVersion: '2023-06-30',
  display: 'IoT Hub',
  nameOption: '--hub-name',
  defaultPolicy: 'iothubowner',
  atoms: HUB_RIGHTS,
  parseRights: parseHubRights,
  hostName: (r) => String(r.properties.hostName),
};

export const DPS: KindSpec = {
  kind: 'dps',
  provider: 'Microsoft.Devices',
  group: 'iot dps',
  collection: 'provisioningServices',
  keysSegment: 'keys',
  apiVersion: '2022-02-05',
  display: 'IoT Provisioning Service',
  nameOption: '--dps-name',
  defaultPolicy: 'provisioningserviceowner',
  atoms: DPS_RIGHTS,
  parseRights: parseDpsRights,
  hostName: (r) => String(r.properties.serviceOperationsHostName),
};

const seg = (s: string) => encodeURIComponent(s);

export const RESOURCE_GROUP_ARG = (required: boolean): ArgSpec => ({
  dest: 'resourceGroup',
  options: ['--resource-group', '-g'],
  required,
  help: required
    ? 'Name of resource group.'
    : 'Name of resource group. Default: found by looking the name up in the subscription (tenant).',
});

async function armRequest<T>(
  ctx: CommandContext,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
  k?: ArmType,
): Promise<T> {
  const c = await ctx.client();
  return c.request<T>(method, path, { body: opts.body, headers: opts.headers, query: k ? { 'api-version': k.apiVersion } : undefined });
}

export async function subscriptionPath(ctx: CommandContext): Promise<string> {
  return `/subscriptions/${seg(await ctx.tenant())}`;
}

export async function collectionPath(ctx: CommandContext, k: ArmType, resourceGroup?: string): Promise<string> {
  const sub = await subscriptionPath(ctx);
  return resourceGroup === undefined
    ? `${sub}/providers/${k.provider}/${k.collection}`
    : `${sub}/resourceGroups/${seg(resourceGroup)}/providers/${k.provider}/${k.collection}`;
}

export async function resourcePath(ctx: CommandContext, k: ArmType, resourceGroup: string, name: string): Promise<string> {
  return `${await collectionPath(ctx, k, resourceGroup)}/${seg(name)}`;
}

/**
 * Every item of a `{value, nextLink}` collection: the first page with `method`, the next ones with
 * GET on nextLink. Only its path and query are used, against the signed-in server, so the bearer
 * token never goes to another origin (the server writes api-version into nextLink itself).
 */
export async function allPages<T>(ctx: CommandContext, k: ArmType, method: 'GET' | 'POST', path: string): Promise<T[]> {
  const c = await ctx.client();
  const out: T[] = [];
  let page = await c.request<{ value: T[]; nextLink?: string | null }>(method, path, { query: { 'api-version': k.apiVersion } });
  for (let guard = 0; ; guard++) {
    out.push(...(page.value ?? []));
    if (!page.nextLink || guard > 10_000) return out;
    const next = new URL(page.nextLink, c.server);
    ctx.log.debug(`Following nextLink ${next.pathname}${next.search}`, 'cli.latch.iot');
    page = await c.request('GET', `${next.pathname}${next.search}`);
  }
}

export const listResources = async (ctx: CommandContext, k: ArmType, resourceGroup?: string) =>
  allPages<ArmResource>(ctx, k, 'GET', await collectionPath(ctx, k, resourceGroup));

/** GET the resource; without a resource group, find it by name in the subscription list (az `_get_iot_hub_by_name`). */
export async function getResource(ctx: CommandContext, k: ArmType, name: string, resourceGroup: string | undefined): Promise<ArmResource> {
  if (resourceGroup !== undefined) return armRequest<ArmResource>(ctx, 'GET', await resourcePath(ctx, k, resourceGroup, name), {}, k);
  const hit = (await listResources(ctx, k)).find((r) => sameName(r.name, name));
  if (!hit) throw new CliNotFoundError(`No ${k.display} found with name ${name} in current subscription.`);
  return hit;
}

export const resourceGroupOf = (r: ArmResource): string => r.resourcegroup ?? String(r.id.split('/')[4]);

export async function putResource(
  ctx: CommandContext,
  k: ArmType,
  resourceGroup: string,
  name: string,
  body: unknown,
  ifMatch?: string,
): Promise<ArmResource> {
  return armRequest<ArmResource>(
    ctx,
    'PUT',
    await resourcePath(ctx, k, resourceGroup, name),
    { body, headers: ifMatch ? { 'if-match': ifMatch } : undefined },
    k,
  );
}

export async function deleteResource(ctx: CommandContext, k: ArmType, resourceGroup: string, name: string): Promise<void> {
  await armRequest(ctx, 'DELETE', await resourcePath(ctx, k, resourceGroup, name), {}, k);
}

/** POST …/listkeys, all pages: every policy with its keys. */
export async function listKeys(ctx: CommandContext, k: KindSpec, r: ArmResource): Promise<AuthorizationRule[]> {
  return allPages<AuthorizationRule>(ctx, k, 'POST', `${await resourcePath(ctx, k, resourceGroupOf(r), r.name)}/listkeys`);
}

/** POST …/{IotHubKeys|keys}/{keyName}/listkeys: one policy with its keys (404 KeyNameNotFound → exit 3). */
export async function getKey(ctx: CommandContext, k: KindSpec, r: ArmResource, keyName: string): Promise<AuthorizationRule> {
  return armRequest<AuthorizationRule>(
    ctx,
    'POST',
    `${await resourcePath(ctx, k, resourceGroupOf(r), r.name)}/${k.keysSegment}/${seg(keyName)}/listkeys`,
    {},
    k,
  );
}

/**
 * az's policy edit (Azure/azure-cli iot custom.py): the resource as GET returned it, with
 * `properties.authorizationPolicies` replaced, PUT back with `If-Match: <etag>` (a concurrent edit
 * answers 412 instead of being overwritten).
 */
export async function putPolicies(
  ctx: CommandContext,
  k: KindSpec,
  r: ArmResource,
  policies: readonly Partial<AuthorizationRule>[],
): Promise<ArmResource> {
  const authorizationPolicies = policies.map(({ keyName, rights, primaryKey, secondaryKey }) => ({
    keyName,
    rights,
    primaryKey,
    secondaryKey,
  }));
  const body = { ...r, properties: { ...r.properties, authorizationPolicies } };
  return putResource(ctx, k, resourceGroupOf(r), r.name, body, r.etag);
}
