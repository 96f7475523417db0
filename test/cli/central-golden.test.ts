// Golden outputs of `latch iot central api-token create|list|show|delete` in all seven --output
// formats and the spec's --query examples (spec/cli-conventions.md §2, §9). The server runs on a
// fixed clock, so expiries are fixed; the app GUID and each token's signature are replaced by
// placeholders of the same length after rendering, so table widths are the real ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSas } from '../../src/domain/sas.js';
import { TestClock } from '../harness.js';
import { Cli, startCliServer, type CliServer } from './helpers.js';

let srv: CliServer;
let cli: Cli;
let appId = '';

const U = 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx';
const OPERATOR = 'ae2c9854-393b-4f97-8c42-479d70ce626e';
const ADMIN = 'ca310b8d-2f4a-44e0-a36e-957c202cd8d4';
const EXPIRY = '2031-01-01T00:00:00.000Z'; // the fixed clock (2030-01-01) + 365 days
const SE = String(Date.UTC(2031, 0, 1));
const APP = 'golden-app';

/** The app GUID → U; a signature → `S` of the same length (its length varies with percent-encoding). */
const normalise = (s: string) =>
  s
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (m) => (m === OPERATOR || m === ADMIN ? m : U))
    .replace(/sig=([^&\s]+)/g, (_m, sig: string) => `sig=${'S'.repeat(sig.length)}`);

async function out(argv: string[]): Promise<string> {
  const r = await cli.run(argv);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return normalise(r.stdout);
}

