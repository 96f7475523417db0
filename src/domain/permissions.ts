/**
 * The permission catalogue and the built-in roles. Permission ids are stable strings; the five
 * Edge Intelligence permissions keep Cisco's names because they appear on the wire
 * (`/iam/users/me`, token claims). Built-in roles live here, not in the store: they are the same
 * in every tenant and cannot be edited.
 */

import { nameKey } from './names.js';

export const PERMISSIONS = {
  ASSET_MANAGEMENT: 'Asset Management',
  DATA_MANAGEMENT: 'Data Management',
  DATA_LOGICS: 'Develop and Manage Data Logics',
  EI_SYSTEM_MANAGEMENT: 'EI System Management',
  OPERATIONS_MANAGEMENT: 'Operations Management',
  /** Users, roles, API keys, sub-organizations, sessions and the audit trail of a tenant. */
  ACCESS_CONTROL: 'Access Control',
  IOT_HUB_READ: 'IoT Hub Read',
  IOT_HUB_WRITE: 'IoT Hub Write',
  /** Reading shared access policy keys (listkeys). Separate so a role may see hubs without keys. */
  IOT_HUB_KEYS: 'IoT Hub List Keys',
  DPS_READ: 'DPS Read',
  DPS_WRITE: 'DPS Write',
  DPS_KEYS: 'DPS List Keys',
  CENTRAL_APP_READ: 'IoT Central App Read',
  CENTRAL_APP_WRITE: 'IoT Central App Write',
  /** Administrator in every IoT Central app of the tenant, with a Bearer token (how the first API token is made). */
  CENTRAL_ADMIN: 'IoT Central Administration',
  /**
   * The one exception to "no one grants what they do not hold" (Kubernetes RBAC's `escalate` and
   * `bind` verbs): its holder may grant roles and permissions it does not hold itself. No built-in
   * role carries it; the platform administrator holds it in every tenant it belongs to.
   */
  GRANT_ANY: 'Grant Any Permission',
} as const;

export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

export const ALL_PERMISSIONS: readonly Permission[] = Object.values(PERMISSIONS);

export const PERMISSION_DESCRIPTIONS: Record<Permission, string> = {
  'Asset Management': 'Edge Intelligence: source data models, asset types and instances, asset-to-agent mapping',
  'Data Management': 'Edge Intelligence: data destinations and data policies',
  'Develop and Manage Data Logics': 'Edge Intelligence: develop and manage data logics',
  'EI System Management': 'Edge Intelligence: system settings and agent registration',
  'Operations Management': 'Edge Intelligence: add and remove agents, onboarding tokens',
  'Access Control': 'Manage users, roles, API keys, sub-organizations, sessions; read the audit trail',
  'IoT Hub Read': 'Read IoT hubs (without keys)',
  'IoT Hub Write': 'Create, update and delete IoT hubs and their shared access policies',
  'IoT Hub List Keys': 'Read IoT hub shared access policy keys (listkeys)',
  'DPS Read': 'Read provisioning services (without keys)',
  'DPS Write': 'Create, update and delete provisioning services and their policies',
  'DPS List Keys': 'Read provisioning service shared access policy keys (listkeys)',
  'IoT Central App Read': 'Read IoT Central applications (ARM)',
  'IoT Central App Write':
    'Create, update and delete IoT Central applications (ARM); deleting one deletes its API tokens, organizations and roles',
  'IoT Central Administration':
    "Call the IoT Central data-plane API of the tenant's apps as Administrator (API tokens, roles, organizations) with a Bearer token",
  'Grant Any Permission':
    'Grant roles and permissions the granter does not hold itself (held by the platform administrator; no built-in role has it)',
};

export const EI_PERMISSIONS: readonly Permission[] = [
  PERMISSIONS.ASSET_MANAGEMENT,
  PERMISSIONS.DATA_MANAGEMENT,
  PERMISSIONS.DATA_LOGICS,
  PERMISSIONS.EI_SYSTEM_MANAGEMENT,
  PERMISSIONS.OPERATIONS_MANAGEMENT,
];

/** What a route needs: one permission, or any one of several. */
export type PermissionRequirement = Permission | { anyOf: readonly Permission[] };

export function describeRequirement(req: PermissionRequirement): string {
  return typeof req === 'string' ? req : `one of ${req.anyOf.join(', ')}`;
}

