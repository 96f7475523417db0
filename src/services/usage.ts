import type { Logger } from 'pino';
import type { Store } from '../store/port.js';
import { nameKey } from '../domain/names.js';

/** A shared access policy (hub or DPS) by its row key: the policy `keyName` of resource `resourceId`. */
export interface SasPolicyRef {
  tenantId: string;
  resourceId: string;
  keyName: string;
}

/** An IoT Central API token by its row key. */
export interface CentralTokenRef {
  tenantId: string;
  appId: string;
  tokenId: string;
}

type Pending =
  | { type: 'user' | 'api_key'; id: string; at: number }
  | { type: 'sas_policy'; ref: SasPolicyRef; at: number }
  | { type: 'central_api_token'; ref: CentralTokenRef; at: number };

/**
 * Records when credentials were last used without touching the store on the request path:
 * mark() is a Map write; flush() (every `intervalMs`, and on close) writes each credential at
 * most once per interval. One mechanism for every credential kind: users, API keys, SAS policies,
 * Central API tokens.
 */
export class UsageRecorder {
  private pending = new Map<string, Pending>();
  private readonly lastWritten = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  mark(type: 'user' | 'api_key', id: string, at: number): void;
  mark(type: 'sas_policy', ref: SasPolicyRef, at: number): void;
  mark(type: 'central_api_token', ref: CentralTokenRef, at: number): void;
  mark(type: Pending['type'], idOrRef: string | SasPolicyRef | CentralTokenRef, at: number): void {
    const k = typeof idOrRef === 'string' ? `${type}:${idOrRef}` : this.refKey(idOrRef);
    const last = this.lastWritten.get(k);
    if (last !== undefined && at - last < this.intervalMs) return;
    const queued = this.pending.get(k);
    if (queued) {
      queued.at = at; // marked again before the flush: no new entry a request
      return;
    }
    this.pending.set(
      k,
      typeof idOrRef === 'string'
        ? { type: type as 'user' | 'api_key', id: idOrRef, at }
        : 'tokenId' in idOrRef
          ? { type: 'central_api_token', ref: idOrRef, at }
          : { type: 'sas_policy', ref: idOrRef, at },
    );
  }

  /** A policy's or token's key, made once per ref object (the verifiers keep one per credential they hold). */
  private readonly refKeys = new WeakMap<SasPolicyRef | CentralTokenRef, string>();
  private refKey(ref: SasPolicyRef | CentralTokenRef): string {
    let k = this.refKeys.get(ref);
    if (k === undefined) {
      k =
        'tokenId' in ref
          ? `central_api_token:${ref.appId}
${ref.tokenId}`
          : `sas_policy:${ref.resourceId}:${nameKey(ref.keyName)}`;
      this.refKeys.set(ref, k);
    }
    return k;
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    // Entries older than the interval no longer hold anything back: forget them (memory stays
    // bounded by the credentials used in the last interval, deleted ones included).
    let newest = 0;
    for (const p of batch.values()) newest = Math.max(newest, p.at);
    for (const at of this.lastWritten.values()) newest = Math.max(newest, at);
    for (const [k, at] of this.lastWritten) if (newest - at >= this.intervalMs) this.lastWritten.delete(k);
    for (const [k, p] of batch) {
      try {
        switch (p.type) {
          case 'sas_policy':
            await this.store.iot.touchPolicy(p.ref.tenantId, p.ref.resourceId, p.ref.keyName, p.at);
            break;
          case 'central_api_token':
            await this.store.central.touchToken(p.ref.tenantId, p.ref.appId, p.ref.tokenId, p.at);
            break;
          case 'user':
            await this.store.users.touch(p.id, p.at);
            break;
          case 'api_key':
            await this.store.apiKeys.touch(p.id, p.at);
            break;
        }
        this.lastWritten.set(k, p.at);
      } catch (err) {
        this.log.warn({ err }, 'could not record credential use');
      }
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
