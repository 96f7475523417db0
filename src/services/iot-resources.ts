import { randomBytes, randomUUID } from 'node:crypto';
import type { Ctx, Deps } from '../deps.js';
import { AppError } from '../errors/app-error.js';
import { AUDIT, type AuditAction } from '../domain/audit-events.js';
import { generateSasKey } from '../domain/sas.js';
import { etagMatches } from '../domain/etags.js';
import { nameKey, sameLocation, sameName } from '../domain/names.js';
import { IOT_KINDS, checkPolicies, findSku, isResourceGroupName } from '../domain/iot.js';
import type { Static } from '@sinclair/typebox';
import type { AuthorizationPolicySchema, IotResourceInput } from '../schemas/arm.js';
import type { IotKind, IotResource, SealedPolicy } from '../domain/types.js';
import { UniqueViolation, type Store } from '../store/port.js';
import { auditEvent } from './audit.js';
import type { AuditBuffer } from './audit-buffer.js';
import { CacheMap, onInvalidation } from '../cache/auth-cache.js';

/** A shared access policy with its keys in plaintext: only listkeys and the SAS verifier see these. */
export interface IotPolicy {
  keyName: string;
  rights: string;
  primaryKey: string;
  secondaryKey: string;
}

/** A resource with its policies opened: what the SAS verifier and listkeys read from memory. */
export interface Unsealed {
  resource: IotResource;
  policies: IotPolicy[];
}

/** A policy as listkeys shows it: with when it last verified a SAS token (epoch ms, or null). */
export interface IotPolicyWithUse extends IotPolicy {
  lastUsedAt: number | null;
}

export type { IotResourceInput };

const KIND = {
  hub: {
    ...IOT_KINDS.hub,
    audit: {
      created: AUDIT.IOT_HUB_CREATED,
      updated: AUDIT.IOT_HUB_UPDATED,
      deleted: AUDIT.IOT_HUB_DELETED,
      keys: AUDIT.IOT_HUB_KEYS_LISTED,
    },
  },
  dps: {
    ...IOT_KINDS.dps,
    audit: { created: AUDIT.DPS_CREATED, updated: AUDIT.DPS_UPDATED, deleted: AUDIT.DPS_DELETED, keys: AUDIT.DPS_KEYS_LISTED },
  },
} as const;

export const iotResourceType = (kind: IotKind): string => KIND[kind].type;

/** A compare-and-set lost to a concurrent write. */
class LostRace extends Error {}
const MAX_ATTEMPTS = 8;

/** Etags look like the real service's (base64 of 8 bytes); a new one on every write. */
const newEtag = () => randomBytes(8).toString('base64');
/** DPS id scope: "0ne" + 8 upper-case hex digits. */
const newIdScope = () => '0ne' + randomBytes(4).toString('hex').toUpperCase();

/** AES-GCM additional data: a sealed key only opens for its tenant, resource, policy and slot. */
export const policyKeyContext = (tenantId: string, resourceId: string, keyName: string, which: 'primary' | 'secondary') =>
  `iot-policy:${tenantId}:${resourceId}:${nameKey(keyName)}:${which}`;

function actorType(ctx: Ctx): string | null {
  if (!ctx.principal) return null;
  return ctx.principal.type === 'user' ? 'User' : 'Application';
}

/**
 * IoT hubs and provisioning services with their shared access policies. Every rule of the ARM
 * face lives here: names, SKUs, policy validation and defaults, key generation and sealing,
 * optimistic concurrency, audit. Keys leave only through listKeys/getKey (audited).
 */
