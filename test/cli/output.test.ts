// Golden tests for the az/knack-compatible output layer. Expected strings come from
// shared/spec/cli-conventions.md where it gives them; the others were produced by knack's own
// formatters (json, PyYAML 6.0, tabulate 0.8.9, Pygments 2.14, jmespath 1.0.1) on the same data.
import { describe, expect, it } from 'vitest';

import {
  applyQuery,
  CliError,
  CliNotFoundError,
  CliUsageError,
  compileQuery,
  exitCodeOf,
  formatErrorLine,
  formatServerError,
  getCloseMatches,
  OUTPUT_FORMATS,
  parseOutputFormat,
  QUERY_HINT,
  render,
  TABLE_UNAVAILABLE,
  type OutputFormat,
} from '../../src/cli/output/index.js';

const plain = { queryActive: false, isTTY: false };
const queried = { queryActive: true, isTTY: false };
const tty = { queryActive: false, isTTY: true };

// Service bodies with keys in wire order (not sorted) on purpose.
const showBody = () => ({
  roles: [{ role: 'ca310b8d-2f4a-44e0-a36e-957c202cd8d4' }],
  id: 't1',
  expiry: '2025-11-22T20:00:00.000Z',
});
const listBody = () => ({
  value: [
    { id: 't1', expiry: '2025-11-22T20:00:00.000Z', roles: [] },
    { id: 't2', expiry: '2026-01-01T00:00:00.000Z', roles: [{ role: 'r' }] },
  ],
});
const createBody = () => ({
  id: 'ci-token',
  token: 'SharedAccessSignature sr=4f1c...&sig=Xk2...%3D&skn=ci-token&se=1795377600000',
  expiry: '2026-11-22T20:00:00.000Z',
  roles: [{ role: 'ae2c9854-393b-4f97-8c42-479d70ce626e' }],
});
const devices = () => [
  {
    name: 'dev1',
    displayName: 'Déjà vu ☕',
    id: 'x',
    type: 't',
    etag: 'e',
    Id: 'kept',
    Etag: 'kept2',
    enabled: true,
    count: 3,
    tags: ['a', 'b'],
    props: { k: 'v' },
    missing: null,
  },
  { name: 'dev2', displayName: null, enabled: false, extra: 'only-here' },
];

function query(data: unknown, expression: string): unknown {
  return applyQuery(data, compileQuery(expression));
}

function thrown(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return err as CliError;
  }
  throw new Error('expected a CliError');
}

