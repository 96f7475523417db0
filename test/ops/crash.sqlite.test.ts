import { describe, expect, it } from 'vitest';
import { crashRounds } from './crash-rounds.js';

const ROUNDS = 20;

describe('kill -9 while writing (sqlite)', () => {
  it(`loses nothing acknowledged and half-applies nothing over ${ROUNDS} SIGKILL rounds of mixed writes`, async () => {
    const r = await crashRounds('sqlite', ROUNDS);
    expect(r.rounds).toBe(ROUNDS);
    expect(r.acknowledged).toBeGreaterThan(ROUNDS * 5);
    console.log(`crash safety (sqlite): ${JSON.stringify(r)}`);
  }, 180_000);
});
