// Replays the knack golden corpus (test/cli/fixtures/knack-corpus.json, produced by
// scripts/knack-corpus/oracle.py with knack's real formatters) through the TypeScript renderer:
// every case must print exactly what knack prints, for json, yaml, table and tsv, and jsonc/yamlc
// without a TTY must equal json/yaml. No Python is needed here; see test/cli/fixtures/README.md.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { applyQuery, compileQuery, exitCodeOf, formatErrorLine, render, type OutputFormat } from '../../src/cli/output/index.js';

interface Outcome {
  exit: number;
  stderr: string;
}
interface Case {
  id: string;
  input: unknown;
  query?: string;
  error?: Outcome;
  skip?: string;
  expect?: Record<'json' | 'yaml' | 'table' | 'tsv', string | Outcome>;
}
interface Corpus {
  versions: Record<string, string>;
  cases: Case[];
}

const corpus = JSON.parse(readFileSync(new URL('./fixtures/knack-corpus.json', import.meta.url), 'utf8')) as Corpus;
const FORMATS = ['json', 'yaml', 'table', 'tsv'] as const;
const NO_TTY_TWIN: Partial<Record<OutputFormat, OutputFormat>> = { json: 'jsonc', yaml: 'yamlc' };

/** What the CLI would write and exit with for one case and format (main.ts's order of steps). */
function run(c: Case, format: OutputFormat): { stdout: string } | Outcome {
  try {
    const data = c.query === undefined ? c.input : applyQuery(c.input, compileQuery(c.query));
    return { stdout: render(data, format, { queryActive: c.query !== undefined, isTTY: false }) };
  } catch (err) {
    return { exit: exitCodeOf(err), stderr: formatErrorLine(err) };
  }
}

const label = (c: Case) => `${c.id}${c.query === undefined ? '' : ` --query ${JSON.stringify(c.query)}`}`;

describe(`knack corpus (${Object.entries(corpus.versions)
  .map(([k, v]) => `${k} ${v}`)
  .join(', ')})`, () => {
  it('holds a few thousand cases', () => {
    const asserted = corpus.cases.filter((c) => !c.skip).length * FORMATS.length;
    expect(asserted).toBeGreaterThan(4000);
  });

  const active = corpus.cases.filter((c) => !c.skip);
  it.each(active.map((c) => [label(c), c] as const))('%s', (_name, c) => {
    for (const format of FORMATS) {
      const expected = c.error ?? c.expect![format];
      const want = typeof expected === 'string' ? { stdout: expected } : expected;
      expect(run(c, format), format).toEqual(want);
      const twin = NO_TTY_TWIN[format];
      if (twin) expect(run(c, twin), twin).toEqual(want);
    }
  });

  const skipped = corpus.cases.filter((c) => c.skip);
  it.skipIf(!skipped.length).each(skipped.map((c) => [label(c), c.skip!] as const))('excluded: %s (%s)', () => {});
});
