import type { Ctx, Deps } from '../../deps.js';
import type { Principal } from '../../domain/types.js';
import { describeRequirement, satisfies, type PermissionRequirement } from '../../domain/permissions.js';
import type { CentralPermission } from '../../domain/central.js';
import { isUuid } from '../../domain/ids.js';
import type { ErrorCode } from '../../errors/catalog.js';
import type { ErrorParams } from '../../errors/app-error.js';
import type { Access, AccessService } from '../access.js';
import type { AuditBuffer } from '../audit-buffer.js';
import type { CentralCaller, CentralTokenRefusal, CentralTokenService } from '../central-tokens.js';
import type { OpenedCentralApp } from '../central-state.js';
import type { IotSasService, SasResult } from '../iot-sas.js';
import type { UsageRecorder } from '../usage.js';
import type { Invalidation } from '../../cache/bus.js';
import { accessTokenKind, type AccessTokenKind } from './access-token.js';
import { sasPolicyKind, type SasGranted, type SasPolicyKind } from './sas-policy.js';
import { centralApiTokenKind, type CentralApiTokenKind } from './central-api-token.js';

export type { SasGranted } from './sas-policy.js';

/**
 * Every kind of credential a face admits requests with. Device keys, module keys, X.509 client
 * certificates and broker callers join this union; docs/architecture.md, "How to add a credential
 * kind", lists what else a new kind touches. Refresh tokens, API-key secrets and passwords are
 * presented only to the token endpoint (sessions.ts), which exchanges them for an access token.
 */
export type CredentialKind = 'access_token' | 'sas_policy' | 'central_api_token';

/** One module per kind: its wire form, its verification from memory, its usage record. */
export interface CredentialModules {
  access_token: AccessTokenKind;
  sas_policy: SasPolicyKind;
  central_api_token: CentralApiTokenKind;
}

/**
 * What every module says about its kind, checked by type: its name, how its wire form is
 * recognised, which bus invalidations revoke it (or change what it yields) on every node, and how
 * a use is recorded. How it is verified differs by kind (what it is presented with), so each
 * module types its own `verify` / `verifyCached`.
 */
export interface CredentialModule<K extends CredentialKind> {
  kind: K;
  recognise(authorization: string): boolean;
  invalidatedBy: readonly Invalidation['t'][];
  markUse(admitted: never, now: number): void;
}

/** A kind without a module, a module without a kind, or a module missing its contract fails here at compile time. */
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const registered: Exact<keyof CredentialModules, CredentialKind> = true;
void registered;
type Contract = { [K in CredentialKind]: CredentialModules[K] extends CredentialModule<K> ? true : never };
const contracted: Contract = { access_token: true, sas_policy: true, central_api_token: true };
void contracted;

/** What a face parsed from the request: one kind's wire form, or nothing it recognises. */
export type Presented =
  | { kind: 'access_token'; token: string }
  | { kind: 'sas_policy'; header: string; host: string; target?: string }
  | { kind: 'central_api_token'; header: string }
  | { kind: null; reason: 'missing' | 'unsupported_scheme' };

/** EI / IAM / ARM: a tenant principal, with its access in the tenant asked for (null: a route not scoped to one). */
export interface TenantNeed {
  face: 'tenant';
  /** The tenant id as the request gave it (header or path), null when the route is not tenant-scoped. */
  tenant: string | undefined | null;
  permission: PermissionRequirement | null;
  platformAdmin: boolean;
  /** `METHOD /route/pattern`, for the audit of a denial. */
  method: string;
  url: string;
}

/** IoT Central: an app's caller (API token or Bearer) holding a Central permission there. */
export interface CentralNeed {
  face: 'central';
  /** The app as addressed: its id or subdomain. */
  app: string;
  permission: CentralPermission;
  route: string;
  /** The face's own check between the credential and the permission (Central's api-version). */
  precheck?: () => { code: ErrorCode; params: ErrorParams } | undefined;
}

