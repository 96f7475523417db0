/** Core model. Tenant ids are UUIDs (they double as Azure subscription ids). Times are epoch ms. */
export interface Tenant {
  id: string;
  name: string;
  parentId: string | null;
  createdAt: number;
}

export type PrincipalType = 'user' | 'api_key';

export interface User {
  id: string;
  tenantId: string;
  username: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  platformAdmin: boolean;
  disabled: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface UserWithSecret extends User {
  passwordHash: string;
}

export interface CustomRole {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  permissions: string[];
  createdAt: number;
}

export interface RoleAssignment {
  id: string;
  tenantId: string;
  principalType: PrincipalType;
  principalId: string;
  roleId: string;
  createdAt: number;
}

export interface ApiKey {
  id: string;
  tenantId: string;
  name: string;
  /** First characters of the secret, for recognising it in lists. */
  start: string;
  expiresAt: number;
  createdAt: number;
  createdBy: string | null;
  lastUsedAt: number | null;
}

export interface ApiKeyWithSecret extends ApiKey {
  secretHash: string;
}

export interface Session {
  id: string;
  principalType: PrincipalType;
  principalId: string;
  /** Tenant the session was opened in (the key's tenant for API keys, the home tenant for users). */
  tenantId: string;
  createdAt: number;
  /** Absolute end of the session: refresh tokens never outlive it. */
  expiresAt: number;
  revokedAt: number | null;
  clientAddress: string | null;
}

/**
 * Which stored refresh token a presented one is: the row it names and its digest. A refresh token
 * carries its row's time-ordered id (see `refreshTokenKey`), so rows append to the primary-key
 * index instead of landing on a random page of it; tokens issued before migration 0005 name no
 * row, and their row is keyed by their digest.
 */
export interface RefreshTokenKey {
  id: string;
  hash: string;
}

export interface RefreshTokenRow extends RefreshTokenKey {
  sessionId: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface SigningKey {
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  /** AES-256-GCM envelope of the private JWK (see crypto/envelope.ts). */
  privateEnc: string;
  createdAt: number;
  /** When set, the key no longer signs; it still verifies until `verifyUntil`. */
  retiredAt: number | null;
  verifyUntil: number | null;
}

export interface AuditEvent {
  id: string;
  tenantId: string;
  at: number;
  actorType: string | null;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  clientAddress: string | null;
  detail: Record<string, unknown> | null;
}

export interface Agent {
  id: string;
  tenantId: string;
  name: string;
  label: string | null;
  hardwareModel: string | null;
  hardwareSerial: string | null;
  brokerVersion: string | null;
  softwareVersion: string | null;
  connectionState: string;
  dataPipelinesStatus: string;
  creationTime: number;
  lastSeenTime: number | null;
}

export const CONNECTION_TYPES = [
  'EIPCIP',
  'MODBUS_TCP',
  'MODBUS_SERIAL',
  'MQTT',
  'NTCIP1202',
  'NTCIP1203',
  'NTCIP1204',
  'OPC_UA',
  'RSU',
  'SERIAL',
] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export interface AssetType {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  connectionType: ConnectionType;
  dataModel: Record<string, unknown>;
  config: Record<string, unknown>;
  createdTime: number;
  updatedTime: number;
}

/** The authenticated caller, as resolved on every request (from memory on the hot path). */
export interface Principal {
  type: PrincipalType;
  id: string;
  /** Display name: username, or the API key name. */
  name: string;
  /** Home tenant for users; the key's only tenant for API keys. */
  tenantId: string;
  sessionId: string | null;
  platformAdmin: boolean;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface PageRequest {
  offset: number;
  limit: number;
}

export type IotKind = 'hub' | 'dps';

/** An IoT hub or provisioning service (ARM face). Names are unique per kind across all tenants. */
export interface IotResource {
  id: string;
  tenantId: string;
  kind: IotKind;
  /** As first given; matched case-insensitively. */
  resourceGroup: string;
  name: string;
  location: string;
  skuName: string;
  skuCapacity: number;
  tags: Record<string, string>;
  /** Kind-specific fixed properties (DPS idScope, hub partition count). */
  properties: Record<string, unknown>;
  /** Changes on every write (optimistic concurrency, If-Match). */
  etag: string;
  createdAt: number;
  createdBy: string | null;
  createdByType: string | null;
  updatedAt: number;
  updatedBy: string | null;
  updatedByType: string | null;
}

/** A shared access policy as stored: keys sealed with the envelope, never in plaintext. */
export interface SealedPolicy {
  keyName: string;
  /** Canonical rights string. */
  rights: string;
  primaryEnc: string;
  secondaryEnc: string;
}

/** A policy as read back. */
export interface StoredPolicy extends SealedPolicy {
  /** Epoch ms of the last successful SAS verification with this policy (recorded about once a minute), or null. */
  lastUsedAt: number | null;
}
