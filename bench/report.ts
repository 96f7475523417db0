/**
 * The bench's report: Markdown tables (printed, and written into docs/performance.md between
 * markers), and the chart of cost against credential count (Vega-Lite compiled to Vega, rendered
 * to SVG by `view.toSVG()` in Node: no canvas, no browser).
 */
import fs from 'node:fs';
import * as prettier from 'prettier';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { median, type BenchSettings, type Measurement, type machine } from './harness.js';
import type { Scenario } from './scenarios.js';
import type { SeedResult } from './seed.js';

export interface Summary {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpuUs: number;
}

export const summarize = (ms: Measurement[]): Summary => ({
  rps: median(ms.map((m) => m.rps)),
  p50Ms: median(ms.map((m) => m.p50Ms)),
  p99Ms: median(ms.map((m) => m.p99Ms)),
  cpuUs: median(ms.map((m) => m.cpuUs)),
});

export interface Verdict {
  label: string;
  /** What was measured, as printed. */
  value: string;
  target: string;
  ok: boolean;
}

export interface ScaleRow {
  size: number;
  seed: SeedResult;
  bytesPerCredential: number;
  coldStartMs: number;
  rssIdleBytes: number;
  rssLoadedBytes: number;
  results: Record<string, Summary>;
}

export interface Report {
  machine: ReturnType<typeof machine>;
  startedAt: Date;
  totalSec: number;
  loadBefore: string;
  loadAfter: string;
  settings: BenchSettings & { rounds: number; latchStart: string; logLevel: string };
  main: { scenario: Scenario; summary: Summary }[];
  verdicts: Verdict[];
  /** Same-run ratios that are not targets (the floors against the peers, Latch against its floors). */
  references: string[];
  scale: ScaleRow[];
  scaleSettings?: { rounds: number };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
export const sizeLabel = (n: number) => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n));