/** The hub / DPS data plane: a policy token for the resource the host names. */
export interface ProbeNeed {
  face: 'probe';
}

export type Need = TenantNeed | CentralNeed | ProbeNeed;

export interface TenantAdmitted {
  ok: true;
  principal: Principal;
  access: Access | null;
}

/**
 * Why a credential was refused. `reason` and `metric` (the `latch_auth_failures_total` label, null
 * when not counted) are for the audit, the log and the metrics, never the client; `code` is the
 * catalogued error the face renders in its envelope (null: the face has its own, as the data plane).
 */
export interface Refusal {
  ok: false;
  /** The kind that was presented, null when the face recognised none. */
  credential: CredentialKind | null;
  reason: string;
  metric: string | null;
  code: ErrorCode | null;
  params: ErrorParams;
}

export type Admission<T> = T | Refusal;
/** Synchronous when everything is in memory (the hot path), a promise otherwise. */
export type Admitting<T> = Admission<T> | Promise<Admission<T>>;

const refusal = (
  credential: CredentialKind | null,
  reason: string,
  metric: string | null,
  code: ErrorCode | null,
  params: ErrorParams = {},
): Refusal => ({ ok: false, credential, reason, metric, code, params });

// The refusals without parameters are made once: a refused request allocates nothing for them.
const MISSING = refusal(null, 'missing', 'missing', 'AUTH_MISSING');
const INVALID_TOKEN = refusal('access_token', 'invalid_token', 'invalid_token', 'AUTH_INVALID_TOKEN');
const PLATFORM_ADMIN = refusal('access_token', 'platform_admin', null, 'PLATFORM_ADMIN_REQUIRED');
const TENANT_HEADER = refusal('access_token', 'tenant_header', null, 'TENANT_HEADER_INVALID');
const sasRefusals = new Map<string, Refusal>();
const sasRefusal = (reason: string): Refusal => {
  let r = sasRefusals.get(reason);
  if (!r) sasRefusals.set(reason, (r = refusal('sas_policy', reason, `sas_${reason}`, null)));
  return r;
};

const unreachable = (x: never): never => {
  throw new Error(`unhandled credential ${JSON.stringify(x)}`);
};

/** The wire form of an Authorization value among the kinds a face accepts, in the order given. */
export function recognise(
  modules: CredentialModules,
  authorization: string | undefined,
  accepts: readonly ('access_token' | 'central_api_token')[],
): Presented {
  const h = typeof authorization === 'string' ? authorization.trim() : '';
  if (!h) return { kind: null, reason: 'missing' };
  for (const kind of accepts) {
    switch (kind) {
      case 'access_token':
        if (modules.access_token.recognise(h)) return { kind, token: modules.access_token.token(h) };
        break;
      case 'central_api_token':
        if (modules.central_api_token.recognise(h)) return { kind, header: h };
        break;
      default:
        unreachable(kind);
    }
  }
  return { kind: null, reason: 'unsupported_scheme' };
}

export interface AdmissionDeps {
  access: AccessService;
  iotSas: IotSasService;
  centralTokens: CentralTokenService;
  usage: UsageRecorder;
  auditBuffer: AuditBuffer;
}

/**
 * The one admission call every face makes: presented credential + what the route needs → the
 * caller and its access, or a refusal with its precise reason. Usage marks and denial audits
 * happen here, for every kind. Synchronous on a cache hit; a promise only when something must be
 * loaded or verified.
 */
