import fc from 'fast-check';
import { operationsOf, type Operation } from './operations.js';
import { judge, knownDefect, send, type Failure } from './oracle.js';
import { requestsFor, unrouted, type FuzzRequest } from './requests.js';
import type { World } from './world.js';

export interface CampaignOptions {
  /** How many requests to send (shrinking counts too). */
  requests: number;
  seed: number;
  /** Count failures matching KNOWN_DEFECTS instead of stopping on them (the bounded sample in npm test). */
  tolerateKnown: boolean;
  /** Stop after this many distinct failures. */
  maxFailures?: number;
}

export interface Found extends Failure {
  /** The KNOWN_DEFECTS entry it matches, if any. */
  known?: string;
  /** How often a failure of this kind came up (before and after shrinking), and from which operations. */
  hits: number;
  ops: Set<string>;
  seed: number;
}

export interface Totals {
  dialect: World['dialect'];
  operations: number;
  requests: number;
  byStatus: Record<string, number>;
  byFace: Record<string, number>;
  /** Distinct failures, each with its shrunk counterexample. */
  failures: Found[];
  /** Known failures tolerated (tolerateKnown), by KNOWN_DEFECTS id. */
  tolerated: Record<string, number>;
  ms: number;
}

/** The operations of the app's own OpenAPI document (`app.swagger()`, what /openapi.json serves). */
export const documentedOperations = (w: World): Operation[] =>
  operationsOf(w.t.app.swagger() as unknown as Parameters<typeof operationsOf>[0]);

/**
 * A kind of failure: one face breaking one property the same way, with the same logged error
 * (a 5xx also by route, since each route reaches different code). Its hits list the operations.
 */
const signature = (f: Failure & { known?: string }) => {
  const logged = f.outcome.log.map((l) => (JSON.parse(l) as { err?: { type?: string; message?: string } }).err).find(Boolean);
  const what = logged ? `${logged.type}: ${(logged.message ?? '').replace(/\d+/g, 'N').slice(0, 60)}` : '';
  const where = typeof f.outcome.status === 'number' && f.outcome.status < 500 ? '' : `${f.request.method} ${f.request.op}`;
  return [f.face, String(f.outcome.status), f.problem.replace(/\d+/g, 'N'), where, what, f.known ?? ''].join(' | ');
};

const revokesCaller = (r: FuzzRequest) => r.method === 'DELETE' || /\/(logout|keys\/rotate)\b/.test(r.url);

/**
 * Sends `requests` generated requests through `app.inject` and checks each against the
 * properties (oracle.ts). A failure is shrunk by fast-check to a minimal counterexample and
 * recorded; the run then goes on with the same kind of failure accepted, so one run finds every
 * kind it reaches, not only the first.
 */
export async function campaign(w: World, opts: CampaignOptions): Promise<Totals> {
  const ops = documentedOperations(w);
  const arb = fc.oneof(...ops.map((op) => requestsFor(op, w)), unrouted(w));
  const totals: Totals = {
    dialect: w.dialect,
    operations: ops.length,
    requests: 0,
    byStatus: {},
    byFace: {},
    failures: [],
    tolerated: {},
    ms: 0,
  };
  const seen = new Map<string, Found>();
  const started = performance.now();
  let last: Failure | undefined;
  const property = fc.asyncProperty(arb, async (r) => {
    const o = await send(w, r);
    totals.requests++;
    totals.byStatus[String(o.status)] = (totals.byStatus[String(o.status)] ?? 0) + 1;
    if (typeof o.status === 'number' && o.status < 300 && revokesCaller(r)) await w.refresh();
    const j = judge(w, r, o);
    totals.byFace[j.face] = (totals.byFace[j.face] ?? 0) + 1;
    if (!j.problem) return true;
    const f: Failure = { dialect: w.dialect, request: r, outcome: o, face: j.face, problem: j.problem };
    const known = knownDefect(f);
    if (known && opts.tolerateKnown) {
      totals.tolerated[known] = (totals.tolerated[known] ?? 0) + 1;
      return true;
    }
    const prior = seen.get(signature({ ...f, ...(known ? { known } : {}) }));
    if (prior) {
      prior.hits++;
      prior.ops.add(`${r.method} ${r.op}`);
      return true;
    }
    last = f;
    return false;
  });
  let seed = opts.seed;
  while (totals.requests < opts.requests && totals.failures.length < (opts.maxFailures ?? 40)) {
    last = undefined;
    const d = await fc.check(property, { seed, numRuns: opts.requests - totals.requests });
    if (!d.failed || !last) break;
    const f = last as Failure;
    const found: Found = {
      ...f,
      hits: 1,
      ops: new Set([`${f.request.method} ${f.request.op}`]),
      seed,
      ...(knownDefect(f) ? { known: knownDefect(f) } : {}),
    };
    seen.set(signature(found), found);
    totals.failures.push(found);
    seed = (seed * 48271 + 1) % 2147483647;
  }
  totals.ms = Math.round(performance.now() - started);
  return totals;
}

const clip = (s: string, n = 160) => (s.length > n ? `${JSON.stringify(s.slice(0, n))}… (${s.length} chars)` : JSON.stringify(s));

/** A failure as a report line: method, URL, the inputs that matter, status, what the server logged. */
export function describeFailure(f: Found): string {
  const r = f.request;
  const logged = f.outcome.log.map((l) => {
    const e = JSON.parse(l) as { msg?: string; err?: { type?: string; message?: string; stack?: string } };
    const at = e.err?.stack?.split('\n').find((s) => s.includes('/src/') || s.includes('node_modules'));
    return `${e.msg}: ${e.err?.type}: ${clip(e.err?.message ?? '', 120)}${at ? ` ${at.trim()}` : ''}`;
  });
  return [
    `[${f.dialect}] ${f.problem}${f.known ? ` (known: ${f.known})` : ''} — ${f.hits} hit(s), face ${f.face}, seed ${f.seed}`,
    `  operations hit: ${[...f.ops].slice(0, 12).join('; ')}${f.ops.size > 12 ? ` … (${f.ops.size})` : ''}`,
    `  ${r.method} ${clip(r.url, 200)}  (from ${r.op}; auth ${r.auth}; body ${r.body})`,
    `  headers ${clip(JSON.stringify(r.headers), 300)}`,
    ...(r.payload !== undefined ? [`  payload ${clip(r.payload, 300)}`] : []),
    `  → ${f.outcome.status} ${clip(f.outcome.body, 200)}`,
    ...logged.map((l) => `  logged ${l}`),
  ].join('\n');
}

/** Totals as a few report lines. */
export function describeTotals(t: Totals): string {
  const statuses = Object.entries(t.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
  const faces = Object.entries(t.byFace)
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
  const tolerated = Object.entries(t.tolerated)
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
  return [
    `[${t.dialect}] ${t.requests} requests over ${t.operations} operations in ${(t.ms / 1000).toFixed(1)} s (${Math.round((t.requests * 1000) / Math.max(1, t.ms))}/s)`,
    `  status ${statuses}`,
    `  face ${faces}`,
    `  distinct failures ${t.failures.length}${tolerated ? `; known tolerated ${tolerated}` : ''}`,
  ].join('\n');
}
