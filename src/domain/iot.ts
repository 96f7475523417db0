import type { IotKind } from './types.js';
import { nameKey, sameName } from './names.js';
import {
  DEFAULT_DPS_POLICIES,
  DEFAULT_HUB_POLICIES,
  DPS_RIGHTS,
  HUB_RIGHTS,
  isValidSasKey,
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
function isPolicyKeyName(s: string): boolean {
  return POLICY_KEY_NAME.test(s);
}

/** The SKU of this kind named `name` (case-insensitive), in its canonical spelling. */
export function findSku(kind: IotKind, name: string): string | undefined {
  return IOT_KINDS[kind].skus.find((s) => sameName(s, name));
}

/** A shared access policy as an ARM PUT body gives it (its shape is the schema's). */
export interface PolicyInput {
  keyName: string;
  rights: string;
  primaryKey?: string | null;
  secondaryKey?: string | null;
}

/** A policy that passed: rights in canonical form; a key left out (absent, null or '') is the caller's to generate. */
export interface CheckedPolicy {
  keyName: string;
  rights: string;
  primaryKey?: string;
  secondaryKey?: string;
}

/** Why a policy set was refused, as the catalogued error code and its parameters. */
export type PolicyProblem =
  | { code: 'IOT_TOO_MANY_POLICIES'; params: { max: number; count: number } }
  | { code: 'IOT_KEY_NAME_INVALID' | 'IOT_KEY_NAME_DUPLICATE'; params: { keyName: string } }
  | { code: 'IOT_RIGHTS_INVALID'; params: { keyName: string; rights: string; allowed: string } }
  | { code: 'IOT_KEY_INVALID'; params: { keyName: string; which: 'primaryKey' | 'secondaryKey' } };

/**
 * A whole policy set of a hub or DPS, checked before anything is written: at most MAX_POLICIES;
 * then policy by policy, in order: key name rule, key name unique (case-insensitive), rights
 * (case-insensitive in, canonical out), supplied keys valid. The first problem found is the answer.
 */
export function checkPolicies(
  kind: IotKind,
  raw: readonly PolicyInput[],
): { ok: true; policies: CheckedPolicy[] } | { ok: false; problem: PolicyProblem } {
  if (raw.length > MAX_POLICIES)
    return { ok: false, problem: { code: 'IOT_TOO_MANY_POLICIES', params: { max: MAX_POLICIES, count: raw.length } } };
  const rules = IOT_KINDS[kind];
  const seen = new Set<string>();
  const policies: CheckedPolicy[] = [];
  for (const { keyName, rights, primaryKey, secondaryKey } of raw) {
    if (!isPolicyKeyName(keyName)) return { ok: false, problem: { code: 'IOT_KEY_NAME_INVALID', params: { keyName } } };
    if (seen.has(nameKey(keyName))) return { ok: false, problem: { code: 'IOT_KEY_NAME_DUPLICATE', params: { keyName } } };
    seen.add(nameKey(keyName));
    const parsed = rules.parseRights(rights);
    if (!parsed.ok)
      return { ok: false, problem: { code: 'IOT_RIGHTS_INVALID', params: { keyName, rights, allowed: rules.atoms.join(', ') } } };
    const policy: CheckedPolicy = { keyName, rights: parsed.rights };
    for (const [which, v] of [
      ['primaryKey', primaryKey],
      ['secondaryKey', secondaryKey],
    ] as const) {
      if (v === undefined || v === null || v === '') continue;
      if (!isValidSasKey(v)) return { ok: false, problem: { code: 'IOT_KEY_INVALID', params: { keyName, which } } };
      policy[which] = v;
    }
    policies.push(policy);
  }
  return { ok: true, policies };
}