describe('json', () => {
  it('prints api-token show exactly as the spec shows, keys sorted, trailing newline', () => {
    expect(render(showBody(), 'json', plain)).toBe(
      [
        '{',
        '  "expiry": "2025-11-22T20:00:00.000Z",',
        '  "id": "t1",',
        '  "roles": [',
        '    {',
        '      "role": "ca310b8d-2f4a-44e0-a36e-957c202cd8d4"',
        '    }',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('prints api-token create and list bodies as the spec shows', () => {
    expect(render(createBody(), 'json', plain)).toBe(
      [
        '{',
        '  "expiry": "2026-11-22T20:00:00.000Z",',
        '  "id": "ci-token",',
        '  "roles": [',
        '    {',
        '      "role": "ae2c9854-393b-4f97-8c42-479d70ce626e"',
        '    }',
        '  ],',
        '  "token": "SharedAccessSignature sr=4f1c...&sig=Xk2...%3D&skn=ci-token&se=1795377600000"',
        '}',
        '',
      ].join('\n'),
    );
    const list = {
      value: [
        {
          id: 'ci-token',
          expiry: '2026-11-22T20:00:00.000Z',
          roles: [{ role: 'ae2c9854-393b-4f97-8c42-479d70ce626e', organization: 'seattle' }],
        },
      ],
    };
    expect(render(list, 'json', plain)).toBe(
      [
        '{',
        '  "value": [',
        '    {',
        '      "expiry": "2026-11-22T20:00:00.000Z",',
        '      "id": "ci-token",',
        '      "roles": [',
        '        {',
        '          "organization": "seattle",',
        '          "role": "ae2c9854-393b-4f97-8c42-479d70ce626e"',
        '        }',
        '      ]',
        '    }',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('sorts keys recursively by code point (uppercase first) and keeps non-ASCII raw', () => {
    expect(render(devices(), 'json', plain)).toBe(
      '[\n  {\n    "Etag": "kept2",\n    "Id": "kept",\n    "count": 3,\n    "displayName": "Déjà vu ☕",\n' +
        '    "enabled": true,\n    "etag": "e",\n    "id": "x",\n    "missing": null,\n    "name": "dev1",\n' +
        '    "props": {\n      "k": "v"\n    },\n    "tags": [\n      "a",\n      "b"\n    ],\n    "type": "t"\n' +
        '  },\n  {\n    "displayName": null,\n    "enabled": false,\n    "extra": "only-here",\n    "name": "dev2"\n' +
        '  }\n]\n',
    );
  });

  it('sorts keys even when a --query projection created the object', () => {
    const result = query({ value: [{ name: 'n1', x: 'x1' }] }, 'value[0].{z: name, a: x}');
    expect(render(result, 'json', queried)).toBe('{\n  "a": "x1",\n  "z": "n1"\n}\n');
  });

  it('prints {"result": "success"}, scalars and empty collections', () => {
    expect(render({ result: 'success' }, 'json', plain)).toBe('{\n  "result": "success"\n}\n');
    expect(render('t1', 'json', plain)).toBe('"t1"\n');
    expect(render(true, 'json', plain)).toBe('true\n');
    expect(render(3, 'json', plain)).toBe('3\n');
    expect(render([], 'json', plain)).toBe('[]\n');
    expect(render({}, 'json', plain)).toBe('{}\n');
    expect(render([{}], 'json', plain)).toBe('[\n  {}\n]\n');
    expect(render({ k: 'line1\nline2', u: '日本語' }, 'json', plain)).toBe('{\n  "k": "line1\\nline2",\n  "u": "日本語"\n}\n');
  });
});

describe('jsonc', () => {
  it('is byte-identical to json without a TTY', () => {
    expect(render(showBody(), 'jsonc', plain)).toBe(render(showBody(), 'json', plain));
  });

  it('colours keys, strings and literals like Pygments on a TTY', () => {
    const R = '\x1b[39;49;00m';
    const ws = (s: string) => `\x1b[37m${s}${R}`;
    const key = (s: string) => `\x1b[94m"${s}"${R}`;
    const str = (s: string) => `\x1b[33m"${s}"${R}`;
    expect(render(showBody(), 'jsonc', tty)).toBe(
      `{${ws('')}\n${ws('  ')}${key('expiry')}:${ws(' ')}${str('2025-11-22T20:00:00.000Z')},${ws('')}\n` +
        `${ws('  ')}${key('id')}:${ws(' ')}${str('t1')},${ws('')}\n` +
        `${ws('  ')}${key('roles')}:${ws(' ')}[${ws('')}\n${ws('    ')}{${ws('')}\n` +
        `${ws('      ')}${key('role')}:${ws(' ')}${str('ca310b8d-2f4a-44e0-a36e-957c202cd8d4')}${ws('')}\n` +
        `${ws('    ')}}${ws('')}\n${ws('  ')}]${ws('')}\n}${ws('')}\n`,
    );
    expect(render([3, true, null], 'jsonc', tty)).toBe(
      `[${ws('')}\n${ws('  ')}\x1b[34m3${R},${ws('')}\n${ws('  ')}\x1b[34mtrue${R},${ws('')}\n` +
        `${ws('  ')}\x1b[34mnull${R}${ws('')}\n]${ws('')}\n`,
    );
  });
});

describe('yaml', () => {
  it('prints api-token show exactly as the spec shows', () => {
    expect(render(showBody(), 'yaml', plain)).toBe(
      "expiry: '2025-11-22T20:00:00.000Z'\nid: t1\nroles:\n- role: ca310b8d-2f4a-44e0-a36e-957c202cd8d4\n",
    );
  });

  it('does not indent sequences under their key and nests mappings in sequences', () => {
    const list = {
      value: [
        {
          id: 'ci-token',
          expiry: '2026-11-22T20:00:00.000Z',
          roles: [{ role: 'ae2c9854-393b-4f97-8c42-479d70ce626e', organization: 'seattle' }],
        },
      ],
    };
    expect(render(list, 'yaml', plain)).toBe(
      "value:\n- expiry: '2026-11-22T20:00:00.000Z'\n  id: ci-token\n  roles:\n  - organization: seattle\n" +
        '    role: ae2c9854-393b-4f97-8c42-479d70ce626e\n',
    );
    expect(
      render(
        [
          ['a', 1, true, null],
          ['b', 2],
        ],
        'yaml',
        plain,
      ),
    ).toBe('- - a\n  - 1\n  - true\n  - null\n- - b\n  - 2\n');
  });

  it('quotes strings that would read as another type, like PyYAML', () => {
    const data = {
      k: 'line1\nline2',
      long: 'word word word word word word word word word word word word word word word word word word word end',
      n: 'yes',
      num: '123',
      empty: '',
      y: 'y',
      t: 'a: b',
      ts: '2025-11-22',
      u: '日本語',
    };
    expect(render(data, 'yaml', plain)).toBe(
      "empty: ''\nk: 'line1\n\n  line2'\n" +
        'long: word word word word word word word word word word word word word word word word\n' +
        "  word word word end\nn: 'yes'\nnum: '123'\nt: 'a: b'\nts: '2025-11-22'\nu: 日本語\ny: y\n",
    );
  });

  it('ends a top-level plain scalar with a document end marker', () => {
    expect(render('t1', 'yaml', plain)).toBe('t1\n...\n');
    expect(render(true, 'yaml', plain)).toBe('true\n...\n');
    expect(render(3, 'yaml', plain)).toBe('3\n...\n');
    expect(render('123', 'yaml', plain)).toBe("'123'\n");
    expect(render([], 'yaml', plain)).toBe('[]\n');
    expect(render({}, 'yaml', plain)).toBe('{}\n');
    expect(render({ result: 'success' }, 'yaml', plain)).toBe('result: success\n');
  });

  it('yamlc equals yaml without a TTY and colours like Pygments on a TTY', () => {
    expect(render(showBody(), 'yamlc', plain)).toBe(render(showBody(), 'yaml', plain));
    const R = '\x1b[39;49;00m';
    const ws = (s: string) => `\x1b[37m${s}${R}`;
    const key = (s: string) => `\x1b[94m${s}${R}`;
    const q = (s: string) => `\x1b[33m${s}${R}`;
    expect(render(showBody(), 'yamlc', tty)).toBe(
      `${key('expiry')}:${ws(' ')}${q("'")}${q('2025-11-22T20:00:00.000Z')}${q("'")}${ws('')}\n` +
        `${key('id')}:${ws(' ')}t1${ws('')}\n${key('roles')}:${ws('')}\n` +
        `-${ws(' ')}${key('role')}:${ws(' ')}ca310b8d-2f4a-44e0-a36e-957c202cd8d4${ws('')}\n`,
    );
    expect(render('t1', 'yamlc', tty)).toBe(`t1${ws('')}\n\x1b[04m\x1b[36m...${R}${ws('')}\n`);
  });
});

describe('table', () => {
  it('shows only scalar, non-id columns of api-token show', () => {
    expect(render(showBody(), 'table', plain)).toBe('Expiry\n------------------------\n2025-11-22T20:00:00.000Z\n');
  });

  it('prints just an empty line for api-token list (one dict whose only value is a list)', () => {
    expect(render(listBody(), 'table', plain)).toBe('\n');
  });

  it('renders the spec --query examples', () => {
    expect(render(query(listBody(), 'value[].{Name:id, Expiry:expiry}'), 'table', queried)).toBe(
      'Name    Expiry\n------  ------------------------\nt1      2025-11-22T20:00:00.000Z\nt2      2026-01-01T00:00:00.000Z\n',
    );
    expect(render(query(listBody(), 'value[].id'), 'table', queried)).toBe('Result\n--------\nt1\nt2\n');
  });

  it('renders {"result": "success"} as a Result column', () => {
    expect(render({ result: 'success' }, 'table', plain)).toBe('Result\n--------\nsuccess\n');
  });

  it('drops id/type/etag, nulls, lists and objects; capitalises headers; unions columns in order', () => {
    expect(render(devices(), 'table', plain)).toBe(
      'Etag    Id    Count    DisplayName    Enabled    Name    Extra\n' +
        '------  ----  -------  -------------  ---------  ------  ---------\n' +
        'kept2   kept  3        Déjà vu ☕      True       dev1\n' +
        '                                      False      dev2    only-here\n',
    );
    expect(
      render(
        [
          { b: true, a: null },
          { b: false, a: 'x' },
        ],
        'table',
        plain,
      ),
    ).toBe('B      A\n-----  ---\nTrue\nFalse  x\n');
  });

  it('uses Column1..n for list rows and Result for scalar rows', () => {
    expect(
      render(
        [
          ['a', 1, true, null],
          ['b', 2],
        ],
        'table',
        plain,
      ),
    ).toBe(
      'Column1    Column2    Column3    Column4\n---------  ---------  ---------  ---------\na          1          True\nb          2\n',
    );
    expect(render([true, false, 1, 'x', null], 'table', plain)).toBe('Result\n--------\nTrue\nFalse\n1\nx\n\n');
    expect(render('t1', 'table', plain)).toBe('Result\n--------\nt1\n');
    expect(render(false, 'table', plain)).toBe('Result\n--------\nFalse\n');
  });

  it('prints a single empty line when there is nothing to show', () => {
    expect(render([], 'table', plain)).toBe('\n');
    expect(render({}, 'table', plain)).toBe('\n');
    expect(render([{}], 'table', plain)).toBe('\n');
    expect(render([{ id: 'only' }], 'table', plain)).toBe('\n');
  });

  it('follows the query order and still drops id/type/etag created by the query', () => {
    const result = query({ value: [{ name: 'n1', x: 'x1', id: 'i1' }] }, 'value[].{z:name, a:x, id:id, Id:id}');
    expect(render(result, 'table', queried)).toBe('Z    A    Id\n---  ---  ----\nn1   x1   i1\n');
    // An object passed through by the query keeps the service's key order.
    const passed = query({ value: [{ z: 'last', a: 'first', m: [1, 2] }] }, 'value[0]');
    expect(render(passed, 'table', queried)).toBe('Z     A\n----  -----\nlast  first\n');
  });

  it('spreads cells containing newlines over extra lines', () => {
    const rows = [
      { Name: 'multi\nline', V: 'x' },
      { Name: 'short', V: 'second\nrow' },
    ];
    expect(render(rows, 'table', plain)).toBe('Name    V\n------  ------\nmulti   x\nline\nshort   second\n        row\n');
  });

  it('has the knack failure message', () => {
    expect(TABLE_UNAVAILABLE).toBe(
      'Table output unavailable. Use the --query option to specify an appropriate query. Use --debug for more info.',
    );
  });
});

describe('tsv', () => {
  it('renders the spec examples', () => {
    expect(render(showBody(), 'tsv', plain)).toBe('2025-11-22T20:00:00.000Z\tt1\t1\n');
    expect(render(listBody(), 'tsv', plain)).toBe('2\n');
    expect(render({ result: 'success' }, 'tsv', plain)).toBe('success\n');
  });

  it('sorts values by key; nested list -> length, object -> empty, null -> None, booleans True/False', () => {
    expect(render(devices(), 'tsv', plain)).toBe(
      'kept2\tkept\t3\tDéjà vu ☕\tTrue\te\tx\tNone\tdev1\t\t2\tt\nNone\tFalse\tonly-here\tdev2\n',
    );
    expect(
      render(
        [
          ['a', 1, true, null],
          ['b', 2],
        ],
        'tsv',
        plain,
      ),
    ).toBe('a\t1\tTrue\tNone\nb\t2\n');
  });

  it('lower-cases top-level booleans and prints nothing for an empty list', () => {
    expect(render([true, false, 1, 'x', null], 'tsv', plain)).toBe('true\nfalse\n1\nx\nNone\n');
    expect(render(true, 'tsv', plain)).toBe('true\n');
    expect(render('t1', 'tsv', plain)).toBe('t1\n');
    expect(render([], 'tsv', plain)).toBe('');
    expect(render({}, 'tsv', plain)).toBe('\n');
  });

  it('follows the order of a multiselect-hash, but sorts objects the query passed through', () => {
    const data = { value: [{ name: 'n1', x: 'x1', id: 'i1' }] };
    expect(render(query(data, 'value[].{z:name, a:x, id:id, Id:id}'), 'tsv', queried)).toBe('n1\tx1\ti1\ti1\n');
    expect(render(query(listBody(), 'value[].{Name:id, Expiry:expiry}'), 'tsv', queried)).toBe(
      't1\t2025-11-22T20:00:00.000Z\nt2\t2026-01-01T00:00:00.000Z\n',
    );
    const passed = query({ value: [{ z: 'last', a: 'first', m: [1, 2], o: { k: 1 } }] }, 'value[0]');
    expect(render(passed, 'tsv', queried)).toBe('first\t2\t\tlast\n');
  });
});

describe('--query', () => {
  it('reports a syntax error as a usage error (exit 2) with the az text', () => {
    const err = thrown(() => compileQuery('['));
    expect(err).toBeInstanceOf(CliUsageError);
    expect(err.exitCode).toBe(2);
    expect(formatErrorLine(err)).toBe(
      "ERROR: argument --query: invalid jmespath_type value: '['\n" +
        "To learn more about --query, please visit: 'https://docs.microsoft.com/cli/azure/query-azure-cli'\n",
    );
  });

  it('quotes the expression the way Python repr does', () => {
    expect(thrown(() => compileQuery("value[?id=='t1'")).message).toBe(`argument --query: invalid jmespath_type value: "value[?id=='t1'"`);
  });

  it('rejects what Python jmespath rejects even where jmespath.js is lenient', () => {
    for (const expression of ['', 'a.b.', 'a.(b)', '`unclosed', "'unclosed", 'a ||']) {
      expect(thrown(() => compileQuery(expression)).exitCode).toBe(2);
    }
  });

  it('reports evaluation errors with exit 1 and the Python jmespath messages', () => {
    const abs = thrown(() => query({}, "abs('x')"));
    expect(abs.exitCode).toBe(1);
    expect(formatErrorLine(abs)).toBe(
      'ERROR: Invalid jmespath query supplied for `--query`: In function abs(), invalid type for value: x, ' +
        `expected one of: ['number'], received: "string"\n${QUERY_HINT}\n`,
    );
    const foo = thrown(() => query({}, 'foo(@)'));
    expect(foo.exitCode).toBe(1);
    expect(formatErrorLine(foo)).toBe(`ERROR: Invalid jmespath query supplied for \`--query\`: Unknown function: foo()\n${QUERY_HINT}\n`);
    expect(thrown(() => query({}, 'length(@, @)')).message).toBe(
      'Invalid jmespath query supplied for `--query`: Expected 1 argument for function length(), received 2',
    );
    expect(thrown(() => query([1, 'a'], 'sort(@)')).message).toBe(
      'Invalid jmespath query supplied for `--query`: In function sort(), invalid type for value: a, ' +
        `expected one of: ['array-string', 'array-number'], received: "str"`,
    );
  });

  it('applies projections, filters and functions before formatting', () => {
    expect(query(listBody(), "value[?id=='t2'].roles[].role")).toEqual(['r']);
    expect(query(listBody(), 'sort_by(value, &expiry)[-1].id')).toBe('t2');
    expect(query(listBody(), 'length(value)')).toBe(2);
    expect(applyQuery(listBody(), 'value[0].id')).toBe('t1');
  });

  it('yields null for a missing path, and a null result prints nothing in every format', () => {
    const result = query(listBody(), 'nope');
    expect(result).toBeNull();
    expect(query(listBody(), 'constructor')).toBeNull();
    for (const format of OUTPUT_FORMATS) {
      expect(render(result, format, queried)).toBe('');
      expect(render(undefined, format, tty)).toBe('');
    }
  });

  it('prints nothing for -o none', () => {
    expect(render(showBody(), 'none', plain)).toBe('');
  });
});

describe('--output', () => {
  it('accepts every format, case-insensitively', () => {
    expect(OUTPUT_FORMATS).toEqual(['json', 'jsonc', 'yaml', 'yamlc', 'table', 'tsv', 'none']);
    for (const format of OUTPUT_FORMATS) expect(parseOutputFormat(format)).toBe(format);
    expect(parseOutputFormat('TABLE')).toBe<OutputFormat>('table');
    expect(parseOutputFormat('Json')).toBe<OutputFormat>('json');
  });

  it('rejects an unknown value with the modern az message (exit 2)', () => {
    const err = thrown(() => parseOutputFormat('xml'));
    expect(err).toBeInstanceOf(CliUsageError);
    expect(err.exitCode).toBe(2);
    expect(formatErrorLine(err)).toBe(
      "ERROR: 'xml' is not a valid value for '--output'. Allowed values: json, jsonc, yaml, yamlc, table, tsv, none.\n",
    );
  });

  it('suggests a close match', () => {
    const err = thrown(() => parseOutputFormat('tabel'));
    expect(formatErrorLine(err)).toBe(
      "ERROR: 'tabel' is not a valid value for '--output'. Allowed values: json, jsonc, yaml, yamlc, table, tsv, none.\n" +
        "Did you mean 'table' ?\n",
    );
    expect(thrown(() => parseOutputFormat('YML')).recommendations).toEqual(["Did you mean 'yaml' ?"]);
    expect(getCloseMatches('jsn', OUTPUT_FORMATS, 3, 0.7)).toEqual(['json', 'jsonc']);
  });

  it('lets the caller prefix the command name', () => {
    const err = thrown(() => parseOutputFormat('tabel'));
    const prefixed = err.withMessage(`iot central api-token list: ${err.message}`);
    expect(prefixed).toBeInstanceOf(CliUsageError);
    expect(prefixed.exitCode).toBe(2);
    expect(formatErrorLine(prefixed)).toBe(
      "ERROR: iot central api-token list: 'tabel' is not a valid value for '--output'. " +
        "Allowed values: json, jsonc, yaml, yamlc, table, tsv, none.\nDid you mean 'table' ?\n",
    );
  });
});

describe('errors', () => {
  it('maps error classes to az exit codes', () => {
    expect(new CliError('x').exitCode).toBe(1);
    expect(new CliUsageError('x').exitCode).toBe(2);
    expect(new CliNotFoundError('x').exitCode).toBe(3);
    expect(exitCodeOf(new CliNotFoundError('x'))).toBe(3);
    expect(exitCodeOf(new Error('boom'))).toBe(1);
  });

  it('formats error lines and server errors', () => {
    expect(formatErrorLine(new CliError('bad', { recommendations: ['Try this: latch --help'] }))).toBe(
      'ERROR: bad\nTry this: latch --help\n',
    );
    expect(formatErrorLine(new Error('plain'))).toBe('ERROR: plain\n');
    expect(formatServerError('NotFound', 'API token not found')).toBe('(NotFound) API token not found');
    expect(formatErrorLine(new CliNotFoundError(formatServerError('NotFound', 'API token not found')))).toBe(
      'ERROR: (NotFound) API token not found\n',
    );
  });
});
