import type { IotKind } from './types.js';
import { sameName } from './names.js';
import {
  DEFAULT_DPS_POLICIES,
  DEFAULT_HUB_POLICIES,
  DPS_RIGHTS,
  HUB_RIGHTS,
  parseDpsRights,
  parseHubRights,
  type DefaultSasPolicy,
  type RightsParseResult,
} from './sas.js';

export const HUB_SKUS = ['F1', 'B1', 'B2', 'B3', 'S1', 'S2', 'S3'] as const;
export const DPS_SKUS = ['S1'] as const;
/** Hub limit of the real service; [decision] the same for DPS. */
export const MAX_POLICIES = 16;
export const MIN_SKU_CAPACITY = 1;
export const MAX_SKU_CAPACITY = 200;
export const MAX_TAGS = 50;
export const MAX_TAG_NAME = 512;
export const MAX_TAG_VALUE = 256;

export interface IotKindRules {
  /** ARM resource type. */
  type: string;
  skus: readonly string[];
  defaults: readonly DefaultSasPolicy[];
  parseRights: (s: string) => RightsParseResult<string>;
  /** The rights atoms, for error messages. */
  atoms: readonly string[];
  name: RegExp;
  nameRule: string;
}

/** What differs between IoT hubs and provisioning services. */
export const IOT_KINDS: Record<IotKind, IotKindRules> = {
  hub: {
    type: 'Microsoft.Devices/IotHubs',
    skus: HUB_SKUS,
    defaults: DEFAULT_HUB_POLICIES,
    parseRights: parseHubRights,
    atoms: HUB_RIGHTS,
    // IoT hub names: 3-50 letters, digits or '-', not ending in '-'.
    name: /^[A-Za-z0-9](?:[A-Za-z0-9-]{1,48}[A-Za-z0-9])$/,
    nameRule: '3-50 letters, digits or hyphens, starting and ending with a letter or digit',
  },
  dps: {
    type: 'Microsoft.Devices/ProvisioningServices',
    skus: DPS_SKUS,
    defaults: DEFAULT_DPS_POLICIES,
    parseRights: parseDpsRights,
    atoms: DPS_RIGHTS,
    name: /^[A-Za-z0-9](?:[A-Za-z0-9-]{1,62}[A-Za-z0-9])$/,
    nameRule: '3-64 letters, digits or hyphens, starting and ending with a letter or digit',
  },
};

const RESOURCE_GROUP = /^[-\w.()]{1,90}$/;

/** ARM resource group names: 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'. */
export function isResourceGroupName(s: string): boolean {
  return RESOURCE_GROUP.test(s) && !s.endsWith('.');
}

const POLICY_KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Shared access policy key names: 1-64 letters, digits, '-', '_' or '.'. */
export function isPolicyKeyName(s: string): boolean {
  return POLICY_KEY_NAME.test(s);
}

/** The SKU of this kind named `name` (case-insensitive), in its canonical spelling. */
export function findSku(kind: IotKind, name: string): string | undefined {
  return IOT_KINDS[kind].skus.find((s) => sameName(s, name));
}