export function admissionService(deps: Pick<Deps, 'clock'>, d: AdmissionDeps) {
  const { access, centralTokens } = d;
  const kinds: CredentialModules = {
    access_token: accessTokenKind(access, d.usage),
    sas_policy: sasPolicyKind(d.iotSas, d.usage),
    central_api_token: centralApiTokenKind(centralTokens, d.auditBuffer, d.usage),
  };

  // ---- EI / IAM / ARM: token (401) → platform admin (403) → tenant (400) → membership (403) → permission (403)

  function decide(principal: Principal, a: Access | null, tenantId: string, need: TenantNeed, ctx: Ctx): Admission<TenantAdmitted> {
    if (!a || !a.member) return denied(a, ctx, need, refusal('access_token', 'tenant', 'tenant', 'TENANT_FORBIDDEN', { tenantId }));
    if (need.permission !== null && !satisfies(a.permissions, need.permission))
      return denied(
        a,
        ctx,
        need,
        refusal('access_token', 'permission', 'permission', 'PERMISSION_DENIED', { permission: describeRequirement(need.permission) }),
      );
    return { ok: true, principal, access: a };
  }

  function denied(a: Access | null, ctx: Ctx, need: TenantNeed, r: Refusal): Refusal {
    // Denials are audited in the tenant asked for, when it exists.
    if (a) access.denied(ctx, a.tenant.id, { route: `${need.method} ${need.url}`, code: r.code! });
    return r;
  }

  function afterPrincipal(principal: Principal | null, need: TenantNeed, ctx: Ctx): Admitting<TenantAdmitted> {
    if (!principal) return INVALID_TOKEN;
    ctx.principal = principal;
    kinds.access_token.markUse(principal, deps.clock.now());
    if (need.platformAdmin && !principal.platformAdmin) return PLATFORM_ADMIN;
    if (need.tenant === null) return { ok: true, principal, access: null };
    const given = typeof need.tenant === 'string' ? need.tenant.trim() : undefined;
    if (!given || !isUuid(given)) return TENANT_HEADER;
    const tenantId = given.toLowerCase();
    const a = access.accessCached(principal, tenantId);
    if (a !== undefined) return decide(principal, a, tenantId, need, ctx);
    return access.access(principal, tenantId).then((x) => decide(principal, x, tenantId, need, ctx));
  }

  function admitTenant(p: Presented, need: TenantNeed, ctx: Ctx): Admitting<TenantAdmitted> {
    switch (p.kind) {
      case 'access_token': {
        const fast = kinds.access_token.verifyCached(p.token);
        if (fast !== undefined) return afterPrincipal(fast, need, ctx);
        return kinds.access_token.verify(p.token).then((x) => afterPrincipal(x, need, ctx));
      }
      case 'sas_policy':
      case 'central_api_token':
      case null:
        return MISSING;
      default:
        return unreachable(p);
    }
  }

  // ---- IoT Central: app (404) → credential (401) → the face's precheck (400) → permission (403)

  function centralGranted(c: CentralCaller, need: CentralNeed): Admission<CentralCaller> {
    const pre = need.precheck?.();
    if (pre) return refusal(null, 'precheck', null, pre.code, pre.params);
    if (!centralTokens.permits(c, need.permission, need.route))
      return refusal(null, 'permission', null, 'CENTRAL_FORBIDDEN', { permission: need.permission });
    return c;
  }

  function centralTokenVerified(
    a: OpenedCentralApp,
    ctx: Ctx,
    need: CentralNeed,
    c: CentralCaller | CentralTokenRefusal,
  ): Admission<CentralCaller> {
    if (!c.ok) {
      kinds.central_api_token.refused(a, ctx, c);
      return refusal('central_api_token', c.reason, `central_${c.reason}`, 'CENTRAL_UNAUTHENTICATED', { reason: c.reason });
    }
    kinds.central_api_token.markUse(c, deps.clock.now());
    return centralGranted(c, need);
  }

  async function centralBearer(a: OpenedCentralApp, token: string, need: CentralNeed, ctx: Ctx): Promise<Admission<CentralCaller>> {
    const p = kinds.access_token.verifyCached(token) ?? (await kinds.access_token.verify(token));
    if (!p)
      return refusal('access_token', 'invalid_bearer', 'central_invalid_bearer', 'CENTRAL_UNAUTHENTICATED', { reason: 'invalid_bearer' });
    ctx.principal = p;
    kinds.access_token.markUse(p, deps.clock.now());
    const acc = access.accessCached(p, a.app.tenantId) ?? (await access.access(p, a.app.tenantId));
    // Not a member of the app's tenant: the same answer as an app that does not exist.
    if (!acc?.member) return refusal('access_token', 'not_member', null, 'CENTRAL_APP_NOT_FOUND', { app: need.app });
    return centralGranted(await centralTokens.callerFor(a, ctx, p, acc), need);
  }

  function centralIn(a: OpenedCentralApp | null, p: Presented, need: CentralNeed, ctx: Ctx): Admitting<CentralCaller> {
    if (!a) return refusal(null, 'unknown_app', null, 'CENTRAL_APP_NOT_FOUND', { app: need.app });
    switch (p.kind) {
      case 'central_api_token': {
        const hot = kinds.central_api_token.verifyCached(a, ctx, p.header);
        if (hot) {
          kinds.central_api_token.markUse(hot, deps.clock.now());
          return centralGranted(hot, need);
        }
        return kinds.central_api_token.verify(a, ctx, p.header).then((c) => centralTokenVerified(a, ctx, need, c));
      }
      case 'access_token':
        return centralBearer(a, p.token, need, ctx);
      case 'sas_policy':
        return refusal(null, 'unsupported_scheme', 'central_unsupported_scheme', 'CENTRAL_UNAUTHENTICATED', {
          reason: 'unsupported_scheme',
        });
      case null:
        return refusal(null, p.reason, `central_${p.reason}`, 'CENTRAL_UNAUTHENTICATED', { reason: p.reason });
      default:
        return unreachable(p);
    }
  }

  function admitCentral(p: Presented, need: CentralNeed, ctx: Ctx): Admitting<CentralCaller> {
    const a = centralTokens.app(need.app);
    return a instanceof Promise ? a.then((x) => centralIn(x, p, need, ctx)) : centralIn(a, p, need, ctx);
  }

  // ---- hub / DPS data plane: a policy token for the addressed resource

  function sasChecked(r: SasResult): Admission<SasGranted> {
    if (!r.ok) return sasRefusal(r.reason);
    kinds.sas_policy.markUse(r, deps.clock.now());
    return r;
  }

  function admitProbe(p: Presented): Admitting<SasGranted> {
    switch (p.kind) {
      case 'sas_policy': {
        const r = kinds.sas_policy.verify(p.header, p.host, p.target);
        return r instanceof Promise ? r.then(sasChecked) : sasChecked(r);
      }
      case 'access_token':
      case 'central_api_token':
      case null:
        return sasRefusal('bad_prefix');
      default:
        return unreachable(p);
    }
  }

  function admit(p: Presented, need: TenantNeed, ctx: Ctx): Admitting<TenantAdmitted>;
  function admit(p: Presented, need: CentralNeed, ctx: Ctx): Admitting<CentralCaller>;
  function admit(p: Presented, need: ProbeNeed, ctx: Ctx): Admitting<SasGranted>;
  function admit(p: Presented, need: Need, ctx: Ctx): Admitting<TenantAdmitted | CentralCaller | SasGranted> {
    switch (need.face) {
      case 'tenant':
        return admitTenant(p, need, ctx);
      case 'central':
        return admitCentral(p, need, ctx);
      case 'probe':
        return admitProbe(p);
      default:
        return unreachable(need);
    }
  }

  return {
    kinds,
    admit,
    /** The presented credential of an Authorization value, among the kinds a face accepts. */
    recognise: (authorization: string | undefined, accepts: readonly ('access_token' | 'central_api_token')[]) =>
      recognise(kinds, authorization, accepts),
  };
}

export type AdmissionService = ReturnType<typeof admissionService>;
