/**
 * IoT Central: applications (ARM Microsoft.IoTCentral/iotApps), their API tokens, roles and
 * organizations. Wire rules: spec/iot-central-api-tokens.md. Pure rules; no I/O (the input
 * schemas are in schemas/central.ts).
 */

import { isUuid } from './ids.js';
import { nameKey, sameName } from './names.js';

// ---------------------------------------------------------------------------------------------
// Model

export type CentralSku = (typeof CENTRAL_SKUS)[number];
export const CENTRAL_SKUS = ['ST0', 'ST1', 'ST2'] as const;
export type CentralIdentityType = (typeof CENTRAL_IDENTITY_TYPES)[number];
/** `identity.type` of an app (the SDK's SystemAssignedServiceIdentity). */
export const CENTRAL_IDENTITY_TYPES = ['None', 'SystemAssigned'] as const;
export const CENTRAL_IDENTITY_RULE = `identity.type must be ${CENTRAL_IDENTITY_TYPES.map((t) => `'${t}'`).join(' or ')}`;

/** The SKU a client names, matched case-insensitively (ARM accepts "st1"). */
export function findCentralSku(name: string): CentralSku | undefined {
  return CENTRAL_SKUS.find((s) => sameName(s, name));
}

export function findCentralIdentityType(type: string): CentralIdentityType | undefined {
  return CENTRAL_IDENTITY_TYPES.find((t) => sameName(t, type));
}

/** An IoT Central application. `id` is the application id (GUID), which is also `sr` of its tokens. */
export interface CentralApp {
  id: string;
  tenantId: string;
  /** ARM resource group, as first given (matched case-insensitively). */
  resourceGroup: string;
  /** ARM resource name: global, case-insensitive. */
  name: string;
  /** Host label: global, case-insensitive, never GUID-shaped (so a label names one app). */
  subdomain: string;
  displayName: string;
  sku: CentralSku;
  location: string;
  template: string;
  tags: Record<string, string>;
  identityType: CentralIdentityType;
  createdAt: number;
  updatedAt: number;
}

/** The app with its token-signing key sealed (AES-256-GCM envelope, context centralKeyContext). */
export interface SealedCentralApp extends CentralApp {
  keyEnc: string;
}

export interface CentralRoleAssignment {
  role: string;
  organization?: string;
}

export interface CentralApiToken {
  appId: string;
  id: string;
  roles: CentralRoleAssignment[];
  /** Epoch ms; the token's `se`. */
  expiry: number;
  /** Random per-token value mixed into its signing key: a deleted token never revives (same id, same expiry). */
  salt: string;
  createdAt: number;
}

export interface CentralOrganization {
  appId: string;
  id: string;
  displayName: string;
  parent: string | null;
  createdAt: number;
}

export type CentralRoleScope = 'app' | 'organization';

export interface CentralCustomRole {
  appId: string;
  id: string;
  displayName: string;
  scope: CentralRoleScope;
  permissions: CentralPermission[];
  createdAt: number;
}

// ---------------------------------------------------------------------------------------------
// Permissions inside an application (not the tenant catalogue of domain/permissions.ts)

export const CENTRAL_PERMISSIONS = {
  API_TOKENS_READ: 'apiTokens.read',
  API_TOKENS_WRITE: 'apiTokens.write',
  ROLES_READ: 'roles.read',
  ROLES_WRITE: 'roles.write',
  ORGS_READ: 'organizations.read',
  ORGS_WRITE: 'organizations.write',
} as const;
export type CentralPermission = (typeof CENTRAL_PERMISSIONS)[keyof typeof CENTRAL_PERMISSIONS];
export const ALL_CENTRAL_PERMISSIONS: readonly CentralPermission[] = Object.values(CENTRAL_PERMISSIONS);
/** What an organization-scoped role can never hold: these act on the whole application. */
export const APP_ONLY_PERMISSIONS: readonly CentralPermission[] = ['apiTokens.read', 'apiTokens.write', 'roles.write'];

export interface CentralBuiltInRole {
  id: string;
  displayName: string;
  scope: CentralRoleScope;
  permissions: readonly CentralPermission[];
}

const C = CENTRAL_PERMISSIONS;
/**
 * The six built-in roles (spec §5): fixed GUIDs, identical in every application. [decision]
 * Administrator manages everything; Builder and Operator read roles and organizations (403 on
 * apiTokens); the org roles read roles and their organization subtree, Org Admin also manages it.
 */
export const CENTRAL_BUILT_IN_ROLES: readonly CentralBuiltInRole[] = [
  { id: 'ca310b8d-2f4a-44e0-a36e-957c202cd8d4', displayName: 'Administrator', scope: 'app', permissions: ALL_CENTRAL_PERMISSIONS },
  { id: '344138e9-8de4-4497-8c54-5237e96d6aaf', displayName: 'Builder', scope: 'app', permissions: [C.ROLES_READ, C.ORGS_READ] },
  { id: 'ae2c9854-393b-4f97-8c42-479d70ce626e', displayName: 'Operator', scope: 'app', permissions: [C.ROLES_READ, C.ORGS_READ] },
  {
    id: 'c495eb57-eb18-489e-9802-62c474e5645c',
    displayName: 'Org Admin',
    scope: 'organization',
    permissions: [C.ROLES_READ, C.ORGS_READ, C.ORGS_WRITE],
  },
  {
    id: 'b4935647-30e4-4ed3-9074-dcac66c2f8ef',
    displayName: 'Org Operator',
    scope: 'organization',
    permissions: [C.ROLES_READ, C.ORGS_READ],
  },
  {
    id: '84cc62c1-dabe-49d3-b16e-8b291232b285',
    displayName: 'Org Viewer',
    scope: 'organization',
    permissions: [C.ROLES_READ, C.ORGS_READ],
  },
];
export const CENTRAL_ADMINISTRATOR_ROLE = CENTRAL_BUILT_IN_ROLES[0]!.id;

