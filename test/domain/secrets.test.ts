import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { digest, generateSecret, isWellFormedSecret, safeEqual } from '../../src/crypto/secrets.js';
import { refreshTokenKey } from '../../src/services/sessions.js';

const BODY = /^latch_(ak|rt)_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;

describe('generated secrets', () => {
  it('have the documented shape and a valid checksum, and a changed character fails it', () => {
    for (const kind of ['ak', 'rt'] as const) {
      const s = generateSecret(kind);
      expect(s).toMatch(BODY);
      expect(isWellFormedSecret(s, kind)).toBe(true);
      expect(isWellFormedSecret(s, kind === 'ak' ? 'rt' : 'ak')).toBe(false);
      const i = 20;
      const flipped = s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1);
      expect(isWellFormedSecret(flipped, kind)).toBe(false);
    }
  });

  it('draw every base62 character equally often (no modulo bias) and never repeat', () => {
    const counts = new Map<string, number>();
    const seen = new Set<string>();
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const s = generateSecret('rt');
      seen.add(s);
      for (const c of BODY.exec(s)![2]!) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(seen.size).toBe(n);
    expect(counts.size).toBe(62);
    const expected = (n * 43) / 62; // ≈ 1387, σ ≈ 37
    // ±12% is 4.5σ; taking bytes mod 62 without rejection would give the first 8 characters +21%
    for (const [c, k] of counts) expect(Math.abs(k - expected) / expected, c).toBeLessThan(0.12);
  });
});

describe('refresh tokens that name their row', () => {
  it('carry the row id as 32 hex digits before the random part, under the checksum', () => {
    const id = randomUUID();
    const s = generateSecret('rt', id);
    expect(s).toMatch(/^latch_rt_[0-9a-f]{32}[0-9A-Za-z]{49}$/);
    expect(s.slice(9, 41)).toBe(id.replaceAll('-', ''));
    expect(isWellFormedSecret(s, 'rt')).toBe(true);
    expect(refreshTokenKey(s)).toEqual({ id, hash: digest(s) });
    // A changed digit of the row id fails the checksum: the token names no other row.
    const flipped = s.slice(0, 12) + (s[12] === 'a' ? 'b' : 'a') + s.slice(13);
    expect(isWellFormedSecret(flipped, 'rt')).toBe(false);
    expect(refreshTokenKey(flipped)).toBeUndefined();
    // Upper-case hex is not the shape (the id part is lower case), whatever the checksum says.
    const upper = `latch_rt_${id.replaceAll('-', '').toUpperCase()}${s.slice(41)}`;
    expect(refreshTokenKey(upper)).toBeUndefined();
  });

  it('keys a token of the older shape (no row id) by its digest; anything else is no key', () => {
    const old = generateSecret('rt');
    expect(refreshTokenKey(old)).toEqual({ id: digest(old), hash: digest(old) });
    for (const bad of ['', 'latch_rt_', generateSecret('ak'), generateSecret('ak', randomUUID()), `${old}x`, old.slice(1)])
      expect(refreshTokenKey(bad), bad).toBeUndefined();
  });
});

describe('safeEqual', () => {
  it('compares digests and strings of any length', () => {
    const d = digest('x');
    expect(safeEqual(d, digest('x'))).toBe(true);
    expect(safeEqual(d, digest('y'))).toBe(false);
    expect(safeEqual(d, d.slice(1))).toBe(false);
    expect(safeEqual('é', 'e')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});