export function satisfies(held: ReadonlySet<string>, req: PermissionRequirement): boolean {
  if (typeof req === 'string') return held.has(req);
  return req.anyOf.some((p) => held.has(p));
}

/**
 * What `granted` holds that `held` does not: empty when a grant is allowed. The rule of every grant
 * path on every face (API key roles, custom roles, role assignments, IoT Central API token roles):
 * no one grants what they do not hold.
 */
export function unheld(held: ReadonlySet<string>, granted: Iterable<string>): string[] {
  const missing = new Set<string>();
  for (const p of granted) if (!held.has(p)) missing.add(p);
  return [...missing].sort();
}

/** `unheld` for Latch's own permissions: holding GRANT_ANY lifts the rule. */
export function ungrantable(held: ReadonlySet<string>, granted: Iterable<string>): string[] {
  return held.has(PERMISSIONS.GRANT_ANY) ? [] : unheld(held, granted);
}

export function isPermission(s: string): s is Permission {
  return (ALL_PERMISSIONS as readonly string[]).includes(s);
}

export interface BuiltInRole {
  id: string;
  name: string;
  description: string;
  permissions: readonly Permission[];
}

const P = PERMISSIONS;

/** Managing IoT hubs, provisioning services and IoT Central apps, keys and API tokens included. */
const IOT_MANAGEMENT = [
  P.IOT_HUB_READ,
  P.IOT_HUB_WRITE,
  P.IOT_HUB_KEYS,
  P.DPS_READ,
  P.DPS_WRITE,
  P.DPS_KEYS,
  P.CENTRAL_APP_READ,
  P.CENTRAL_APP_WRITE,
  P.CENTRAL_ADMIN,
];
/** Built-in roles (spec/ei-iam.md §6.3 plus DESIGN decisions). Ids are fixed forever. */
export const BUILT_IN_ROLES: readonly BuiltInRole[] = [
  {
    id: 'builtin-tenant-admin',
    name: 'Tenant Admin',
    description: 'Manages users, roles, API keys, sub-organizations and IoT hub / DPS / IoT Central resources',
    permissions: [P.ACCESS_CONTROL, ...IOT_MANAGEMENT],
  },
  { id: 'builtin-ei-admin', name: 'EI Admin', description: 'Everything in Edge Intelligence', permissions: [...EI_PERMISSIONS] },
  { id: 'builtin-operator', name: 'Operator', description: 'Adds and removes EI agents', permissions: [P.OPERATIONS_MANAGEMENT] },
  {
    id: 'builtin-asset-expert',
    name: 'Asset Expert',
    description: 'Inbound data: data models, asset types, asset mapping',
    permissions: [P.ASSET_MANAGEMENT],
  },
  { id: 'builtin-data-logic-developer', name: 'Data Logic Developer', description: 'Develops data logics', permissions: [P.DATA_LOGICS] },
  {
    id: 'builtin-iot-contributor',
    name: 'IoT Contributor',
    description: 'Manages IoT hubs, provisioning services and IoT Central apps, including their keys and API tokens',
    permissions: [...IOT_MANAGEMENT],
  },
  {
    id: 'builtin-iot-reader',
    name: 'IoT Reader',
    description: 'Sees IoT hubs, provisioning services and IoT Central apps, not their keys or tokens',
    permissions: [P.IOT_HUB_READ, P.DPS_READ, P.CENTRAL_APP_READ],
  },
];

const BY_ID = new Map(BUILT_IN_ROLES.map((r) => [r.id, r]));
const BY_NAME = new Map(BUILT_IN_ROLES.map((r) => [nameKey(r.name), r]));

/** The one lookup of built-in roles: by id, or by name (case-insensitive). */
export function findBuiltInRole(idOrName: string): BuiltInRole | undefined {
  return BY_ID.get(idOrName) ?? BY_NAME.get(nameKey(idOrName));
}

/** The creator of a top-level tenant becomes its Tenant Admin. */
export const TENANT_CREATOR_ROLES: readonly string[] = ['builtin-tenant-admin'];
/** The platform administrator created on first start holds these in the first tenant. */
export const FIRST_ADMIN_ROLES: readonly string[] = ['builtin-tenant-admin', 'builtin-ei-admin'];
