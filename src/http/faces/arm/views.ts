import { Type, type TSchema } from '@sinclair/typebox';
import type { Config } from '../../../config.js';

type Hosts = Pick<Config, 'hubHostSuffix' | 'dpsHostSuffix'>;
import type { IotResource } from '../../../domain/types.js';
import type { IotPolicyWithUse } from '../../../services/iot-resources.js';

const Str = Type.String();
const Tags = Type.Record(Type.String(), Type.String());
const SystemData = Type.Object({
  createdBy: Type.Optional(Str),
  createdByType: Type.Optional(Str),
  createdAt: Str,
  lastModifiedBy: Type.Optional(Str),
  lastModifiedByType: Type.Optional(Str),
  lastModifiedAt: Str,
});
const Sku = Type.Object({ name: Str, tier: Str, capacity: Type.Integer() });

/** Fields every ARM resource carries, plus the IoT RP extras `resourcegroup` and `subscriptionid`. */
const envelope = (properties: TSchema) => ({
  id: Str,
  name: Str,
  type: Str,
  location: Str,
  tags: Tags,
  etag: Str,
  resourcegroup: Str,
  subscriptionid: Str,
  sku: Sku,
  properties,
  systemData: SystemData,
});

/** `IotHubDescription` as GET/PUT return it: never any keys (spec §5.1 [decision]). */
export const IotHubSchema = Type.Object(
  envelope(
    Type.Object({
      provisioningState: Str,
      state: Str,
      hostName: Str,
      eventHubEndpoints: Type.Object({
        events: Type.Object({
          retentionTimeInDays: Type.Integer(),
          partitionCount: Type.Integer(),
          partitionIds: Type.Array(Str),
          path: Str,
          endpoint: Str,
        }),
      }),
      features: Str,
      minTlsVersion: Str,
      disableLocalAuth: Type.Boolean(),
    }),
  ),
  { $id: 'IotHubDescription' },
);

/** `ProvisioningServiceDescription`; `authorizationPolicies` always empty here (keys only via listkeys). */
export const DpsSchema = Type.Object(
  envelope(
    Type.Object({
      state: Str,
      provisioningState: Str,
      allocationPolicy: Str,
      serviceOperationsHostName: Str,
      deviceProvisioningHostName: Str,
      idScope: Str,
      iotHubs: Type.Array(Type.Unknown()),
      authorizationPolicies: Type.Array(Type.Unknown()),
    }),
  ),
  { $id: 'ProvisioningServiceDescription' },
);

/**
 * `SharedAccessSignatureAuthorizationRule` (listkeys items, hub and DPS), plus Latch's
 * `lastUsedAt`, which the real service does not send. Safe on the wire: clients written against
 * Azure's model tolerate properties it does not declare (@azure/core-client, under
 * @azure/arm-iothub and @azure/arm-deviceprovisioningservices, keeps them as extra untyped fields
 * of the result; the SDK tests in test/faces/arm run against this shape).
 */
export const KeyRuleSchema = Type.Object(
  {
    keyName: Str,
    primaryKey: Str,
    secondaryKey: Str,
    rights: Str,
    lastUsedAt: Type.Union([Str, Type.Null()], {
      description:
        'Latch extension: when this policy last verified a SAS token (ISO 8601, recorded about once a minute), or null if never.',
    }),
  },
  { $id: 'SharedAccessSignatureAuthorizationRule' },
);
export const KeyRuleListSchema = Type.Object({
  value: Type.Array(Type.Ref('SharedAccessSignatureAuthorizationRule')),
  nextLink: Type.Optional(Str),
});
export const listOf = (ref: string) => Type.Object({ value: Type.Array(Type.Ref(ref)), nextLink: Type.Optional(Str) });

const TIER: Record<string, string> = { F: 'Free', B: 'Basic', S: 'Standard' };
const iso = (ms: number) => new Date(ms).toISOString();

export function resourceId(r: IotResource): string {
  return `/subscriptions/${r.tenantId}/resourceGroups/${r.resourceGroup}/providers/Microsoft.Devices/${r.kind === 'hub' ? 'IotHubs' : 'provisioningServices'}/${r.name}`;
}

function common(r: IotResource, type: string) {
  return {
    id: resourceId(r),
    name: r.name,
    type,
    location: r.location,
    tags: r.tags,
    etag: r.etag,
    resourcegroup: r.resourceGroup,
    subscriptionid: r.tenantId,
    sku: { name: r.skuName, tier: TIER[r.skuName[0]!] ?? 'Standard', capacity: r.skuCapacity },
    systemData: {
      ...(r.createdBy ? { createdBy: r.createdBy } : {}),
      ...(r.createdByType ? { createdByType: r.createdByType } : {}),
      createdAt: iso(r.createdAt),
      ...(r.updatedBy ? { lastModifiedBy: r.updatedBy } : {}),
      ...(r.updatedByType ? { lastModifiedByType: r.updatedByType } : {}),
      lastModifiedAt: iso(r.updatedAt),
    },
  };
}

export function hubView(config: Hosts, r: IotResource) {
  const hostName = `${r.name.toLowerCase()}.${config.hubHostSuffix}`;
  const partitionCount = Number(r.properties.partitionCount ?? 2);
  return {
    ...common(r, 'Microsoft.Devices/IotHubs'),
    properties: {
      provisioningState: 'Succeeded',
      state: 'Active',
      hostName,
      eventHubEndpoints: {
        events: {
          retentionTimeInDays: Number(r.properties.retentionTimeInDays ?? 1),
          partitionCount,
          partitionIds: Array.from({ length: partitionCount }, (_, i) => String(i)),
          path: r.name.toLowerCase(),
          endpoint: `sb://${hostName}/`,
        },
      },
      features: 'None',
      minTlsVersion: '1.2',
      disableLocalAuth: false,
    },
  };
}

export function dpsView(config: Hosts, r: IotResource) {
  return {
    ...common(r, 'Microsoft.Devices/ProvisioningServices'),
    properties: {
      state: 'Active',
      provisioningState: 'Succeeded',
      allocationPolicy: 'Hashed',
      serviceOperationsHostName: `${r.name.toLowerCase()}.${config.dpsHostSuffix}`,
      deviceProvisioningHostName: `global.${config.dpsHostSuffix}`,
      idScope: String(r.properties.idScope ?? ''),
      iotHubs: [],
      authorizationPolicies: [],
    },
  };
}

export const keyView = (p: IotPolicyWithUse) => ({
  keyName: p.keyName,
  primaryKey: p.primaryKey,
  secondaryKey: p.secondaryKey,
  rights: p.rights,
  lastUsedAt: p.lastUsedAt === null ? null : iso(p.lastUsedAt),
});
