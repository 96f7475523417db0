import type { CentralApiToken, CentralCustomRole, CentralOrganization, SealedCentralApp } from '../domain/central.js';

/**
 * IoT Central applications and what lives inside one (API tokens, organizations, custom roles).
 * Tenant-owned: every method takes `tenantId` first, except the global lookups the data plane
 * and name availability need (marked "any tenant"). Deleting an app deletes everything in it.
 */
export interface CentralRepo {
  /** UniqueViolation when the ARM name or the subdomain is taken (any tenant, case-insensitive). */
  insertApp(a: SealedCentralApp): Promise<void>;
  /** Replaces the mutable fields (subdomain, display name, sku, tags, identity, updatedAt); UniqueViolation on a taken subdomain. */
  updateApp(tenantId: string, a: SealedCentralApp): Promise<boolean>;
  getApp(tenantId: string, resourceGroup: string, name: string): Promise<SealedCentralApp | undefined>;
  /** Any tenant: by application id (GUID) or subdomain, case-insensitive. */
  findApp(label: string): Promise<SealedCentralApp | undefined>;
  /** Any tenant, case-insensitive. */
  findAppByName(name: string): Promise<SealedCentralApp | undefined>;
  /** Ordered by name; optionally one resource group (case-insensitive). */
  listApps(tenantId: string, resourceGroup?: string): Promise<SealedCentralApp[]>;
  /** Deletes the app and, by cascade, its tokens, organizations and custom roles. */
  deleteApp(tenantId: string, appId: string): Promise<boolean>;

  /** UniqueViolation when the id exists in the app (ids are case-sensitive). */
  insertToken(tenantId: string, t: CentralApiToken): Promise<void>;
  getToken(tenantId: string, appId: string, id: string): Promise<CentralApiToken | undefined>;
  /** Ordered by id; a page and the total. */
  listTokens(
    tenantId: string,
    appId: string,
    page: { offset: number; limit: number },
  ): Promise<{ items: CentralApiToken[]; total: number }>;
  deleteToken(tenantId: string, appId: string, id: string): Promise<boolean>;
  /**
   * Records that the token authenticated a request at `at` (epoch ms). Never moves `last_used_at`
   * backwards (nodes flush out of order); a token that is gone is no error.
   */
  touchToken(tenantId: string, appId: string, id: string, at: number): Promise<void>;
  /** How many tokens hold a role in this organization. */
  countTokensInOrg(tenantId: string, appId: string, orgId: string): Promise<number>;

  /** UniqueViolation when the id exists in the app. */
  insertOrg(tenantId: string, o: CentralOrganization): Promise<void>;
  /** Ordered by id. */
  listOrgs(tenantId: string, appId: string): Promise<CentralOrganization[]>;
  /** Deletes the organization only when no organization names it as parent; answers whether it did. */
  deleteOrgIfLeaf(tenantId: string, appId: string, id: string): Promise<'deleted' | 'missing' | 'has_children'>;

  /** UniqueViolation when the id exists in the app. */
  insertRole(tenantId: string, r: CentralCustomRole): Promise<void>;
  /** Ordered by id. */
  listRoles(tenantId: string, appId: string): Promise<CentralCustomRole[]>;
}