export function iotResourceService(deps: Deps, auditBuffer: AuditBuffer) {
  const { store, clock, envelope } = deps;

  const seal = (tenantId: string, resourceId: string, p: IotPolicy): SealedPolicy => ({
    keyName: p.keyName,
    rights: p.rights,
    primaryEnc: envelope.seal(p.primaryKey, policyKeyContext(tenantId, resourceId, p.keyName, 'primary')),
    secondaryEnc: envelope.seal(p.secondaryKey, policyKeyContext(tenantId, resourceId, p.keyName, 'secondary')),
  });
  const open = (tenantId: string, resourceId: string, p: SealedPolicy): IotPolicy => ({
    keyName: p.keyName,
    rights: p.rights,
    primaryKey: envelope.open(p.primaryEnc, policyKeyContext(tenantId, resourceId, p.keyName, 'primary')),
    secondaryKey: envelope.open(p.secondaryEnc, policyKeyContext(tenantId, resourceId, p.keyName, 'secondary')),
  });

  // Opened policies per resource (`kind:name`): decrypting is most of a listkeys call and all of a
  // cold SAS verification. Dropped on every change of the resource (this node, and others via the bus).
  const unsealed = new CacheMap<string, Unsealed | null>(10_000, async (k) => {
    const [kind, name] = k.split(':') as [IotKind, string];
    const r = await store.iot.findByName(kind, name);
    if (!r) return null;
    return { resource: r, policies: (await store.iot.policies(r.tenantId, r.id)).map((p) => open(r.tenantId, r.id, p)) };
  });
  onInvalidation(deps.bus, {
    iot_resource: (e) => unsealed.delete(`${e.kind}:${e.name}`),
    // a deleted tenant takes its resources with it (cascade), without per-resource events
    tenants: () => unsealed.clear(),
    all: () => unsealed.clear(),
  });
  const loadUnsealed = (kind: IotKind, name: string) => {
    const k = `${kind}:${nameKey(name)}`;
    return unsealed.peek(k) ?? unsealed.get(k);
  };

  /** Sealed rows → opened policies, from the cache when it holds this very version (same etag). */
  async function opened(r: IotResource, rows: SealedPolicy[]): Promise<IotPolicy[]> {
    const u = await loadUnsealed(r.kind, r.name);
    if (u && u.resource.id === r.id && u.resource.etag === r.etag) {
      const byName = new Map(u.policies.map((p) => [nameKey(p.keyName), p]));
      const hit = rows.map((row) => byName.get(nameKey(row.keyName)));
      if (hit.every((p): p is IotPolicy => p !== undefined)) return hit;
    }
    return rows.map((row) => open(r.tenantId, r.id, row));
  }

  function checkNames(kind: IotKind, resourceGroup: string, name: string): void {
    if (!isResourceGroupName(resourceGroup)) throw new AppError('IOT_RESOURCE_GROUP_INVALID', { resourceGroup });
    if (!KIND[kind].name.test(name)) throw new AppError('IOT_NAME_INVALID', { name, rule: KIND[kind].nameRule });
  }

  /** A whole policy set checked (domain/iot checkPolicies) before anything is written; missing keys generated. */
  function policiesFrom(kind: IotKind, raw: Static<typeof AuthorizationPolicySchema>[]): IotPolicy[] {
    const checked = checkPolicies(kind, raw);
    if (!checked.ok) throw new AppError(checked.problem.code, checked.problem.params);
    return checked.policies.map((p) => ({
      keyName: p.keyName,
      rights: p.rights,
      primaryKey: p.primaryKey ?? generateSasKey(),
      secondaryKey: p.secondaryKey ?? generateSasKey(),
    }));
  }

  function common(kind: IotKind, body: IotResourceInput) {
    const location = body.location?.trim();
    if (!location) throw new AppError('IOT_LOCATION_REQUIRED');
    const skuName = findSku(kind, body.sku?.name ?? '');
    if (!skuName) throw new AppError('IOT_SKU_INVALID', { allowed: KIND[kind].skus.join(', '), sku: body.sku?.name ?? '' });
    const rawPolicies = body.properties?.authorizationPolicies;
    const policies = rawPolicies === undefined || rawPolicies === null ? undefined : policiesFrom(kind, rawPolicies);
    return { location, skuName, skuCapacity: body.sku?.capacity ?? 1, tags: body.tags ?? {}, policies };
  }

  /** `v` when it is a whole number in [min, max], else `fallback` (malformed event-hub settings are ignored). */
  const intIn = (v: unknown, min: number, max: number, fallback: number): number =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fallback;

  function kindProperties(kind: IotKind, body: IotResourceInput): Record<string, unknown> {
    if (kind === 'dps') return { idScope: newIdScope() };
    const events = (
      body.properties?.eventHubEndpoints as { events?: { partitionCount?: unknown; retentionTimeInDays?: unknown } } | undefined
    )?.events;
    const partitionCount = intIn(events?.partitionCount, 2, 32, 2);
    const retentionTimeInDays = intIn(events?.retentionTimeInDays, 1, 7, 1);
    return { partitionCount, retentionTimeInDays };
  }

  async function find(tenantId: string, kind: IotKind, resourceGroup: string, name: string): Promise<IotResource> {
    const r = await store.iot.get(tenantId, kind, resourceGroup, name);
    if (!r) throw new AppError('IOT_RESOURCE_NOT_FOUND', { type: KIND[kind].type, name, resourceGroup });
    return r;
  }

  async function changed(kind: IotKind, name: string): Promise<void> {
    await deps.bus.publish({ t: 'iot_resource', kind, name: nameKey(name) });
  }

  function audit(tx: Store, ctx: Ctx, r: IotResource, action: AuditAction, detail: Record<string, unknown>) {
    return tx.audit.append(
      auditEvent(
        deps,
        ctx,
        r.tenantId,
        action,
        { type: r.kind === 'hub' ? 'iot_hub' : 'dps', id: r.id },
        { name: r.name, resourceGroup: r.resourceGroup, ...detail },
      ),
    );
  }

  function policyDiff(before: SealedPolicy[], after: IotPolicy[], beforeOpen: IotPolicy[]) {
    const old = new Map(beforeOpen.map((p) => [nameKey(p.keyName), p]));
    const names = new Set(after.map((p) => nameKey(p.keyName)));
    return {
      added: after.filter((p) => !old.has(nameKey(p.keyName))).map((p) => p.keyName),
      removed: before.filter((p) => !names.has(nameKey(p.keyName))).map((p) => p.keyName),
      rightsChanged: after
        .filter((p) => old.has(nameKey(p.keyName)) && old.get(nameKey(p.keyName))!.rights !== p.rights)
        .map((p) => p.keyName),
      keysChanged: after
        .filter((p) => {
          const o = old.get(nameKey(p.keyName));
          return o && (o.primaryKey !== p.primaryKey || o.secondaryKey !== p.secondaryKey);
        })
        .map((p) => p.keyName),
    };
  }

  return {
    find,
    /** DNS suffixes resource host names are built from ({name}.{suffix}). */
    hosts: { hubHostSuffix: deps.config.hubHostSuffix, dpsHostSuffix: deps.config.dpsHostSuffix },
    /** Policies per page of listkeys. */
    keysPageSize: deps.config.armPageSize,

    /**
     * ARM PUT. Create: absent/null authorizationPolicies → the defaults with fresh keys. Update:
     * absent/null → keep; present → replace the whole set (supplied keys kept, missing generated).
     * Everything is validated first, then written in one transaction (CAS on the etag).
     */
    async createOrUpdate(
      ctx: Ctx,
      tenantId: string,
      kind: IotKind,
      resourceGroup: string,
      name: string,
      body: IotResourceInput,
      ifMatch?: string,
      attempt = 0,
    ): Promise<{ resource: IotResource; created: boolean }> {
      checkNames(kind, resourceGroup, name);
      const input = common(kind, body);
      const now = clock.now();
      const who = ctx.principal?.name ?? null;
      // One read decides both: ours (same tenant and resource group) or taken (names are global).
      const byName = await store.iot.findByName(kind, name);
      const existing = byName && byName.tenantId === tenantId && sameName(byName.resourceGroup, resourceGroup) ? byName : undefined;
      if (ifMatch !== undefined && (!existing || !etagMatches(ifMatch, existing.etag))) {
        throw new AppError('IOT_PRECONDITION_FAILED', { ifMatch, name });
      }
      if (!existing) {
        if (byName) throw new AppError('IOT_NAME_UNAVAILABLE', { name, type: KIND[kind].type });
        const r: IotResource = {
          id: randomUUID(),
          tenantId,
          kind,
          resourceGroup,
          name,
          location: input.location,
          skuName: input.skuName,
          skuCapacity: input.skuCapacity,
          tags: input.tags,
          properties: kindProperties(kind, body),
          etag: newEtag(),
          createdAt: now,
          createdBy: who,
          createdByType: actorType(ctx),
          updatedAt: now,
          updatedBy: who,
          updatedByType: actorType(ctx),
        };
        const policies =
          input.policies ??
          KIND[kind].defaults.map((p) => ({
            keyName: p.keyName,
            rights: p.rights,
            primaryKey: generateSasKey(),
            secondaryKey: generateSasKey(),
          }));
        try {
          await store.transaction(async (tx) => {
            await tx.iot.insert(
              r,
              policies.map((p) => seal(tenantId, r.id, p)),
            );
            await audit(tx, ctx, r, KIND[kind].audit.created, { policies: policies.map((p) => p.keyName) });
          });
        } catch (e) {
          // A concurrent PUT of the same resource won the insert: ours becomes an update of it.
          if (e instanceof UniqueViolation && attempt < MAX_ATTEMPTS)
            return this.createOrUpdate(ctx, tenantId, kind, resourceGroup, name, body, ifMatch, attempt + 1);
          if (e instanceof UniqueViolation) throw new AppError('IOT_NAME_UNAVAILABLE', { name, type: KIND[kind].type });
          throw e;
        }
        await changed(kind, name);
        return { resource: r, created: true };
      }
      if (!sameLocation(existing.location, input.location)) {
        throw new AppError('IOT_LOCATION_CHANGED', { name: existing.name, location: existing.location });
      }
      const r: IotResource = {
        ...existing,
        skuName: input.skuName,
        skuCapacity: input.skuCapacity,
        tags: input.tags,
        etag: newEtag(),
        updatedAt: now,
        updatedBy: who,
        updatedByType: actorType(ctx),
      };
      try {
        await store.transaction(async (tx) => {
          let detail: Record<string, unknown> = {};
          let sealed: SealedPolicy[] | undefined;
          if (input.policies) {
            const before = await tx.iot.policies(tenantId, existing.id);
            detail = policyDiff(
              before,
              input.policies,
              before.map((p) => open(tenantId, existing.id, p)),
            );
            sealed = input.policies.map((p) => seal(tenantId, existing.id, p));
          }
          if (!(await tx.iot.update(tenantId, r, existing.etag, sealed))) {
            if (ifMatch !== undefined) throw new AppError('IOT_PRECONDITION_FAILED', { ifMatch, name });
            throw new LostRace();
          }
          await audit(tx, ctx, r, KIND[kind].audit.updated, detail);
        });
      } catch (e) {
        // Without If-Match the last writer wins: re-read and apply this PUT on top of the winner.
        if (e instanceof LostRace && attempt < MAX_ATTEMPTS)
          return this.createOrUpdate(ctx, tenantId, kind, resourceGroup, name, body, ifMatch, attempt + 1);
        if (e instanceof LostRace) throw new AppError('IOT_CONCURRENT_UPDATE', { name });
        throw e;
      }
      await changed(kind, name);
      return { resource: r, created: false };
    },

    get: find,

    list: (tenantId: string, kind: IotKind, resourceGroup?: string): Promise<IotResource[]> => {
      if (resourceGroup !== undefined && !isResourceGroupName(resourceGroup)) {
        throw new AppError('IOT_RESOURCE_GROUP_INVALID', { resourceGroup });
      }
      return store.iot.list(tenantId, kind, resourceGroup);
    },

    async delete(ctx: Ctx, tenantId: string, kind: IotKind, resourceGroup: string, name: string): Promise<void> {
      const r = await find(tenantId, kind, resourceGroup, name);
      await store.transaction(async (tx) => {
        if (!(await tx.iot.delete(tenantId, r.id)))
          throw new AppError('IOT_RESOURCE_NOT_FOUND', { type: KIND[kind].type, name, resourceGroup });
        await audit(tx, ctx, r, KIND[kind].audit.deleted, {});
      });
      await changed(kind, r.name);
    },

    /** Every policy with its keys; each call is one audit record (batched). */
    async listKeys(
      ctx: Ctx,
      tenantId: string,
      kind: IotKind,
      resourceGroup: string,
      name: string,
      page: { offset: number; limit: number },
    ): Promise<{ items: IotPolicyWithUse[]; total: number }> {
      const r = await find(tenantId, kind, resourceGroup, name);
      const all = await store.iot.policies(tenantId, r.id);
      const rows = all.slice(page.offset, page.offset + page.limit);
      const keys = await opened(r, rows);
      const items = rows.map((p, i) => ({ ...keys[i]!, lastUsedAt: p.lastUsedAt }));
      auditBuffer.push(
        auditEvent(
          deps,
          ctx,
          tenantId,
          KIND[kind].audit.keys,
          { type: kind === 'hub' ? 'iot_hub' : 'dps', id: r.id },
          { name: r.name, resourceGroup: r.resourceGroup, keyNames: items.map((p) => p.keyName), offset: page.offset },
        ),
      );
      return { items, total: all.length };
    },

    async getKey(
      ctx: Ctx,
      tenantId: string,
      kind: IotKind,
      resourceGroup: string,
      name: string,
      keyName: string,
    ): Promise<IotPolicyWithUse> {
      const r = await find(tenantId, kind, resourceGroup, name);
      const p = (await store.iot.policies(tenantId, r.id)).find((x) => sameName(x.keyName, keyName));
      if (!p) throw new AppError('IOT_KEY_NAME_NOT_FOUND', { keyName, name: r.name });
      auditBuffer.push(
        auditEvent(
          deps,
          ctx,
          tenantId,
          KIND[kind].audit.keys,
          { type: kind === 'hub' ? 'iot_hub' : 'dps', id: r.id },
          { name: r.name, resourceGroup: r.resourceGroup, keyNames: [p.keyName] },
        ),
      );
      return { ...(await opened(r, [p]))[0]!, lastUsedAt: p.lastUsedAt };
    },

    /** For the SAS verifier: a resource by name in any tenant with its policies opened. No audit (hot path). */
    loadForVerify: loadUnsealed,
  };
}

export type IotResourceService = ReturnType<typeof iotResourceService>;
