import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { throttleAddress } from '../../src/services/throttle.js';
import { parseAddress } from '../../src/http/client-address.js';
import { generateSecret } from '../../src/crypto/secrets.js';
import { makeTestApp, type TestApp } from '../harness.js';

/**
 * Brute force that is not a denial of service (DESIGN.md, "Login failures"): throttling counts
 * per (credential, client address) and per client address, never per account alone, so an
 * attacker slows only the addresses it uses, and `X-Forwarded-For` is believed only from the
 * proxies LATCH_TRUST_PROXY names.
 */

let n = 0;
/** A client address no other case uses. */
const fresh = () => `10.77.${Math.floor(++n / 250)}.${n % 250}`;
const status = (r: LightMyRequestResponse) => r.statusCode;

describe.each(['sqlite', 'postgres'] as const)('brute force (%s)', (dialect) => {
  let t: TestApp;
  let tenant: string;
  beforeAll(async () => {
    t = await makeTestApp({ dialect });
    tenant = (await t.createTenant(undefined, { ei: true })).id;
  });
  afterAll(async () => t?.close());

  const password = (username: string, pw: string, from: string) => t.token({ username, password: pw }, { remoteAddress: from });
  const client = (clientId: string, secret: string, from: string) =>
    t.token({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }, { remoteAddress: from });

  it('the targeted user still logs in from a fresh address while the account is hammered from elsewhere', async () => {
    const victim = await t.createUser(tenant, ['Operator']);
    const attacker = fresh();
    const seen: number[] = [];
    for (let i = 0; i < 20; i++) seen.push(status(await password(victim.username, `guess-${i}`, attacker)));
    expect(seen.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(seen.at(-1)).toBe(429);
    // From the attacker's address even the right password waits …
    expect(status(await password(victim.username, victim.password, attacker))).toBe(429);
    // … from anywhere else it works, at once and repeatedly, and does not lift the attacker's delay.
    for (let i = 0; i < 3; i++) expect(status(await password(victim.username, victim.password, fresh()))).toBe(200);
    expect(status(await password(victim.username, victim.password, attacker))).toBe(429);
  });

  it('the delay grows from 1 s, is capped at 15 minutes, and always ends: never a permanent lock', async () => {
    const victim = await t.createUser(tenant, ['Operator']);
    const from = fresh();
    for (let i = 0; i < 5; i++) expect(status(await password(victim.username, 'bad-password', from))).toBe(401);
    const waits: number[] = [];
    const start = t.clock.now();
    try {
      for (let i = 0; i < 14; i++) {
        expect(status(await password(victim.username, 'bad-password', from))).toBe(401);
        const r = await password(victim.username, 'bad-password', from);
        expect(status(r)).toBe(429);
        expect(r.json()).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
        waits.push(Number(r.headers['retry-after']));
        t.clock.advance(waits.at(-1)! * 1000);
      }
      expect(waits.slice(0, 5)).toEqual([1, 2, 4, 8, 16]);
      expect(Math.max(...waits)).toBe(900);
      // After the wait the right password works from that very address too.
      expect(status(await password(victim.username, victim.password, from))).toBe(200);
    } finally {
      t.clock.t = start; // the cached admin token stays valid for the other cases
    }
  });

  it('the per-address ceiling holds across accounts: one address spraying many usernames is slowed for all of them', async () => {
    const sprayer = fresh();
    const real = await t.createUser(tenant, ['Operator']);
    const statuses: number[] = [];
    // One guess per account (each pair stays far below its own limit) …
    for (let i = 0; i < 31; i++) statuses.push(status(await password(`spray-${dialect}-${i}`, 'Winter2030!', sprayer)));
    expect(statuses.every((s) => s === 401)).toBe(true);
    // … but the 32nd attempt from that address waits, whatever account it names, even with the right password.
    const r = await password(`spray-${dialect}-new`, 'Winter2030!', sprayer);
    expect(status(r)).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    expect(status(await password(real.username, real.password, sprayer))).toBe(429);
    // Other addresses are untouched, and so are API keys from the sprayed address (a ceiling of their own).
    expect(status(await password(real.username, real.password, fresh()))).toBe(200);
    const key = await t.createApiKey(tenant, ['Operator']);
    expect(status(await client(key.clientId, key.secret, sprayer))).toBe(200);
    // The ceiling passes with time.
    const wait = Number(r.headers['retry-after']) * 1000;
    t.clock.advance(wait);
    try {
      expect(status(await password(real.username, real.password, sprayer))).toBe(200);
    } finally {
      t.clock.advance(-wait);
    }
  });

  it("a user's throttle never blocks the tenant's API keys, from the same address", async () => {
    const victim = await t.createUser(tenant, ['Operator']);
    const key = await t.createApiKey(tenant, ['Operator']);
    const from = fresh();
    for (let i = 0; i < 8; i++) await password(victim.username, 'bad-password', from);
    expect(status(await password(victim.username, victim.password, from))).toBe(429);
    expect(status(await client(key.clientId, key.secret, from))).toBe(200);
    expect(status(await password(key.clientId, key.secret, from))).toBe(200);
  });

  it('an API key hammered with wrong secrets still logs in from a fresh address (client_credentials and password grant)', async () => {
    const key = await t.createApiKey(tenant, ['Operator']);
    const attacker = fresh();
    for (let i = 0; i < 8; i++) await client(key.clientId, 'wrong-secret', attacker);
    expect(status(await client(key.clientId, key.secret, attacker))).toBe(429);
    expect(status(await password(key.clientId, key.secret, attacker))).toBe(429);
    expect(status(await client(key.clientId, key.secret, fresh()))).toBe(200);
    expect(status(await password(key.clientId, key.secret, fresh()))).toBe(200);
  });

  it('one key is one bucket whatever it is called: its tenant->name, id, bare name and any case share five guesses', async () => {
    const key = await t.createApiKey(tenant, ['Operator']);
    const from = fresh();
    const forms = [key.clientId, key.id, key.name, key.clientId.toUpperCase(), key.id.toUpperCase(), ` ${key.name} `];
    for (const form of forms) expect(status(await client(form, generateSecret('ak'), from))).toBe(401);
    for (const form of [key.clientId, key.id, key.name]) expect(status(await client(form, key.secret, from))).toBe(429);
    expect(status(await password(key.id, key.secret, from))).toBe(429);
    expect(status(await client(key.name, key.secret, fresh()))).toBe(200);
  });

  it('X-Forwarded-For is ignored without LATCH_TRUST_PROXY: a client cannot pick a fresh bucket, and the socket address is recorded', async () => {
    const victim = await t.createUser(tenant, ['Operator']);
    const socket = fresh();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push(
        status(
          await t.token(
            { username: victim.username, password: 'bad-password' },
            { remoteAddress: socket, headers: { 'x-forwarded-for': `198.51.100.${i}` } },
          ),
        ),
      );
    expect(statuses.at(-1)).toBe(429);
    const ok = await t.token(
      { username: victim.username, password: victim.password },
      { remoteAddress: fresh(), headers: { 'x-forwarded-for': '203.0.113.9' } },
    );
    expect(status(ok)).toBe(200);
    const events = await t.server.deps.store.audit.query(tenant, {
      action: 'user.login_succeeded',
      actorId: victim.id,
      limit: 10,
      offset: 0,
    });
    expect(events.items.map((e) => e.clientAddress)).not.toContain('203.0.113.9');
  });
});

describe.each(['sqlite', 'postgres'] as const)('behind a trusted proxy (LATCH_TRUST_PROXY, %s)', (dialect) => {
  let t: TestApp;
  let tenant: string;
  const PROXY = '192.0.2.10';
  beforeAll(async () => {
    t = await makeTestApp({ dialect, env: { LATCH_TRUST_PROXY: `${PROXY},127.0.0.1` } });
    tenant = (await t.createTenant(undefined, { ei: true })).id;
  });
  afterAll(async () => t?.close());

  const via = (body: Record<string, unknown>, forwardedFor: string, socket = PROXY) =>
    t.token(body, { remoteAddress: socket, headers: { 'x-forwarded-for': forwardedFor } });

  it('clients behind the proxy get buckets of their own: one attacker does not throttle the others', async () => {
    const victim = await t.createUser(tenant, ['Operator']);
    for (let i = 0; i < 8; i++) await via({ username: victim.username, password: 'bad-password' }, '198.51.100.66');
    expect(status(await via({ username: victim.username, password: victim.password }, '198.51.100.66'))).toBe(429);
    expect(status(await via({ username: victim.username, password: victim.password }, '198.51.100.67'))).toBe(200);
  });

  it('the forwarded client address is what the session and the audit trail record', async () => {
    const u = await t.createUser(tenant, ['Operator']);
    expect(status(await via({ username: u.username, password: u.password }, '203.0.113.50'))).toBe(200);
    expect(status(await via({ username: u.username, password: 'bad-password' }, '203.0.113.51'))).toBe(401);
    await t.server.services.auditBuffer.flush();
    const q = (action: string) => t.server.deps.store.audit.query(tenant, { action, limit: 10, offset: 0 });
    expect((await q('user.login_succeeded')).items.find((e) => e.actorId === u.id)?.clientAddress).toBe('203.0.113.50');
    expect((await q('user.login_failed')).items.find((e) => e.targetId === u.id)?.clientAddress).toBe('203.0.113.51');
  });

  /** Eight failed passwords for a new user, each through the proxy with the next `forwarded` entry; then the right one with `then`. */
  async function hammer(forwarded: (i: number) => string, then: string): Promise<number> {
    const victim = await t.createUser(tenant, ['Operator']);
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) seen.push(status(await via({ username: victim.username, password: 'bad-password' }, forwarded(i))));
    expect(seen.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    return status(await via({ username: victim.username, password: victim.password }, then));
  }

  it.each([
    ['ip:port, a new port each time', (i: number) => `198.51.100.70:${1000 + i}`, '198.51.100.70'],
    ['ip:port, then the bare address', (i: number) => `198.51.100.71:${1000 + i}`, '198.51.100.71:9999'],
    ['IPv4-mapped IPv6 and IPv4', (i: number) => (i % 2 ? '::ffff:198.51.100.72' : '198.51.100.72'), '::FFFF:198.51.100.72'],
    ['IPv6 in one /64', (i: number) => `2001:db8:aa:bb::${i + 1}`, '2001:db8:aa:bb:ffff::9'],
    ['[IPv6]:port', (i: number) => `[2001:db8:aa:cc::${i + 1}]:${443 + i}`, '2001:db8:aa:cc::99'],
    ['garbage: charged to the proxy that wrote it', (i: number) => `not-an-address-${i}`, 'unknown'],
  ])('X-Forwarded-For entries are parsed as addresses, never as text: %s', async (_case, forwarded, then) => {
    expect(await hammer(forwarded, then)).toBe(429);
  });

  it('a garbage entry throttles only the proxy bucket, and another /64 or address is untouched', async () => {
    expect(await hammer((i) => `2001:db8:aa:dd::${i + 1}`, '2001:db8:aa:de::1')).toBe(200);
    expect(await hammer((i) => `garbage ${i}`, '198.51.100.73')).toBe(200);
    // With no X-Forwarded-For at all the client is the proxy itself: the garbage was charged there.
    const victim = await t.createUser(tenant, ['Operator']);
    for (let i = 0; i < 8; i++) await via({ username: victim.username, password: 'bad-password' }, `junk-${i}`);
    expect(status(await t.token({ username: victim.username, password: victim.password }, { remoteAddress: PROXY }))).toBe(429);
  });

  it('the audit trail records the parsed address, not the text the proxy wrote', async () => {
    const u = await t.createUser(tenant, ['Operator']);
    expect(status(await via({ username: u.username, password: u.password }, '203.0.113.60:51234'))).toBe(200);
    const q = await t.server.deps.store.audit.query(tenant, { action: 'user.login_succeeded', actorId: u.id, limit: 1, offset: 0 });
    expect(q.items[0]?.clientAddress).toBe('203.0.113.60');
  });

  it('from a socket that is not a trusted proxy the header is ignored', async () => {
    const victim = await t.createUser(tenant, ['Operator']);
    const socket = '10.200.0.1';
    for (let i = 0; i < 8; i++) await via({ username: victim.username, password: 'bad-password' }, `198.51.100.${100 + i}`, socket);
    expect(status(await via({ username: victim.username, password: victim.password }, '198.51.100.200', socket))).toBe(429);
  });
});

describe('LATCH_TRUST_PROXY and the throttle address', () => {
  it('a hop count trusts that many proxies: the client is the address that many hops back', async () => {
    const t = await makeTestApp({ env: { LATCH_TRUST_PROXY: '1' } });
    try {
      const u = await t.createUser(t.defaultTenantId, ['Operator']);
      const r = await t.token(
        { username: u.username, password: u.password },
        { remoteAddress: '192.0.2.1', headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' } },
      );
      expect(status(r)).toBe(200);
      const e = await t.server.deps.store.audit.query(t.defaultTenantId, {
        action: 'user.login_succeeded',
        actorId: u.id,
        limit: 1,
        offset: 0,
      });
      expect(e.items[0]?.clientAddress).toBe('203.0.113.7');
    } finally {
      await t.close();
    }
  });

  it.each([
    ['', undefined],
    ['off', undefined],
    ['2', 2],
    ['10.0.0.0/8, 192.168.1.1', ['10.0.0.0/8', '192.168.1.1']],
    ['loopback,fd00::/8', ['loopback', 'fd00::/8']],
  ])('accepts %j', (raw, expected) => {
    expect(loadConfig({ LATCH_TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });

  it.each(['true', '*', 'proxy.example.com', '10.0.0.0/33', '10.0.0.1/8/1', '99'])('refuses %j with a clear message', (raw) => {
    expect(() => loadConfig({ LATCH_TRUST_PROXY: raw })).toThrow(/^Invalid LATCH_TRUST_PROXY=/);
  });

  it.each([
    ['198.51.100.1', '198.51.100.1'],
    [' 198.51.100.1:8080 ', '198.51.100.1'],
    ['[2001:DB8::1]:443', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['2001:db8::1', '2001:db8::1'],
    ['unknown', undefined],
    ['1.2.3.4:99999999', undefined],
    ['1.2.3', undefined],
    ['', undefined],
    ['_hidden', undefined],
  ])('an X-Forwarded-For entry %j is the address %j', (entry, expected) => {
    expect(parseAddress(entry)).toBe(expected);
  });

  it('IPv6 clients are counted by their /64, IPv4-mapped ones as IPv4', () => {
    expect(throttleAddress('2001:db8:1:2:aaaa::1')).toBe(throttleAddress('2001:0db8:1:2:ffff:1:2:3'));
    expect(throttleAddress('2001:db8:1:2::1')).not.toBe(throttleAddress('2001:db8:1:3::1'));
    expect(throttleAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(throttleAddress('10.1.2.3')).toBe('10.1.2.3');
    expect(throttleAddress(null)).toBe('?');
  });
});