function mdTable(head: string[], rows: string[][], numeric: (i: number) => boolean): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (numeric(i) ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

/** The run's results as Markdown (the docs section and the console report are the same text). */
export function markdown(r: Report, chartFile?: string): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(
    `Run of \`npm run bench\` on ${r.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${int(r.totalSec)} s in all. ` +
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.memory}, Node ${m.node}, ${m.os}; load average (1 / 5 / 15 min) ${r.loadBefore} before, ${r.loadAfter} after. ` +
      `Each figure is the median of ${r.settings.rounds} interleaved rounds of ${r.settings.durationSec} s ` +
      `(${r.settings.warmupSec} s warm-up each) with ${r.settings.connections} connections; Latch ${r.settings.latchStart}, log level \`${r.settings.logLevel}\`, SQLite as shipped (WAL, each commit flushed to disk before its answer).`,
  );
  if (r.main.length) {
    const by = new Map(r.main.map((x) => [x.scenario.id, x.summary]));
    const peerOf: Record<string, string> = {
      agents: 'bare',
      whoami: 'bare',
      central: 'bare',
      'floor-agents': 'bare',
      token: 'oidc-token',
      'floor-sign': 'oidc-token',
      'floor-2rows': 'oidc-token',
      'floor-token': 'oidc-token',
    };
    out.push('');
    out.push(
      mdTable(
        ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'req/s vs peer', 'p99 vs peer'],
        r.main.map(({ scenario: s, summary: x }) => {
          const peer = peerOf[s.id] ? by.get(peerOf[s.id]!) : undefined;
          return [
            s.label,
            int(x.rps),
            ms(x.p50Ms),
            ms(x.p99Ms),
            int(x.cpuUs),
            peer ? `**${(x.rps / peer.rps).toFixed(2)}×**` : '—',
            peer ? `${(x.p99Ms / peer.p99Ms).toFixed(2)}×` : '—',
          ];
        }),
        (i) => i > 0,
      ),
    );
    out.push('');
    out.push(
      '"vs peer" is the ratio of medians against node-oidc-provider (token issuance) or the bare Fastify route (the rest); for p99, lower is better.',
    );
  }
  if (r.verdicts.length) {
    out.push('');
    for (const v of r.verdicts) out.push(`- ${v.ok ? 'MET' : '**NOT MET**'}: ${v.label}: ${v.value} (target ${v.target})`);
  }
  if (r.references.length) {
    out.push('');
    out.push(
      "The floors (`bench/servers/floor.ts`: the same requests answered by Fastify with only what the answer needs, each layer as cheap as it can be written) bound what any server on Latch's stack reaches; not targets:",
    );
    out.push('');
    for (const line of r.references) out.push(`- ${line}`);
  }
  if (r.scale.length) {
    const ids = Object.keys(r.scale[0]!.results);
    out.push('');
    out.push(
      `Scale: stored credentials seeded through the store's bulk path (N API keys with a session and a role assignment each, plus N/10 hub policies), ` +
        `then Latch restarted on them and measured (median of ${r.scaleSettings?.rounds ?? r.settings.rounds} interleaved rounds per size).`,
    );
    out.push('');
    out.push(
      mdTable(
        [
          'credentials',
          'seeded in',
          'store bytes / credential',
          'cold start to /readyz',
          'RSS idle / after load',
          ...ids.flatMap((id) => [`${id} req/s`, `${id} p50 / p99 ms`, `${id} CPU µs/req`]),
        ],
        r.scale.map((s) => [
          `${sizeLabel(s.size)} keys + ${int(s.seed.policies)} policies`,
          `${(s.seed.ms / 1000).toFixed(1)} s`,
          int(s.bytesPerCredential),
          `${int(s.coldStartMs)} ms`,
          `${mb(s.rssIdleBytes)} / ${mb(s.rssLoadedBytes)}`,
          ...ids.flatMap((id) => {
            const x = s.results[id]!;
            return [int(x.rps), `${ms(x.p50Ms)} / ${ms(x.p99Ms)}`, int(x.cpuUs)];
          }),
        ]),
        (i) => i > 0,
      ),
    );
    if (chartFile) out.push('', `![Cost per request and p99 latency against stored credentials](${chartFile})`);
  }
  return out.join('\n');
}

const BEGIN = '<!-- bench:results:begin (written by npm run bench; edit the prose outside these markers) -->';
const END = '<!-- bench:results:end -->';

/** Replaces what lies between the markers in `file` (appends a section with them the first time), formatted as `npm run lint` checks it. */
export async function writeDocs(file: string, body: string): Promise<void> {
  const doc = fs.readFileSync(file, 'utf8');
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  const block = `${BEGIN}\n${body}\n${END}`;
  const next = a >= 0 && b > a ? doc.slice(0, a) + block + doc.slice(b + END.length) : `${doc.trimEnd()}\n\n## Latest run\n\n${block}\n`;
  fs.writeFileSync(file, await prettier.format(next, { ...(await prettier.resolveConfig(file)), filepath: file }));
}

/** Cost (server CPU µs per request) and p99 latency against stored credentials, one line per scenario. */
export async function chartSvg(rows: ScaleRow[], labels: Record<string, string>): Promise<string> {
  const values = rows.flatMap((r) =>
    Object.entries(r.results).flatMap(([id, x]) => [
      { credentials: r.size, scenario: labels[id] ?? id, metric: 'server CPU per request (µs)', value: x.cpuUs },
      { credentials: r.size, scenario: labels[id] ?? id, metric: 'p99 latency (ms)', value: x.p99Ms },
    ]),
  );
  const panel = (metric: string): Record<string, unknown> => ({
    width: 320,
    height: 220,
    title: metric,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'credentials', type: 'quantitative', scale: { type: 'log' }, title: 'stored credentials (API keys)' },
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: true } },
      color: { field: 'scenario', type: 'nominal', legend: { orient: 'bottom', title: null } },
    },
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    data: { values },
    hconcat: [panel('server CPU per request (µs)'), panel('p99 latency (ms)')],
  } as unknown as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
