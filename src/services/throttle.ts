/**
 * Login throttling: a growing delay per username and per client address, never a permanent lock.
 * After `free` failures each further failure doubles the wait (1 s, 2 s, 4 s … capped at `maxMs`);
 * a success for the username clears it. Keyed by what was submitted, not by what exists, so an
 * unknown username and a real one behave alike. Memory per node; entries expire.
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
