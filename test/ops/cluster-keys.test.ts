import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/crypto/key-ring.js';
import { Envelope } from '../../src/crypto/envelope.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/port.js';
import { PG_URL, pgSchema, TestClock, type TestApp } from '../harness.js';
import { twoApps, type TwoApps } from './two-apps.js';

/**
 * Two nodes changing the signing keys at the same instant (issue 19, item 7). Each rotation
 * retires what the store holds unretired and inserts its own key; without the cluster lock two
 * nodes both read the same old key, both insert, and two keys are left signing.
 */

const unretired = async (s: Store) => (await s.signingKeys.list()).filter((k) => k.retiredAt === null).map((k) => k.kid);

async function eventually(check: () => Promise<void> | void, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

describe('two nodes rotating the signing key at once (PostgreSQL)', () => {
  let n: TwoApps;
  beforeAll(async () => void (n = await twoApps()));
  afterAll(async () => n?.close());

  const rotate = async (t: TestApp) => {
    const r = await t.req('POST', '/iam/keys/rotate', { token: await t.adminToken() });
    expect(r.statusCode).toBe(200);
    return r.json() as { kid: string; retired: string[] };
  };
  const me = (t: TestApp, token: string) => t.req('GET', '/iam/users/me', { token, tenant: t.defaultTenantId });

  it('leaves exactly one key signing, the same on both nodes, and tokens of either verify on both', async () => {
    const store = n.a.server.deps.store;
    for (let round = 0; round < 5; round++) {
      const before = await unretired(store);
      const [ra, rb] = await Promise.all([rotate(n.a), rotate(n.b)]);
      const signing = await unretired(store);
      expect(signing).toHaveLength(1);
      // They ran one after the other: the second retired the first's key, and only its own signs.
      const [first, second] = ra.retired.includes(rb.kid) ? [rb, ra] : [ra, rb];
      expect(first.retired).toEqual(before);
      expect(second.retired).toEqual([first.kid]);
      expect(signing).toEqual([second.kid]);
      await eventually(() => {
        expect(n.a.server.deps.keys.currentKid).toBe(signing[0]);
        expect(n.b.server.deps.keys.currentKid).toBe(signing[0]);
        expect(n.a.server.deps.keys.jwks()).toEqual(n.b.server.deps.keys.jwks());
      });
      const [fromA, fromB] = [
        await n.a.login(n.a.admin.username, n.a.admin.password),
        await n.b.login(n.b.admin.username, n.b.admin.password),
      ];
      for (const t of [n.a, n.b])
        for (const tok of [fromA.access_token, fromB.access_token]) expect((await me(t, tok)).statusCode).toBe(200);
    }
  });
});

describe('two nodes starting at once on an empty store (PostgreSQL)', () => {
  it('make one first signing key between them, not one each', async () => {
    const { schema, drop } = pgSchema();
    const stores: Store[] = [];
    try {
      for (let i = 0; i < 2; i++) stores.push(await openStore({ kind: 'postgres', url: PG_URL, schema }));
      const clock = new TestClock();
      const envelope = new Envelope(Buffer.alloc(32, 7));
      const rings = stores.map(
        (s) => new KeyRing(s, envelope, { alg: 'ES256', issuer: 'https://latch.cluster.test', now: () => clock.now() }),
      );
      await Promise.all(rings.map((r) => r.init()));
      const signing = await unretired(stores[0]!);
      expect(signing).toHaveLength(1);
      expect(rings.map((r) => r.currentKid)).toEqual([signing[0], signing[0]]);
    } finally {
      for (const s of stores) await s.close();
      await drop();
    }
  });
});
