import type { Deps } from '../deps.js';
import { Lru } from '../util/lru.js';
import { effectiveDpsRights, effectiveHubRights, parseSas, verifySas } from '../domain/sas.js';
import type { IotKind } from '../domain/types.js';
import type { IotPolicy, IotResourceService, Unsealed } from './iot-resources.js';
import type { SasPolicyRef, UsageRecorder } from './usage.js';
import { whenReady } from '../util/when-ready.js';

type Policy = IotPolicy & { ref: SasPolicyRef; effective: ReadonlySet<string> };

interface Entry {
  tenantId: string;
  kind: IotKind;
  name: string;
  hostName: string;
  policies: Map<string, Policy>;
  /**
   * Tokens that verified, by `header + "\n" + target`: clients reuse a token for many requests,
   * and a hit only re-checks expiry. Lives and dies with this version of the resource's keys.
   */
  verified: Lru<string, { se: number; policy: Policy; keyIndex: number }>;
}

export type SasFailure =
  | 'bad_prefix'
  | 'malformed_field'
  | 'duplicate_field'
  | 'missing_field'
  | 'bad_expiry'
  | 'bad_encoding'
  | 'unknown_host'
  | 'missing_skn'
  | 'unknown_policy'
  | 'expired'
  | 'no_usable_key'
  | 'bad_signature'
  | 'scope_mismatch';

export type SasResult =
  | {
      ok: true;
      kind: IotKind;
      tenantId: string;
      name: string;
      hostName: string;
      keyName: string;
      keyIndex: number;
      rights: string;
      effective: ReadonlySet<string>;
      /** The policy's row key, one object per opened policy: what its use is recorded under. */
      ref: SasPolicyRef;
    }
  | { ok: false; reason: SasFailure };

/** The resource a host name addresses: {name}.{hub suffix} or {name}.{dps suffix}. */
export function resourceForHost(
  config: Pick<Deps['config'], 'hubHostSuffix' | 'dpsHostSuffix'>,
  host: string,
): { kind: IotKind; name: string } | undefined {
  const h = host.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  for (const [kind, suffix] of [
    ['hub', config.hubHostSuffix],
    ['dps', config.dpsHostSuffix],
  ] as const) {
    if (h.endsWith('.' + suffix)) {
      const name = h.slice(0, -suffix.length - 1);
      if (name && !name.includes('.')) return { kind, name };
    }
  }
  return undefined;
}

/**
 * Verifies policy SAS tokens (`skn` present) for IoT hubs and provisioning services, from memory:
 * the opened policy keys come from the resource service's cache, dropped on an `iot_resource`
 * invalidation (this node at once, others through the bus); a token that verified once is
 * remembered with its resource's keys and only re-checked for expiry. Primary key first, then secondary. `check`
 * only verifies (the admission records the use, credentials/sas-policy.ts); `verify` also marks the
 * policy used in `usage` (a Map write; the store is written by its flush).
 */
export function iotSasService(deps: Deps, resources: IotResourceService, usage: UsageRecorder) {
  // Derived from the resource service's cache of opened policies: a new Unsealed object (after
  // any change of the resource) gets a fresh entry, so nothing here outlives a key rotation.
  const entries = new WeakMap<Unsealed, Entry>();
  function entryOf(u: Unsealed): Entry {
    let e = entries.get(u);
    if (!e) {
      const { resource: r } = u;
      const suffix = r.kind === 'hub' ? deps.config.hubHostSuffix : deps.config.dpsHostSuffix;
      e = {
        tenantId: r.tenantId,
        kind: r.kind,
        name: r.name,
        hostName: `${r.name}.${suffix}`.toLowerCase(),
        verified: new Lru(1024),
        policies: new Map(
          u.policies.map((p) => [
            p.keyName.toLowerCase(),
            {
              ...p,
              ref: { tenantId: r.tenantId, resourceId: r.id, keyName: p.keyName },
              effective: r.kind === 'hub' ? effectiveHubRights(p.rights) : effectiveDpsRights(p.rights),
            },
          ]),
        ),
      };
      entries.set(u, e);
    }
    return e;
  }
  const ok = (e: Entry, policy: Policy, keyIndex: number): SasResult => ({
    ok: true,
    kind: e.kind,
    tenantId: e.tenantId,
    name: e.name,
    hostName: e.hostName,
    keyName: policy.keyName,
    keyIndex,
    rights: policy.rights,
    effective: policy.effective,
    ref: policy.ref,
  });

  function verifyWith(u: Unsealed | null, header: string, target: string | undefined): SasResult {
    const entry = u ? entryOf(u) : undefined;
    const now = deps.clock.now();
    const memo = target === undefined ? header : `${header}\n${target}`;
    const hit = entry?.verified.get(memo);
    if (entry && hit && hit.se > now / 1000) return ok(entry, hit.policy, hit.keyIndex);
    const parsed = parseSas(header);
    if (!parsed.ok) return { ok: false, reason: parsed.reason };
    if (!entry) return { ok: false, reason: 'unknown_host' };
    if (parsed.skn === undefined) return { ok: false, reason: 'missing_skn' };
    const policy = entry.policies.get(parsed.skn.toLowerCase());
    if (!policy) return { ok: false, reason: 'unknown_policy' };
    const v = verifySas(parsed, { keys: [policy.primaryKey, policy.secondaryKey], now: now / 1000, target: target ?? entry.hostName });
    if (!v.ok) return { ok: false, reason: v.reason };
    entry.verified.set(memo, { se: parsed.se, policy, keyIndex: v.keyIndex });
    return ok(entry, policy, v.keyIndex);
  }

  return {
    /** The hub or DPS a host name addresses, if any. */
    resourceForHost: (host: string) => resourceForHost(deps.config, host),

    /**
     * `header` is the Authorization value; `host` the host the client addressed (Host header,
     * port ignored); `target` the resource accessed below it (default: the host itself).
     */
    check(header: string, host: string, target?: string): SasResult | Promise<SasResult> {
      const addressed = resourceForHost(deps.config, host);
      // answered without a promise when the resource is in memory (the hot path)
      return whenReady(addressed ? resources.loadForVerify(addressed.kind, addressed.name) : null, (u) => verifyWith(u, header, target));
    },

    /** `check`, and a success marks the policy used (for callers outside a face's admission). */
    verify(header: string, host: string, target?: string): SasResult | Promise<SasResult> {
      return whenReady(this.check(header, host, target), (r) => {
        if (r.ok) usage.mark('sas_policy', r.ref, deps.clock.now());
        return r;
      });
    },
  };
}

export type IotSasService = ReturnType<typeof iotSasService>;
