import { describe, expect, it, vi } from 'vitest';
import { blockedUntil, countFailure, forgetAt, retryAfterSeconds, throttlePolicy } from '../../src/domain/throttle.js';
import { LoginThrottle, MemoryFailureCounter, type LoginAttempt } from '../../src/services/throttle.js';
import { openStore } from '../../src/store/open.js';
import { failureCounterContract } from '../store-contract/login-failures.js';
import { PG_URL, pgSchema, TestClock } from '../harness.js';

/**
 * The failure counts behind login throttling: one rule (domain/throttle.ts), two places to keep
 * the counts — one node's memory (SQLite) and the store a cluster shares (PostgreSQL), which must
 * answer alike. The store's counter also runs in the store contract on both dialects.
 */

failureCounterContract('failure counter in memory (SQLite node)', async () => ({
  counter: new MemoryFailureCounter(),
  close: async () => {},
}));

describe('the throttle rule', () => {
  const p = throttlePolicy({ free: 5, baseMs: 1000, maxMs: 900_000, windowMs: 900_000 });

  it('5 free failures, then 1 s doubling capped at 15 minutes, measured from the last failure', () => {
    let c = countFailure(undefined, 0, forgetAt(p, 0));
    for (let i = 1; i < 5; i++) c = countFailure(c, 0, forgetAt(p, 0));
    expect(blockedUntil(p, c)).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      c = countFailure(c, 0, forgetAt(p, 0));
      waits.push(retryAfterSeconds(p, c, 0));
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
  });

  it('never a permanent lock: a count is forgotten only after its wait, and then it starts again at 1', () => {
    expect(() => throttlePolicy({ free: 5, baseMs: 1000, maxMs: 2000, windowMs: 1000 })).toThrow();
    let c = countFailure(undefined, 0, forgetAt(p, 0));
    for (let i = 0; i < 40; i++) c = countFailure(c, 0, forgetAt(p, 0));
    expect(retryAfterSeconds(p, c, 900_000)).toBe(0);
    expect(retryAfterSeconds(p, c, 899_999)).toBe(1);
    expect(countFailure(c, 900_001, forgetAt(p, 900_001)).failures).toBe(1);
  });
});

describe('LoginThrottle round trips', () => {
  it('one read per login whatever its buckets, one write per failure, and a success clears only what its check found', async () => {
    const counter = new MemoryFailureCounter();
    const calls = { get: vi.spyOn(counter, 'get'), record: vi.spyOn(counter, 'record'), clear: vi.spyOn(counter, 'clear') };
    const throttle = new LoginThrottle(() => 0, counter);
    const buckets = (): LoginAttempt[] => [
      { kind: 'user', submitted: 'u-1', clientAddress: '192.0.2.1' },
      { kind: 'user', submitted: 'alice', clientAddress: '192.0.2.1' },
    ];
    const clean = buckets();
    expect(await throttle.retryAfter(...clean)).toBe(0);
    expect(calls.get).toHaveBeenCalledTimes(1);
    expect(calls.get.mock.calls[0]![0]).toHaveLength(3); // two pairs, one address
    await throttle.succeed(...clean);
    expect(calls.clear).not.toHaveBeenCalled();
    await throttle.fail(buckets()[0]!);
    expect(calls.record).toHaveBeenCalledTimes(1);
    const after = buckets();
    await throttle.retryAfter(...after);
    await throttle.succeed(...after);
    expect(calls.clear).toHaveBeenCalledTimes(1);
    expect(calls.clear.mock.calls[0]![0]).toEqual(['pair user:u-1|192.0.2.1']);
  });
});

describe('LoginThrottle over a shared counter (PostgreSQL)', () => {
  const attempt = (): LoginAttempt => ({ kind: 'user', submitted: 'Alice', clientAddress: '198.51.100.7' });

  it('two throttles on one store share one budget: 3 failures on each, and both wait', async () => {
    const { schema, drop } = pgSchema();
    const store = await openStore({ kind: 'postgres', url: PG_URL, schema });
    try {
      const clock = new TestClock();
      const now = () => clock.now();
      const [a, b] = [new LoginThrottle(now, store.loginFailures), new LoginThrottle(now, store.loginFailures)];
      for (let i = 0; i < 3; i++) await a.fail(attempt());
      for (let i = 0; i < 2; i++) await b.fail(attempt());
      expect(await a.retryAfter(attempt())).toBe(0);
      expect(await b.retryAfter(attempt())).toBe(0);
      await b.fail(attempt());
      expect(await a.retryAfter(attempt())).toBe(1);
      expect(await b.retryAfter(attempt())).toBe(1);
      clock.advance(1000);
      // a success on one node clears the pair for both
      const ok = attempt();
      expect(await a.retryAfter(ok)).toBe(0);
      await a.succeed(ok);
      expect(await store.loginFailures.get(['pair user:alice|198.51.100.7'], clock.now())).toEqual(new Map());
      // swept once forgotten (test/ops/housekeeping.test.ts): storage stays bounded
      expect(await store.loginFailures.deleteForgotten(clock.now())).toBe(0);
      clock.advance(15 * 60_000 + 1);
      expect(await store.loginFailures.deleteForgotten(clock.now())).toBe(1); // the address count
    } finally {
      await store.close();
      await drop();
    }
  });
});
