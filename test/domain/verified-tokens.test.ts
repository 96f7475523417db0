import { describe, expect, it } from 'vitest';
import { VerifiedTokens } from '../../src/cache/verified-tokens.js';

// Tokens of the shape the cache holds: header.payload.signature, the last 24 characters from the signature.
const sig = 'Qk9ndXNzaWduYXR1cmVfXzEyMzQ1Njc4OTBhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0';
const genuine = `eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.${sig}`;
const forged = `eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.${sig}`; // another payload, the genuine signature

describe('VerifiedTokens (the bearer-token verification cache, keyed by the end of the signature)', () => {
  it('answers a hit only for the whole token it stored, never for one that shares its signature', () => {
    const c = new VerifiedTokens<{ sub: string }>(10);
    c.set(genuine, { sub: 'alice' });
    expect(c.get(genuine)).toEqual({ sub: 'alice' });
    // a copy built from other strings (as each request's header is) still hits
    expect(c.get(['eyJhbGciOiJFUzI1NiJ9', 'eyJzdWIiOiJhbGljZSJ9', sig].join('.'))).toEqual({ sub: 'alice' });
    expect(c.get(forged)).toBeUndefined();
    expect(c.get(sig.slice(-24))).toBeUndefined();
  });

  it('deleting a token that shares the tail leaves the stored one; deleting the stored one removes it', () => {
    const c = new VerifiedTokens<number>(10);
    c.set(genuine, 1);
    c.delete(forged);
    expect(c.get(genuine)).toBe(1);
    c.delete(genuine);
    expect(c.get(genuine)).toBeUndefined();
  });

  it('short and dotless inputs are keys like any other', () => {
    const c = new VerifiedTokens<number>(10);
    c.set('abc', 1);
    expect(c.get('abc')).toBe(1);
    expect(c.get('xabc')).toBeUndefined();
    expect(c.get('')).toBeUndefined();
  });

  it('stays bounded', () => {
    const c = new VerifiedTokens<number>(2);
    for (let i = 0; i < 3; i++) c.set(`t.${i}.${String(i).repeat(30)}`, i);
    expect(c.get(`t.0.${'0'.repeat(30)}`)).toBeUndefined();
    expect(c.get(`t.2.${'2'.repeat(30)}`)).toBe(2);
  });
});
