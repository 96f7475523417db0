import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as Secrets from '../../src/crypto/secrets.js';
import { digest, generateSecret, secretRowId } from '../../src/crypto/secrets.js';
import { parseSas, signSas, verifySas, type ParsedSas } from '../../src/domain/sas.js';
import { makeTestApp, type TestApp } from '../harness.js';

/**
 * Every check of secret material compares all of it: a presented secret whose SHA-256 digest
 * shares all but one character with the stored one (or all but its first, or only its first
 * 8 characters) is refused. A real preimage with a 63-character common prefix cannot be found,
 * so the test makes the digest function answer the near miss for one presented secret; a control
 * case answering the exact digest logs in, proving the near miss reached the compare.
 */

const nearMiss = vi.hoisted(() => new Map<string, string>());
vi.mock('../../src/crypto/secrets.js', async (importOriginal) => {
  const m = await importOriginal<typeof Secrets>();
  return { ...m, digest: (s: string) => nearMiss.get(s) ?? m.digest(s) };
});

const flip = (hex: string, i: number) => hex.slice(0, i) + (hex[i] === '0' ? '1' : '0') + hex.slice(i + 1);
const VARIANTS: [string, (d: string) => string][] = [
  ['the last character differs', (d) => flip(d, d.length - 1)],
  ['the first character differs', (d) => flip(d, 0)],
  ['only the first 8 characters match', (d) => d.slice(0, 8) + [...d.slice(8)].map((c) => (c === 'f' ? 'e' : 'f')).join('')],
];

describe.each(['sqlite', 'postgres'] as const)('secrets compared in full (%s)', (dialect) => {
  let t: TestApp;
  let tenant: string;
  let ip = 0;
  const from = () => ({ remoteAddress: `10.55.${Math.floor(++ip / 250)}.${ip % 250}` });
  beforeAll(async () => {
    t = await makeTestApp({ dialect });
    tenant = (await t.createTenant(undefined, { ei: true })).id;
  });
  afterAll(async () => {
    nearMiss.clear();
    await t?.close();
  });

  /** A well-formed secret of `kind` (naming row `rowId`, as a refresh token does) whose digest is `d` for the server. */
  const presenting = (kind: 'ak' | 'rt', d: string, rowId?: string) => {
    const s = generateSecret(kind, rowId);
    nearMiss.set(s, d);
    return s;
  };

  it.each(VARIANTS)('API key secret refused when %s of its digest', async (_name, alter) => {
    const key = await t.createApiKey(tenant, ['Operator']);
    const stored = digest(key.secret);
    const cc = (secret: string) => t.token({ grant_type: 'client_credentials', client_id: key.clientId, client_secret: secret }, from());
    expect((await cc(presenting('ak', alter(stored)))).statusCode).toBe(401);
    expect((await t.token({ username: key.clientId, password: presenting('ak', alter(stored)) }, from())).statusCode).toBe(401);
    // control: the same route with the exact digest signs in
    expect((await cc(presenting('ak', stored))).statusCode).toBe(200);
  });

  it.each(VARIANTS)('refresh token refused when %s of its digest, and logout with it ends nothing', async (_name, alter) => {
    const u = await t.createUser(tenant, ['Operator']);
    const first = await t.login(u.username, u.password, from());
    const stored = digest(first.refresh_token);
    // the same row as the real token, so only the digest compare can refuse it
    const row = secretRowId(first.refresh_token)!;
    const refresh = (rt: string) => t.token({ grant_type: 'refresh_token', refresh_token: rt }, from());
    const miss = await refresh(presenting('rt', alter(stored), row));
    expect(miss.statusCode).toBe(400);
    expect(miss.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
    expect((await t.req('POST', '/iam/auth/logout', { body: { refresh_token: presenting('rt', alter(stored), row) } })).statusCode).toBe(
      204,
    );
    // control: the exact digest refreshes, so the session survived both near misses
    expect((await refresh(presenting('rt', stored, row))).statusCode).toBe(200);
  });
});

describe('SAS signatures (hub, DPS and IoT Central tokens share verifySas) compared in full', () => {
  const KEY = Buffer.alloc(32, 7).toString('base64');
  const HUB = 'myhub.azure-devices.net';
  const SE = 2_000_000_000;
  const opts = { keys: [KEY], now: SE - 10, target: HUB };
  const parsed = (): ParsedSas => {
    const r = parseSas(signSas({ resourceUri: HUB, key: KEY, keyName: 'iothubowner', expiry: SE }));
    if (!r.ok) throw new Error('parse');
    return r;
  };
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const swap = (sig: string, i: number) => sig.slice(0, i) + B64[(B64.indexOf(sig[i]!) + 16) % 64] + sig.slice(i + 1);

  it('control: the untouched signature verifies', () => {
    expect(verifySas(parsed(), opts)).toEqual({ ok: true, keyIndex: 0 });
  });

  // 44 chars: 43 data characters then '='; index 42 has 2 unused bits (covered in test/domain/sas.test.ts)
  it.each([
    ['its last data character', 41],
    ['its first character', 0],
    ['a character after the first 8', 20],
  ])('refused with %s changed (decoded bytes differ too)', (_name, i) => {
    const p = parsed();
    const sig = swap(p.sig, i);
    expect(Buffer.from(sig, 'base64').equals(Buffer.from(p.sig, 'base64'))).toBe(false);
    expect(verifySas({ ...p, sig }, opts)).toEqual({ ok: false, reason: 'bad_signature' });
  });
});
