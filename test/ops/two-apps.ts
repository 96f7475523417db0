// Two complete servers in this process on one PostgreSQL schema, each with its own connection
// pool and LISTEN/NOTIFY bus, as two `latch serve` nodes have: one master key, one issuer, and
// one test clock. For cluster tests that need the fake clock (two-nodes.ts runs node B as a process).
import { randomBytes } from 'node:crypto';
import { makeTestApp, PG_URL, pgSchema, TestClock, type TestApp } from '../harness.js';

export interface TwoApps {
  a: TestApp;
  b: TestApp;
  clock: TestClock;
  close(): Promise<void>;
}

/** Node A starts first (it makes the admin and the first signing key), then node B. */
export async function twoApps(): Promise<TwoApps> {
  const { schema, drop } = pgSchema();
  const target = { kind: 'postgres' as const, url: PG_URL, schema };
  const masterKey = randomBytes(32).toString('base64');
  const clock = new TestClock();
  const env = { LATCH_ISSUER: 'https://latch.cluster.test' };
  const a = await makeTestApp({ target, masterKey, clock, env });
  const b = await makeTestApp({ target, masterKey, clock, env }).catch(async (e: unknown) => {
    await a.close();
    await drop();
    throw e;
  });
  return {
    a,
    b,
    clock,
    async close() {
      try {
        await Promise.all([a.close(), b.close()]);
      } finally {
        await drop();
      }
    },
  };
}
