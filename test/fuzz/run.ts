/**
 * `npm run fuzz`: the long mode of the OpenAPI fuzz suite. Sends FUZZ_REQUESTS (default 50,000)
 * generated requests per dialect (SQLite, then PostgreSQL) through app.inject, stopping on
 * nothing: every distinct failure is shrunk by fast-check, and all are printed with the totals.
 * FUZZ_SEED fixes the seed (default: random, printed); FUZZ_DIALECTS=sqlite limits the dialects.
 * Exits 1 when anything failed, known defects included (KNOWN_DEFECTS in oracle.ts).
 */
import { campaign, describeFailure, describeTotals, type Totals } from './campaign.js';
import { makeWorld } from './world.js';

const requests = Number(process.env.FUZZ_REQUESTS ?? 50_000);
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const dialects = (process.env.FUZZ_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];

console.log(`fuzz: ${requests} requests per dialect (${dialects.join(', ')}), seed ${seed}`);
const all: Totals[] = [];
const started = performance.now();
for (const dialect of dialects) {
  const w = await makeWorld(dialect);
  try {
    const t = await campaign(w, { requests, seed, tolerateKnown: false });
    all.push(t);
    console.log(describeTotals(t));
    for (const f of t.failures) console.log(describeFailure(f));
  } finally {
    await w.close();
  }
}
const total = all.reduce((n, t) => n + t.requests, 0);
const failures = all.reduce((n, t) => n + t.failures.length, 0);
console.log(`fuzz: ${total} requests, ${failures} distinct failures, ${((performance.now() - started) / 1000).toFixed(1)} s, seed ${seed}`);
process.exit(failures ? 1 : 0);
