import type { IotSasService, SasResult } from '../iot-sas.js';
import type { UsageRecorder } from '../usage.js';

/** A policy SAS token that verified: the policy, its hub or DPS and its rights. */
export type SasGranted = Extract<SasResult, { ok: true }>;

/**
 * Hub and DPS shared access policy tokens (`SharedAccessSignature sr=…&sig=…&se=…&skn=…`, Azure's
 * format byte for byte) for the resource the Host header names. HMAC-SHA256 against the policy's
 * primary then secondary key (constant-time), from the opened keys in memory; a token that verified
 * is remembered with that version of the keys. Revoked by regenerating a key or deleting the
 * policy or its resource (an `iot_resource` invalidation drops the opened keys on every node).
 * Yields the policy (no tenant principal); its scope is the one resource and the policy's rights.
 */
export function sasPolicyKind(iotSas: IotSasService, usage: UsageRecorder) {
  return {
    kind: 'sas_policy' as const,
    /** A key regenerated, a policy or its resource changed or deleted: the opened keys are dropped. */
    invalidatedBy: ['iot_resource', 'all'] as const,
    recognise: (authorization: string): boolean => authorization.startsWith('SharedAccessSignature '),
    /** Answered without a promise when the resource's keys are in memory (the hot path). */
    verify: (header: string, host: string, target: string | undefined): SasResult | Promise<SasResult> =>
      iotSas.check(header, host, target),
    /** Last use: per policy (its row key), a Map write; the recorder flushes. */
    markUse: (g: SasGranted, now: number): void => usage.mark('sas_policy', g.ref, now),
  };
}

export type SasPolicyKind = ReturnType<typeof sasPolicyKind>;
