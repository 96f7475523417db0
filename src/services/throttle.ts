import { isIPv4, isIPv6 } from 'node:net';
import { countFailure, forgetAt, isForgotten, retryAfterSeconds, throttlePolicy, type FailureCount } from '../domain/throttle.js';
import type { LoginFailureRepo } from '../store/port.js';
import { nameKey } from '../domain/names.js';

/**
 * Where failure counts live: this node's memory, or the store the nodes of a cluster share
 * (`Store.loginFailures`, whose contract this is). The rule they feed is domain/throttle.ts.
 */
export type FailureCounter = LoginFailureRepo;

/** Counts in this node's memory: the one SQLite node's. Bounded: forgotten counts are dropped. */
export class MemoryFailureCounter implements FailureCounter {
  private readonly counts = new Map<string, FailureCount>();

  async get(keys: string[], now: number): Promise<Map<string, FailureCount>> {
    const found = new Map<string, FailureCount>();
    for (const k of keys) {
      const c = this.counts.get(k);
      if (c && !isForgotten(c, now)) found.set(k, c);
    }
    return found;
  }

  async record(failures: { key: string; forgetAt: number }[], at: number): Promise<Map<string, FailureCount>> {
    const after = new Map<string, FailureCount>();
    for (const f of failures) {
      const c = countFailure(this.counts.get(f.key), at, f.forgetAt);
      this.counts.set(f.key, c);
      after.set(f.key, c);
    }
    if (this.counts.size > 100_000) await this.deleteForgotten(at);
    return after;
  }

  async clear(keys: string[]): Promise<void> {
    for (const k of keys) this.counts.delete(k);
  }

  async deleteForgotten(now: number): Promise<number> {
    let n = 0;
    for (const [k, c] of this.counts) if (isForgotten(c, now) && this.counts.delete(k)) n++;
    return n;
  }
}

/** What a login attempt is counted against: the kind of credential, what was submitted, and where from. */
export interface LoginAttempt {
  kind: 'user' | 'client';
  /** The username or client id as submitted (whether it exists or not). */
  submitted: string;
  clientAddress: string | null;
}

const MINUTE = 60_000;
const PAIRS = throttlePolicy({ free: 5, baseMs: 1000, maxMs: 15 * MINUTE, windowMs: 15 * MINUTE });
const ADDRESSES = throttlePolicy({ free: 30, baseMs: 1000, maxMs: 15 * MINUTE, windowMs: 15 * MINUTE });

/**
 * The one client-address form throttles count by: IPv4-mapped IPv6 as IPv4, IPv6 by its /64
 * (one host usually holds a whole /64, so single addresses would be free to rotate through).
 */
export function throttleAddress(ip: string | null): string {
  if (!ip) return '?';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.split('::') as [string, string?];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')
    .concat('::/64');
}

/**
 * Login throttling that cannot be aimed at a user (DESIGN.md, "Login failures"):
 * - per (credential submitted, client address) pair: 5 free failures, then 1 s doubling to 15 min.
 *   An attacker hammering an account slows only their own address; the owner, from any other
 *   address, still signs in with the right password.
 * - per client address across all accounts (the ceiling against one address spraying many
 *   accounts): 30 free failures, then the same growth. Users and API keys have separate ceilings,
 *   so failed passwords never block the API keys of the same network.
 * A success clears its pair, never the address (others may share it). Keys are what was
 * submitted, so an unknown username and a real one count alike. The counts live in `counter`:
 * memory for a single node, the shared store for a cluster, so N nodes give one budget, not N.
 * Round trips to a shared counter: one read per login (all its keys), one atomic write per failure
 * (both keys), and on success a delete only when that read found a pair counted.
 */
export class LoginThrottle {
  /** Whether the check of an attempt found its pair counted (its success then clears it). */
  private readonly pairCounted = new WeakMap<LoginAttempt, boolean>();

  constructor(
    private readonly now: () => number,
    private readonly counter: FailureCounter = new MemoryFailureCounter(),
  ) {}

  private keys(a: LoginAttempt): [pair: string, address: string] {
    const address = throttleAddress(a.clientAddress);
    return [`${a.kind}:${nameKey(a.submitted.trim())}|${address}`, `${a.kind}|${address}`];
  }

  /** The counter's keys: one namespace per policy. */
  private counted(a: LoginAttempt): [pair: string, address: string] {
    const [pair, address] = this.keys(a);
    return [`pair ${pair}`, `address ${address}`];
  }

  /**
   * Seconds to wait before these attempts (one login counted in several buckets) may proceed, or
   * 0. One read of all their counts.
   */
  async retryAfter(...attempts: LoginAttempt[]): Promise<number> {
    const keys = attempts.map((a) => this.counted(a));
    const now = this.now();
    const counts = await this.counter.get([...new Set(keys.flat())], now);
    let wait = 0;
    attempts.forEach((a, i) => {
      const [pair, address] = keys[i]!;
      this.pairCounted.set(a, counts.has(pair));
      wait = Math.max(wait, retryAfterSeconds(PAIRS, counts.get(pair), now), retryAfterSeconds(ADDRESSES, counts.get(address), now));
    });
    return wait;
  }

  async fail(a: LoginAttempt): Promise<void> {
    const [pair, address] = this.counted(a);
    const now = this.now();
    await this.counter.record(
      [
        { key: pair, forgetAt: forgetAt(PAIRS, now) },
        { key: address, forgetAt: forgetAt(ADDRESSES, now) },
      ],
      now,
    );
  }

  /**
   * Clears the pairs' counts in one call, except those the check of their attempt found none for
   * (no round trip at all then; a failure another attempt counted since that check stays counted).
   */
  async succeed(...attempts: LoginAttempt[]): Promise<void> {
    const pairs = attempts.filter((a) => this.pairCounted.get(a) !== false).map((a) => this.counted(a)[0]);
    if (pairs.length) await this.counter.clear([...new Set(pairs)]);
  }
}
