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
