import type { Deps } from '../deps.js';
import { CacheMap, onInvalidation } from '../cache/auth-cache.js';
import { effectiveDpsRights, effectiveHubRights, parseSas, verifySas } from '../domain/sas.js';
import type { IotKind } from '../store/port.js';
import type { IotPolicy, IotResourceService } from './iot-resources.js';
import type { SasPolicyRef, UsageRecorder } from './usage.js';

interface Entry {
  tenantId: string;
  kind: IotKind;
  name: string;
  hostName: string;
  policies: Map<string, IotPolicy & { ref: SasPolicyRef }>;
}

export type SasFailure =
  | 'bad_prefix' | 'malformed_field' | 'duplicate_field' | 'missing_field' | 'bad_expiry' | 'bad_encoding'
  | 'unknown_host' | 'missing_skn' | 'unknown_policy' | 'expired' | 'no_usable_key' | 'bad_signature' | 'scope_mismatch';

export type SasResult =
  | { ok: true; kind: IotKind; tenantId: string; name: string; hostName: string; keyName: string; keyIndex: number; rights: string; effective: ReadonlySet<string> }
  | { ok: false; reason: SasFailure };

/** The resource a host name addresses: {name}.{hub suffix} or {name}.{dps suffix}. */
export function resourceForHost(config: Deps['config'], host: string): { kind: IotKind; name: string } | undefined {
  const h = host.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  for (const [kind, suffix] of [['hub', config.hubHostSuffix], ['dps', config.dpsHostSuffix]] as const) {
    if (h.endsWith('.' + suffix)) {
      const name = h.slice(0, -suffix.length - 1);
      if (name && !name.includes('.')) return { kind, name };
    }
  }
  return undefined;
}

/**
 * Verifies policy SAS tokens (`skn` present) for IoT hubs and provisioning services, from memory:
 * decrypted policy keys are cached per resource and dropped on an `iot_resource` invalidation
 * (this node at once, others through the bus). Primary key first, then secondary. A successful
 * verification marks the policy used in `usage` (a Map write; the store is written by its flush).
 */
export function iotSasService(deps: Deps, resources: IotResourceService, usage: UsageRecorder) {
  const cache = new CacheMap<string, Entry | null>(10_000, async (k) => {
    const [kind, name] = k.split(':') as [IotKind, string];
    const loaded = await resources.loadForVerify(kind, name);
    if (!loaded) return null;
    const suffix = kind === 'hub' ? deps.config.hubHostSuffix : deps.config.dpsHostSuffix;
    return {
      tenantId: loaded.resource.tenantId, kind, name: loaded.resource.name, hostName: `${loaded.resource.name}.${suffix}`.toLowerCase(),
      policies: new Map(loaded.policies.map((p) => [p.keyName.toLowerCase(), { ...p, ref: { tenantId: loaded.resource.tenantId, resourceId: loaded.resource.id, keyName: p.keyName } }])),
    };
  });
  onInvalidation(deps.bus, {
    iot_resource: (e) => cache.delete(`${e.kind}:${e.name}`),
    // a deleted tenant takes its hubs with it (cascade), without per-resource events
    tenants: () => cache.clear(),
    all: () => cache.clear(),
  });

  return {
    /**
     * `header` is the Authorization value; `host` the host the client addressed (Host header,
     * port ignored); `target` the resource accessed below it (default: the host itself).
     */
    async verify(header: string, host: string, target?: string): Promise<SasResult> {
      const parsed = parseSas(header);
      if (!parsed.ok) return { ok: false, reason: parsed.reason };
      const addressed = resourceForHost(deps.config, host);
      if (!addressed) return { ok: false, reason: 'unknown_host' };
      const k = `${addressed.kind}:${addressed.name}`;
      const entry = cache.peek(k) ?? (await cache.get(k));
      if (!entry) return { ok: false, reason: 'unknown_host' };
      if (parsed.skn === undefined) return { ok: false, reason: 'missing_skn' };
      const policy = entry.policies.get(parsed.skn.toLowerCase());
      if (!policy) return { ok: false, reason: 'unknown_policy' };
      const now = deps.clock.now();
      const v = verifySas(parsed, { keys: [policy.primaryKey, policy.secondaryKey], now: now / 1000, target: target ?? entry.hostName });
      if (!v.ok) return { ok: false, reason: v.reason };
      usage.mark('sas_policy', policy.ref, now);
      const effective = entry.kind === 'hub' ? effectiveHubRights(policy.rights) : effectiveDpsRights(policy.rights);
      return { ok: true, kind: entry.kind, tenantId: entry.tenantId, name: entry.name, hostName: entry.hostName, keyName: policy.keyName, keyIndex: v.keyIndex, rights: policy.rights, effective };
    },
  };
}

export type IotSasService = ReturnType<typeof iotSasService>;
