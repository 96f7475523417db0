import type {
  Agent,
  ApiKey,
  ApiKeyWithSecret,
  AssetType,
  AuditEvent,
  CustomRole,
  IotKind,
  IotResource,
  Page,
  PageRequest,
  PrincipalType,
  RefreshTokenKey,
  RefreshTokenRow,
  RoleAssignment,
  SealedPolicy,
  Session,
  SigningKey,
  StoredPolicy,
  Tenant,
  User,
  UserWithSecret,
} from '../domain/types.js';
import type { FailureCount } from '../domain/throttle.js';
import type { CentralRepo } from './central-port.js';
import type { BackupRepo, SealedSecretRepo } from './sealed-port.js';

/**
 * The persistence port. Services depend on this interface only. Every tenant-owned method takes
 * `tenantId` first; a row of another tenant is simply not found. Race-prone steps are single
 * atomic methods (consumeRefreshToken, revokeSession), never read-modify-write in a service.
 * Unique violations surface as `UniqueViolation` so services can map them to catalogued errors.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  tenants: TenantRepo;
  users: UserRepo;
  roles: RoleRepo;
  assignments: AssignmentRepo;
  apiKeys: ApiKeyRepo;
  sessions: SessionRepo;
  signingKeys: SigningKeyRepo;
  audit: AuditRepo;
  agents: AgentRepo;
  assetTypes: AssetTypeRepo;
  meta: MetaRepo;
  iot: IotRepo;
  /** IoT Central applications, their API tokens, organizations and custom roles (central-port.ts). */
  central: CentralRepo;
  /** Every sealed column, for master-key rotation (sealed-port.ts). */
  sealed: SealedSecretRepo;
  /** Whole-store export and import, for `latch backup` / `latch restore` (sealed-port.ts). */
  backup: BackupRepo;
  /** Failed-login counts shared by the nodes of a cluster (a single SQLite node keeps them in memory). */
  loginFailures: LoginFailureRepo;
  /** Runs `fn` in one transaction; the Store given to `fn` is bound to it. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * Like `transaction`, but group-committed: writes queued at the same time share one transaction
   * and one commit. A `fn` that throws rolls back its own writes only and rejects alone (its batch
   * is rolled back and run again with each `fn` in a savepoint); every promise settles after the
   * commit (durable when answered). `fn` should do store work only (no waiting on anything else:
   * the batch's transaction is open while it runs; no effect outside the store: it may run twice).
   */
  write<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one transaction that first takes the cluster-wide lock `name`: two callers
   * holding the same name never run at once, on any node. For once-per-cluster work and for
   * read-then-write steps that two nodes must not interleave (signing-key rotation). PostgreSQL:
   * a transaction-scoped advisory lock on a 64-bit hash of `name` and the schema, released at
   * commit or rollback (and with the connection of a node that dies). SQLite: the transaction
   * alone, since one node's transactions already run one at a time. Inside a transaction it joins
   * that transaction. Keep `fn` short: other nodes wait for the lock, each holding a connection.
   */
  clusterLock<T>(name: string, fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Cheap liveness probe for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class UniqueViolation extends Error {
  constructor(
    readonly table: string,
    cause?: unknown,
  ) {
    super(`unique violation on ${table}`, { cause });
  }
}

export interface TenantRepo {
  insert(t: Tenant): Promise<void>;
  get(id: string): Promise<Tenant | undefined>;
  /** Case-insensitive. */
  findByName(name: string): Promise<Tenant | undefined>;
  listChildren(parentId: string): Promise<Tenant[]>;
  listAll(): Promise<Tenant[]>;
  /** Deletes the tenant and, by cascade, everything it owns. */
  delete(id: string): Promise<boolean>;
  count(): Promise<number>;
}

export interface UserRepo {
  insert(u: UserWithSecret): Promise<void>;
  get(id: string): Promise<User | undefined>;
  /** Case-insensitive; includes the password hash (login only). */
  findForLogin(username: string): Promise<UserWithSecret | undefined>;
  /** Users whose home tenant is `tenantId`. */
  listByTenant(tenantId: string): Promise<User[]>;
  delete(id: string): Promise<boolean>;
  /** Records a use at `at`; never moves the recorded time backwards. */
  touch(id: string, at: number): Promise<void>;
}

export interface RoleRepo {
  insert(r: CustomRole): Promise<void>;
  get(tenantId: string, id: string): Promise<CustomRole | undefined>;
  /** By id, whatever the tenant: permission resolution needs roles of ancestor tenants. */
  getAny(id: string): Promise<CustomRole | undefined>;
  findByName(tenantId: string, name: string): Promise<CustomRole | undefined>;
  list(tenantId: string): Promise<CustomRole[]>;
  update(tenantId: string, id: string, patch: { name?: string; description?: string | null; permissions?: string[] }): Promise<boolean>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface AssignmentRepo {
  insert(a: RoleAssignment): Promise<void>;
  listForPrincipal(type: PrincipalType, id: string): Promise<RoleAssignment[]>;
  listForTenant(tenantId: string): Promise<RoleAssignment[]>;
  countForRole(roleId: string): Promise<number>;
  delete(tenantId: string, principalType: PrincipalType, principalId: string, roleId: string): Promise<boolean>;
  deleteForPrincipal(type: PrincipalType, id: string): Promise<number>;
}

/** What a client id names: a key id, a key in a named tenant, or a key name (found when unique). */
export type ClientRef = { id: string } | { tenantName: string; keyName: string } | { keyName: string };

export interface ApiKeyRepo {
  insert(k: ApiKeyWithSecret): Promise<void>;
  get(tenantId: string, id: string): Promise<ApiKey | undefined>;
  getAny(id: string): Promise<ApiKey | undefined>;
  findByName(tenantId: string, name: string): Promise<ApiKey | undefined>;
  /**
   * For the token endpoint: the key a client id names (its id, `<tenant>-><key>`, or a bare name
   * unique across tenants), with its stored digest and its tenant. Security: one query that yields
   * exactly one row (an aggregate) whether or not a key matches, so a known and an unknown client
   * id cost the same to look up.
   */
  findForClient(ref: ClientRef): Promise<{ key: ApiKeyWithSecret; tenant: Tenant } | undefined>;
  list(tenantId: string): Promise<ApiKey[]>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Records a use at `at`; never moves the recorded time backwards. */
  touch(id: string, at: number): Promise<void>;
}

export type ConsumeResult =
  | { status: 'ok'; session: Session; token: RefreshTokenRow }
  | { status: 'unknown' }
  | { status: 'reused'; sessionId: string }
  | { status: 'expired'; sessionId: string };

export interface SessionRepo {
  insert(s: Session): Promise<void>;
  get(id: string): Promise<Session | undefined>;
  listForTenant(tenantId: string): Promise<Session[]>;
  listForPrincipal(type: PrincipalType, id: string): Promise<Session[]>;
  addRefreshToken(t: RefreshTokenRow): Promise<void>;
  /**
   * Atomically marks the refresh token with this row id and digest used (a row whose digest
   * differs is not that token: `unknown`). Exactly one of any number of concurrent callers gets
   * `ok`; the others get `reused`.
   */
  consumeRefreshToken(key: RefreshTokenKey, now: number): Promise<ConsumeResult>;
  /** The refresh token with this row id and digest and its session, without spending it (introspection). */
  findRefreshToken(key: RefreshTokenKey): Promise<{ token: RefreshTokenRow; session: Session } | undefined>;
  /** Marks the session revoked (idempotent); answers whether it was active. */
  revoke(id: string, at: number): Promise<boolean>;
  revokeForPrincipal(type: PrincipalType, id: string, at: number): Promise<string[]>;
}

/**
 * Failure counts by key (what was counted: a credential and an address, never a secret). The rule
 * the counts feed (domain/throttle.ts) is the caller's; times are the caller's clock, epoch ms.
 */
export interface LoginFailureRepo {
  /** The counts of these keys that are not forgotten at `now` (`forgetAt` ≥ `now`); absent keys are missing. */
  get(keys: string[], now: number): Promise<Map<string, FailureCount>>;
  /**
   * Counts one failure at `at` against each key in one atomic statement, as `countFailure` does:
   * one more, or 1 for a key that has none or whose count is forgotten at `at`; the count is then
   * forgotten after that key's `forgetAt`. Concurrent callers, on any node, never lose a count.
   * Answers every key's count after this failure. Keys are distinct.
   */
  record(failures: { key: string; forgetAt: number }[], at: number): Promise<Map<string, FailureCount>>;
  /** Forgets these keys' failures (idempotent), in one statement. */
  clear(keys: string[]): Promise<void>;
  /**
   * Deletes the counts forgotten at `now`; answers how many. Never waits on a count being
   * recorded meanwhile: such a count is left for the next sweep.
   */
  deleteForgotten(now: number): Promise<number>;
}

export interface SigningKeyRepo {
  insert(k: SigningKey): Promise<void>;
  list(): Promise<SigningKey[]>;
  retire(kid: string, at: number, verifyUntil: number): Promise<void>;
  deleteExpired(now: number): Promise<number>;
}

export interface AuditQuery extends PageRequest {
  from?: number;
  to?: number;
  actorId?: string;
  action?: string;
}

export interface AuditRepo {
  append(e: AuditEvent): Promise<void>;
  appendMany(e: AuditEvent[]): Promise<void>;
  query(tenantId: string, q: AuditQuery): Promise<Page<AuditEvent>>;
}

export interface AgentRepo {
  insert(a: Agent): Promise<void>;
  get(tenantId: string, id: string): Promise<Agent | undefined>;
  list(tenantId: string, page: PageRequest): Promise<Page<Agent>>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface AssetTypeRepo {
  insert(a: AssetType): Promise<void>;
  get(tenantId: string, id: string): Promise<AssetType | undefined>;
  list(tenantId: string, page: PageRequest): Promise<Page<AssetType>>;
  replace(tenantId: string, a: AssetType): Promise<boolean>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface MetaRepo {
  get(key: string): Promise<string | undefined>;
  /** Inserts unless present; answers the value now stored (first writer wins across nodes). */
  putIfAbsent(key: string, value: string): Promise<string>;
  /** Inserts or replaces. */
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<boolean>;
}

export interface IotRepo {
  /** UniqueViolation when the name is taken (any tenant) or two policies share a key name; atomic on its own. */
  insert(r: IotResource, policies: SealedPolicy[]): Promise<void>;
  /** Case-insensitive resource group and name. */
  get(tenantId: string, kind: IotKind, resourceGroup: string, name: string): Promise<IotResource | undefined>;
  /** By name in any tenant (host-name lookups, name availability). Case-insensitive. */
  findByName(kind: IotKind, name: string): Promise<IotResource | undefined>;
  /** Resources of a tenant, optionally one resource group, ordered by name. */
  list(tenantId: string, kind: IotKind, resourceGroup?: string): Promise<IotResource[]>;
  /**
   * Compare-and-set on the etag: replaces the resource row (and, when `policies` is given, the
   * whole policy set) only if its etag is still `expectedEtag`. Answers whether it did. Atomic on
   * its own: if any part fails (UniqueViolation on duplicate key names), nothing changes. A
   * policy kept by key name (case-insensitive) keeps its `lastUsedAt`.
   */
  update(tenantId: string, r: IotResource, expectedEtag: string, policies?: SealedPolicy[]): Promise<boolean>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Policies in their stored order. */
  policies(tenantId: string, resourceId: string): Promise<StoredPolicy[]>;
  /**
   * Records that policy `keyName` (case-insensitive) verified a token at `at`; never moves
   * `lastUsedAt` backwards (nodes flush out of order). Not a resource write: the etag stays.
   * Unknown resource or policy (deleted meanwhile, another tenant): nothing happens.
   */
  touchPolicy(tenantId: string, resourceId: string, keyName: string, at: number): Promise<void>;
}
