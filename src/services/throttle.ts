import { isIPv4, isIPv6 } from 'node:net';

/**
 * A growing delay per key, never a permanent lock. After `free` failures each further failure
 * doubles the wait (1 s, 2 s, 4 s … capped at `maxMs`); failures spread over more than a window
 * are forgotten. Memory per node; entries expire.
 */
export class Throttle {
  private readonly entries = new Map<string, { failures: number; until: number; touched: number }>();

  constructor(private readonly opts: { free: number; baseMs: number; maxMs: number; windowMs: number; now: () => number }) {}

  /** Seconds to wait, or 0 when an attempt may proceed. */
  retryAfter(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    const left = e.until - this.opts.now();
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  fail(key: string): void {
    const now = this.opts.now();
    const e = this.entries.get(key) ?? { failures: 0, until: 0, touched: now };
    // Failures spread out over more than a window are forgotten: no permanent lock.
    if (now - e.touched > this.opts.windowMs && e.until < now) e.failures = 0;
    e.failures++;
    e.touched = now;
    if (e.failures > this.opts.free) {
      const delay = Math.min(this.opts.maxMs, this.opts.baseMs * 2 ** (e.failures - this.opts.free - 1));
      e.until = now + delay;
    }
    this.entries.set(key, e);
    if (this.entries.size > 100_000) this.prune();
  }

  succeed(key: string): void {
    this.entries.delete(key);
  }

  private prune(): void {
    const cutoff = this.opts.now() - this.opts.maxMs * 2;
    for (const [k, e] of this.entries) if (e.touched < cutoff && e.until < this.opts.now()) this.entries.delete(k);
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
 * submitted, so an unknown username and a real one count alike. Memory per node; it expires.
 */
export class LoginThrottle {
  private readonly pairs: Throttle;
  private readonly addresses: Throttle;

  constructor(now: () => number) {
    this.pairs = new Throttle({ free: 5, baseMs: 1000, maxMs: 15 * MINUTE, windowMs: 15 * MINUTE, now });
    this.addresses = new Throttle({ free: 30, baseMs: 1000, maxMs: 15 * MINUTE, windowMs: 15 * MINUTE, now });
  }

  private keys(a: LoginAttempt): [pair: string, address: string] {
    const address = throttleAddress(a.clientAddress);
    return [`${a.kind}:${a.submitted.trim().toLowerCase()}|${address}`, `${a.kind}|${address}`];
  }

  /** Seconds to wait before this attempt may proceed, or 0. */
  retryAfter(a: LoginAttempt): number {
    const [pair, address] = this.keys(a);
    return Math.max(this.pairs.retryAfter(pair), this.addresses.retryAfter(address));
  }

  fail(a: LoginAttempt): void {
    const [pair, address] = this.keys(a);
    this.pairs.fail(pair);
    this.addresses.fail(address);
  }

  succeed(a: LoginAttempt): void {
    this.pairs.succeed(this.keys(a)[0]);
  }
}
