import { describe, expect, it } from 'vitest';
import { isUuid, timeOrderedId } from '../../src/domain/ids.js';

describe('timeOrderedId (UUIDv7 for sessions and audit records)', () => {
  it('is an RFC 9562 version-7 UUID whose first 48 bits are the creation millisecond', () => {
    const at = Date.UTC(2026, 11, 1, 15, 0, 0, 123);
    const id = timeOrderedId(at);
    expect(isUuid(id)).toBe(true);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('formats each call with its own millisecond, whatever the call before used (the time part is reused within one)', () => {
    const a = Date.UTC(2026, 11, 1, 15, 0, 0, 1);
    const b = Date.UTC(2027, 0, 2, 3, 4, 5, 6);
    const ms = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect([a, a, b, a, b, b].map((at) => ms(timeOrderedId(at)))).toEqual([a, a, b, a, b, b]);
  });

  it('sorts by creation time as text (what keeps the index appends on its last page), and never repeats', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => timeOrderedId(1_700_000_000_000 + Math.floor(i / 100)));
    const byMs = (id: string) => id.slice(0, 13);
    expect([...ids].sort((a, b) => byMs(a).localeCompare(byMs(b)))).toEqual(ids);
    expect([...ids].sort().map(byMs)).toEqual(ids.map(byMs));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('isUuid (the one UUID pattern: ids, tenant headers, Central role ids, subdomains that must not look like one)', () => {
  it.each([
    ['6f1c2e4a-0b1d-4c3e-8f5a-9d7b6a5c4e3f', true],
    ['6F1C2E4A-0B1D-4C3E-8F5A-9D7B6A5C4E3F', true],
    ['6f1C2e4A-0b1d-4c3e-8f5a-9d7b6a5c4e3f', true],
    ['00000000-0000-0000-0000-000000000000', true],
    ['6f1c2e4a0b1d4c3e8f5a9d7b6a5c4e3f', false],
    ['{6f1c2e4a-0b1d-4c3e-8f5a-9d7b6a5c4e3f}', false],
    ['6f1c2e4a-0b1d-4c3e-8f5a-9d7b6a5c4e3f ', false],
    ['6f1c2e4a-0b1d-4c3e-8f5a-9d7b6a5c4e3', false],
    ['6f1c2e4a-0b1d-4c3e-8f5a-9d7b6a5c4e3g', false],
    ['6f1c2e4a-0b1d-4c3e-8f5a-9d7b6a5c4e3f\n', false],
    ['', false],
  ])('%j → %s', (s, ok) => expect(isUuid(s)).toBe(ok));
});
