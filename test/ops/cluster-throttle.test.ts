import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../harness.js';
import { twoApps, type TwoApps } from './two-apps.js';

/**
 * Login throttling across a cluster (issue 19, item 6): the nodes of one PostgreSQL share one
 * budget of failed logins, so failures spread over two nodes are throttled exactly as the same
 * failures on one node (test/security/brute-force.test.ts), with the same answer.
 */

let n = 0;
/** A client address no other case uses. */
const fresh = () => `10.88.${Math.floor(++n / 250)}.${n % 250}`;

describe('two nodes share one login throttle (PostgreSQL)', () => {
  let c: TwoApps;
  let tenant: string;
  beforeAll(async () => {
    c = await twoApps();
    tenant = (await c.a.createTenant(undefined, { ei: true })).id;
  });
  afterAll(async () => c?.close());

  const password = (t: TestApp, username: string, pw: string, from: string) => t.token({ username, password: pw }, { remoteAddress: from });
  const expectThrottled = (r: LightMyRequestResponse) => {
    expect(r.statusCode).toBe(429);
    expect(r.json()).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  };

  it('3 failures on node A and 3 on node B, same user and address: the next attempt waits on either node', async () => {
    const victim = await c.a.createUser(tenant, ['Operator']);
    const attacker = fresh();
    const seen: number[] = [];
    for (const t of [c.a, c.b, c.a, c.b, c.a, c.b]) seen.push((await password(t, victim.username, 'bad-password', attacker)).statusCode);
    expect(seen).toEqual([401, 401, 401, 401, 401, 401]);
    // One budget of 5 free failures for the cluster, not 5 per node: even the right password waits.
    for (const t of [c.a, c.b]) {
      expectThrottled(await password(t, victim.username, 'bad-password', attacker));
      expectThrottled(await password(t, victim.username, victim.password, attacker));
    }
    // From another address the user signs in on either node.
    for (const t of [c.a, c.b]) expect((await password(t, victim.username, victim.password, fresh())).statusCode).toBe(200);
    // After the wait, a success on node B clears the pair for node A too: five free failures again.
    c.clock.advance(1000);
    expect((await password(c.b, victim.username, victim.password, attacker)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await password(c.a, victim.username, 'bad-password', attacker)).statusCode).toBe(401);
  });

  it('failures sent to both nodes at the same time are all counted', async () => {
    const victim = await c.a.createUser(tenant, ['Operator']);
    const attacker = fresh();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => password(i % 2 ? c.b : c.a, victim.username, `guess-${i}`, attacker)),
    );
    expect(answers.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401, 401]);
    expectThrottled(await password(c.b, victim.username, victim.password, attacker));
    expectThrottled(await password(c.a, victim.username, victim.password, attacker));
  });

  it('a username as long as the token endpoint takes (4096 random CJK characters) is throttled, never a 5xx', async () => {
    const long = Array.from({ length: 4096 }, () => String.fromCharCode(0x4e00 + Math.floor(Math.random() * 0x5000))).join('');
    const from = fresh();
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) seen.push((await password(i % 2 ? c.b : c.a, long, 'bad-password', from)).statusCode);
    expect(seen).toEqual([401, 401, 401, 401, 401, 401]);
    expectThrottled(await password(c.b, long, 'bad-password', from));
  });

  it('the per-address ceiling is one for the cluster: 31 usernames sprayed over both nodes, then both wait', async () => {
    const sprayer = fresh();
    const real = await c.a.createUser(tenant, ['Operator']);
    for (let i = 0; i < 31; i++) expect((await password(i % 2 ? c.b : c.a, `spray-${i}`, 'Winter2030!', sprayer)).statusCode).toBe(401);
    expectThrottled(await password(c.a, 'spray-new', 'Winter2030!', sprayer));
    expectThrottled(await password(c.b, real.username, real.password, sprayer));
  });
});
