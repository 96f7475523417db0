/**
 * The one rule of throttled failures, whatever holds the counts (one node's memory, or the
 * store a cluster shares). After `free` failures each further failure doubles the wait (`baseMs`,
 * 2 × `baseMs` … capped at `maxMs`); a count whose last failure is more than `windowMs` ago is
 * forgotten. Never a permanent lock: `maxMs` ≤ `windowMs`, so a count is only ever forgotten
 * once its wait is over, and every wait ends.
 */
export interface ThrottlePolicy {
  free: number;
  baseMs: number;
  maxMs: number;
  windowMs: number;
}

/** The failures counted against one key; `forgetAt` is the last moment they still count. */
export interface FailureCount {
  failures: number;
  lastFailureAt: number;
  forgetAt: number;
}

export function throttlePolicy(p: ThrottlePolicy): ThrottlePolicy {
  if (!(p.maxMs <= p.windowMs)) throw new Error('a throttle must forget a count only after its longest wait');
  return Object.freeze({ ...p });
}

/** When a failure at `at` is forgotten. */
export const forgetAt = (p: ThrottlePolicy, at: number): number => at + p.windowMs;

export const isForgotten = (c: FailureCount, now: number): boolean => now > c.forgetAt;

/**
 * The count after one more failure at `at`: one more than `prev`, or 1 when there is none or it
 * is forgotten. A store that shares counts does the same in one atomic statement
 * (`LoginFailureRepo.record`).
 */
export function countFailure(prev: FailureCount | undefined, at: number, forget: number): FailureCount {
  return { failures: prev && !isForgotten(prev, at) ? prev.failures + 1 : 1, lastFailureAt: at, forgetAt: forget };
}

/** Until when attempts wait (epoch ms), or 0 while the count is within the free failures. */
export function blockedUntil(p: ThrottlePolicy, c: FailureCount): number {
  if (c.failures <= p.free) return 0;
  return c.lastFailureAt + Math.min(p.maxMs, p.baseMs * 2 ** (c.failures - p.free - 1));
}

/** Whole seconds to wait at `now`, or 0 when an attempt may proceed. */
export function retryAfterSeconds(p: ThrottlePolicy, c: FailureCount | undefined, now: number): number {
  if (!c || isForgotten(c, now)) return 0;
  const left = blockedUntil(p, c) - now;
  return left > 0 ? Math.ceil(left / 1000) : 0;
}
