/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by
 * package/file, and inclusive time of the functions matching --focus.
 *
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [--top 30] [--focus <regex>]
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, focus: { type: 'string', multiple: true } },
});
const prof = JSON.parse(fs.readFileSync(positionals[0]!, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

const where = (u: string) => {
  if (!u) return '(native/V8)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (m) return m[1]!;
  if (u.startsWith('node:')) return u;
  const s = /\/(src|bench)\/(.*)$/.exec(u);
  return s ? `${s[1]}/${s[2]}` : u;
};
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
const fnSelf = new Map<string, number>();
const pkgSelf = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  add(fnSelf, label(n), t);
  add(pkgSelf, n.callFrame.url ? where(n.callFrame.url) : n.callFrame.functionName, t);
}
const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)} %`;
const top = Number(values.top);
console.log(`total sampled ${(total / 1000).toFixed(0)} ms`);
console.log('\nself time by package / file:');
for (const [k, t] of [...pkgSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);
console.log('\nself time by function:');
for (const [k, t] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);

for (const f of values.focus ?? []) {
  const re = new RegExp(f);
  // inclusive: a sample counts once if any frame on its stack matches
  let incl = 0;
  const memo = new Map<number, boolean>();
  const matches = (id: number): boolean => {
    if (memo.has(id)) return memo.get(id)!;
    const n = byId.get(id)!;
    const r = re.test(label(n)) || (parent.has(id) && matches(parent.get(id)!));
    memo.set(id, r);
    return r;
  };
  for (const [id, t] of self) if (matches(id)) incl += t;
  console.log(`\ninclusive time under /${f}/: ${pct(incl)}`);
}