export function findCentralBuiltInRole(id: string): CentralBuiltInRole | undefined {
  const k = nameKey(id);
  return CENTRAL_BUILT_IN_ROLES.find((r) => r.id === k);
}

/** A role as permission resolution sees it (built-in or custom). */
export interface ResolvedCentralRole {
  id: string;
  scope: CentralRoleScope;
  permissions: readonly CentralPermission[];
}

/**
 * What a caller may do in an application: app-wide permissions, and per organization the
 * permissions that reach it (an org role reaches the organization and its descendants).
 */
export interface CentralGrants {
  app: ReadonlySet<CentralPermission>;
  /** Organization id → permissions granted there by org-scoped roles (before inheritance). */
  orgs: ReadonlyMap<string, ReadonlySet<CentralPermission>>;
}

export function grantsOf(
  assignments: readonly CentralRoleAssignment[],
  roleOf: (id: string) => ResolvedCentralRole | undefined,
): CentralGrants {
  const app = new Set<CentralPermission>();
  const orgs = new Map<string, Set<CentralPermission>>();
  for (const a of assignments) {
    const r = roleOf(a.role);
    if (!r) continue;
    if (r.scope === 'app') for (const p of r.permissions) app.add(p);
    else if (a.organization) {
      const set = orgs.get(a.organization) ?? new Set();
      for (const p of r.permissions) set.add(p);
      orgs.set(a.organization, set);
    }
  }
  return { app, orgs };
}

/** The organizations `org` sits under, itself first (parent links; stops on a cycle). */
export function orgAncestry(org: string, parentOf: (id: string) => string | null | undefined): string[] {
  const out: string[] = [];
  let cur: string | null | undefined = org;
  while (cur && !out.includes(cur) && out.length < 64) {
    out.push(cur);
    cur = parentOf(cur);
  }
  return out;
}

/** True when `perm` reaches `org`: app-wide, or through an org role on it or one of its ancestors. */
export function allowsInOrg(
  g: CentralGrants,
  perm: CentralPermission,
  org: string,
  parentOf: (id: string) => string | null | undefined,
): boolean {
  if (g.app.has(perm)) return true;
  return orgAncestry(org, parentOf).some((o) => g.orgs.get(o)?.has(perm));
}

/** True when `perm` is held anywhere (app-wide or in some organization): enough to call the route at all. */
export function holdsAnywhere(g: CentralGrants, perm: CentralPermission): boolean {
  return g.app.has(perm) || [...g.orgs.values()].some((s) => s.has(perm));
}

// ---------------------------------------------------------------------------------------------
// Names and ids

/** Token ids (spec §7): case-sensitive. */
export const API_TOKEN_ID = /^[0-9a-zA-Z-]{1,40}$/;
/** Organization ids: [decision] lower-case letters, digits and hyphens, up to 48 (as IoT Central's UI makes them). */
export const ORGANIZATION_ID = /^[a-z0-9-]{1,48}$/;
/** ARM resource name of an app: the SDK's `Resource.name` pattern (@azure/arm-iotcentral mappers). */
export const APP_NAME = /^(?![0-9]+$)(?!-)[a-zA-Z0-9-]{2,99}[a-zA-Z0-9]$/;
/** A DNS label; GUID-shaped labels are refused (a host label is an app id or a subdomain, never ambiguous). */
export const SUBDOMAIN = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
export const DEFAULT_TEMPLATE = 'iotc-pnp-preview';
export const DEFAULT_TOKEN_LIFETIME_MS = 365 * 86_400_000;
export const DISPLAY_NAME_MAX = 200;
export const TEMPLATE_MAX = 200;

export function isValidSubdomain(s: string): boolean {
  return SUBDOMAIN.test(s) && !isUuid(s);
}

/** AES-GCM additional data of an app's signing key: it opens only for that app of that tenant. */
export const centralKeyContext = (tenantId: string, appId: string) => `central-app-key:${tenantId}:${nameKey(appId)}`;

/**
 * api-versions of the data plane. 2022-07-31 is what the CLI sends (`ApiVersion.ga`); the rest are
 * the versions of the IoT Central data-plane REST API the CLI extension and azure-rest-api-specs
 * name (1.0 … 1.2-preview, 2022-05-31, 2022-06-30-preview, 2022-10-31-preview, 2023-07-01-preview).
 * Same shapes in all of them for the operations served here.
 */
export const CENTRAL_API_VERSIONS = [
  '2022-07-31',
  '2022-05-31',
  '2022-06-30-preview',
  '2022-10-31-preview',
  '2023-07-01-preview',
  '1.0',
  '1.1-preview',
  '1.2-preview',
] as const;

/** api-versions of the ARM resource provider: 2021-06-01 is what @azure/arm-iotcentral 6.0.0 sends; 2018-09-01 the first GA. */
export const CENTRAL_ARM_API_VERSIONS = ['2018-09-01', '2021-06-01', '2021-11-01-preview'] as const;

/**
 * The app label a Host header addresses: `{label}.{suffix}` (port and a trailing dot ignored),
 * a single DNS label; undefined for any other host.
 */
export function centralLabelForHost(suffix: string, host: string | undefined): string | undefined {
  if (!host) return undefined;
  const h = host.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  if (!h.endsWith('.' + suffix)) return undefined;
  const label = h.slice(0, -suffix.length - 1);
  return label && !label.includes('.') ? label : undefined;
}
