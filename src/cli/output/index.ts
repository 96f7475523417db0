/**
 * The `latch` CLI's az/knack-compatible output layer: `--output` parsing and `render`, plus the
 * public API of the modules next to this one (errors, `--query`, the formatters).
 * Every text reproduces knack/azure-cli byte for byte where shared/spec/cli-conventions.md states it;
 * test/cli/knack-corpus.test.ts holds the formatters to a knack-generated corpus.
 */
import { getCloseMatches } from './difflib.js';
import { CliError, CliUsageError } from './errors.js';
import { colorizeJson, formatJson } from './json.js';
import { formatTable } from './table.js';
import { formatTsv } from './tsv.js';
import { formatYaml } from './yaml.js';
import { colorizeYaml } from './yamlc.js';

export { getCloseMatches, sequenceRatio } from './difflib.js';
export { CliError, CliNotFoundError, CliUsageError, exitCodeOf, formatErrorLine, formatServerError } from './errors.js';
export type { CliErrorOptions } from './errors.js';
export { formatJson } from './json.js';
export { compareCodePoints } from './python-compat.js';
export { applyQuery, compileQuery, QUERY_HINT } from './query.js';
export type { CompiledQuery } from './query.js';
export { formatTable, TABLE_UNAVAILABLE } from './table.js';
export { formatTsv } from './tsv.js';
export { formatYaml } from './yaml.js';

/** Allowed `--output` values, in the order az lists them in messages. */
export const OUTPUT_FORMATS = ['json', 'jsonc', 'yaml', 'yamlc', 'table', 'tsv', 'none'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Parse an `--output` value the way az does (`type=str.lower`, then a choices check).
 * Invalid → CliUsageError (exit 2) with the modern az text; callers prefix `<command>: `.
 */
export function parseOutputFormat(value: string): OutputFormat {
  const lowered = value.toLowerCase();
  if ((OUTPUT_FORMATS as readonly string[]).includes(lowered)) return lowered as OutputFormat;
  const message = `'${lowered}' is not a valid value for '--output'. ` + `Allowed values: ${OUTPUT_FORMATS.join(', ')}.`;
  const candidates = getCloseMatches(lowered, OUTPUT_FORMATS, 3, 0.7);
  throw new CliUsageError(message, {
    recommendations: candidates.length ? [`Did you mean '${candidates[0]}' ?`] : [],
  });
}

export interface RenderOptions {
  /** A `--query` was given: table keeps insertion order instead of sorting keys. */
  queryActive: boolean;
  /** Colour allowed (stdout is a TTY and colour is enabled): jsonc/yamlc colourise, else == json/yaml. */
  isTTY: boolean;
}

/**
 * Render a (queried) command result: returns exactly the bytes to write to stdout.
 * A null/undefined result prints nothing in every format (knack), `none` prints nothing.
 */
export function render(data: unknown, format: OutputFormat, opts: RenderOptions): string {
  if (data === null || data === undefined) return '';
  switch (format) {
    case 'json':
      return formatJson(data);
    case 'jsonc':
      return opts.isTTY ? colorizeJson(formatJson(data)) : formatJson(data);
    case 'yaml':
      return formatYaml(data);
    case 'yamlc':
      return opts.isTTY ? colorizeYaml(formatYaml(data)) : formatYaml(data);
    case 'table':
      return formatTable(data, opts);
    case 'tsv':
      return formatTsv(data);
    case 'none':
      return '';
    default:
      throw new CliError(`Unknown output format: ${String(format)}`);
  }
}