/** The normalised token in an output, checked to be the one the spec describes for `id`. */
function tokenIn(text: string, id: string): string {
  const m = /SharedAccessSignature [^\s"]+/.exec(text);
  expect(m).not.toBeNull();
  const t = m![0];
  expect(t).toMatch(new RegExp(`^SharedAccessSignature sr=${U}&sig=S{44,}&skn=${id}&se=${SE}$`));
  return t;
}

beforeAll(async () => {
  srv = await startCliServer({ clock: new TestClock(Date.UTC(2030, 0, 1)) });
  cli = new Cli();
  await cli.login(srv.url);
  const app = await cli.json<{ properties: { applicationId: string } }>([
    'iot',
    'central',
    'app',
    'create',
    '-n',
    'goldenapp',
    '-g',
    'rg',
    '--subdomain',
    APP,
  ]);
  appId = app.properties.applicationId;
  await cli.ok(['iot', 'central', 'api-token', 'create', '--app-id', APP, '--token-id', 'g-listed', '--role', 'admin']);
  await cli.ok(['iot', 'central', 'api-token', 'create', '--app-id', APP, '--token-id', 'g-shown', '--role', 'operator']);
});

afterAll(async () => {
  await srv?.close();
  cli?.cleanup();
});

const create = (id: string, format: string) => [
  'iot',
  'central',
  'api-token',
  'create',
  '-n',
  APP,
  '--tkid',
  id,
  '-r',
  'operator',
  '-o',
  format,
];

describe('api-token create in every output format (the only output with the token)', () => {
  const createJson = (id: string, token: string) => `{
  "expiry": "${EXPIRY}",
  "id": "${id}",
  "roles": [
    {
      "role": "${OPERATOR}"
    }
  ],
  "token": "${token}"
}
`;
  const createYaml = (id: string, token: string) => `expiry: '${EXPIRY}'
id: ${id}
roles:
- role: ${OPERATOR}
token: ${token}
`;

  it.each(['json', 'jsonc'])('%s: the body as the service answers it, keys sorted', async (format) => {
    const text = await out(create(`c-${format}`, format));
    expect(text).toBe(createJson(`c-${format}`, tokenIn(text, `c-${format}`)));
  });

  it.each(['yaml', 'yamlc'])('%s: block style, the expiry quoted, the sequence not indented', async (format) => {
    const text = await out(create(`c-${format}`, format));
    expect(text).toBe(createYaml(`c-${format}`, tokenIn(text, `c-${format}`)));
  });

  it('table: id and the roles list dropped; Expiry and Token columns', async () => {
    const text = await out(create('c-table', 'table'));
    const t = tokenIn(text, 'c-table');
    expect(text).toBe(`Expiry                    Token\n------------------------  ${'-'.repeat(t.length)}\n${EXPIRY}  ${t}\n`);
  });

  it('tsv: values in key order, the roles list as its length', async () => {
    const text = await out(create('c-tsv', 'tsv'));
    expect(text).toBe([EXPIRY, 'c-tsv', '1', tokenIn(text, 'c-tsv')].join('\t') + '\n');
  });

  it('none: prints nothing, and the token is still created', async () => {
    expect(await out(create('c-none', 'none'))).toBe('');
    expect(await out(['iot', 'central', 'api-token', 'show', '-n', APP, '--tkid', 'c-none', '--query', 'id', '-o', 'tsv'])).toBe(
      'c-none\n',
    );
  });

  it('signs the token for the application GUID even when addressed by subdomain', async () => {
    const body = JSON.parse(await cli.ok(create('c-sr', 'json'))) as { token: string };
    const sas = parseSas(body.token);
    expect(sas.ok && sas.sr).toBe(appId);
  });
});

describe('api-token show in every output format (never the token)', () => {
  const show = (format: string) => ['iot', 'central', 'api-token', 'show', '-n', APP, '--token-id', 'g-shown', '-o', format];
  const JSON_ = `{
  "expiry": "${EXPIRY}",
  "id": "g-shown",
  "roles": [
    {
      "role": "${OPERATOR}"
    }
  ]
}
`;
  const YAML = `expiry: '${EXPIRY}'
id: g-shown
roles:
- role: ${OPERATOR}
`;
  it.each([
    ['json', JSON_],
    ['jsonc', JSON_],
    ['yaml', YAML],
    ['yamlc', YAML],
    ['table', `Expiry\n------------------------\n${EXPIRY}\n`],
    ['tsv', `${EXPIRY}\tg-shown\t1\n`],
    ['none', ''],
  ])('%s', async (format, expected) => {
    expect(await out(show(format))).toBe(expected);
  });
});

describe('api-token list in every output format', () => {
  const list = (format: string) => [
    'iot',
    'central',
    'api-token',
    'list',
    '--app-id',
    APP,
    '-o',
    format,
    '--query',
    "{value: value[?starts_with(id, 'g-')]}",
  ];
  const JSON_ = `{
  "value": [
    {
      "expiry": "${EXPIRY}",
      "id": "g-listed",
      "roles": [
        {
          "role": "${ADMIN}"
        }
      ]
    },
    {
      "expiry": "${EXPIRY}",
      "id": "g-shown",
      "roles": [
        {
          "role": "${OPERATOR}"
        }
      ]
    }
  ]
}
`;
  const YAML = `value:
- expiry: '${EXPIRY}'
  id: g-listed
  roles:
  - role: ${ADMIN}
- expiry: '${EXPIRY}'
  id: g-shown
  roles:
  - role: ${OPERATOR}
`;
  it.each([
    ['json', JSON_],
    ['jsonc', JSON_],
    ['yaml', YAML],
    ['yamlc', YAML],
    // one dict whose only value is a list: az prints just an empty line (spec §2.4.5)
    ['table', '\n'],
    ['tsv', '2\n'],
    ['none', ''],
  ])('%s', async (format, expected) => {
    expect(await out(list(format))).toBe(expected);
  });

  it('without --query: the whole {"value": [...]} body, no token values, no nextLink for one page', async () => {
    const body = JSON.parse(await out(['iot', 'central', 'api-token', 'list', '-n', APP])) as {
      value: Record<string, unknown>[];
      nextLink?: string;
    };
    expect(body.nextLink).toBeUndefined();
    expect(body.value.length).toBeGreaterThanOrEqual(2);
    for (const t of body.value) expect(Object.keys(t).sort()).toEqual(['expiry', 'id', 'roles']);
  });
});

describe('api-token delete in every output format: {"result": "success"} as az prints it', () => {
  it.each([
    ['json', '{\n  "result": "success"\n}\n'],
    ['jsonc', '{\n  "result": "success"\n}\n'],
    ['yaml', 'result: success\n'],
    ['yamlc', 'result: success\n'],
    ['table', 'Result\n--------\nsuccess\n'],
    ['tsv', 'success\n'],
    ['none', ''],
  ])('%s', async (format, expected) => {
    await cli.ok(['iot', 'central', 'api-token', 'create', '-n', APP, '--tkid', `d-${format}`, '-r', 'operator']);
    expect(await out(['iot', 'central', 'api-token', 'delete', '-n', APP, '--tkid', `d-${format}`, '-o', format])).toBe(expected);
    expect((await cli.run(['iot', 'central', 'api-token', 'show', '-n', APP, '--tkid', `d-${format}`])).code).toBe(3);
  });
});

describe('--query examples of the spec', () => {
  const base = ['iot', 'central', 'api-token', 'list', '-n', APP];
  it('projection to a table, in the query order', async () => {
    expect(await out([...base, '--query', "value[?starts_with(id, 'g-')].{Name:id, Expiry:expiry}", '-o', 'table'])).toBe(
      `Name      Expiry\n--------  ------------------------\ng-listed  ${EXPIRY}\ng-shown   ${EXPIRY}\n`,
    );
  });
  it('a filter on the role', async () => {
    expect(await out([...base, '--query', `value[?roles[0].role=='${ADMIN}'].id`, '-o', 'tsv'])).toBe('g-listed\n');
  });
  it('length(value)', async () => {
    const all = JSON.parse(await out(base)) as { value: unknown[] };
    expect(await out([...base, '--query', 'length(value)'])).toBe(`${all.value.length}\n`);
  });
  it('a scalar column is a Result table', async () => {
    expect(await out([...base, '--query', "value[?starts_with(id, 'g-')].id", '-o', 'table'])).toBe(
      'Result\n--------\ng-listed\ng-shown\n',
    );
  });
});
