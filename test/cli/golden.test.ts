// Golden outputs of every --output format for `iam api-key list/show` and `iam role list --query`,
// with deterministic data: the server runs on a fixed clock (times are fixed) and UUIDs / secret
// prefixes are replaced by same-length placeholders after rendering (so table widths are real).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../harness.js';
import { Cli, startCliServer, type CliServer } from './helpers.js';

let srv: CliServer;
let cli: Cli;

const U = 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx';
const normalise = (s: string) =>
  s.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, U).replace(/latch_ak_[0-9A-Za-z]{4}/g, 'latch_ak_XXXX');

async function out(argv: string[], env?: Record<string, string>): Promise<string> {
  const r = await cli.run(argv, env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return normalise(r.stdout);
}

beforeAll(async () => {
  srv = await startCliServer({ clock: new TestClock(Date.UTC(2030, 0, 1)) });
  cli = new Cli();
  await cli.login(srv.url);
  await cli.ok(['iam', 'api-key', 'create', '-n', 'golden-b', '-r', 'Operator', '--expires-in-days', '30']);
  await cli.ok(['iam', 'api-key', 'create', '-n', 'golden-a', '-r', 'EI Admin', '--expires-in-days', '90']);
  const perms = (await cli.json<{ id: string }[]>(['iam', 'permission', 'list'])).map((p) => p.id);
  await cli.ok(['iam', 'role', 'create', '-n', 'golden-r2', '--permissions', perms[0]]);
  await cli.ok(['iam', 'role', 'create', '-n', 'golden-r1', '--permissions', perms[0], perms[1], '--description', 'first role']);
});

afterAll(async () => {
  await srv?.close();
  cli?.cleanup();
});

const LIST_JSON = `[
  {
    "clientId": "default->golden-a",
    "createdAt": "2030-01-01T00:00:00.000Z",
    "createdBy": "${U}",
    "expiry": "2030-04-01T00:00:00.000Z",
    "id": "${U}",
    "lastUsedAt": null,
    "name": "golden-a",
    "roles": [
      "EI Admin"
    ],
    "start": "latch_ak_XXXX",
    "tenantId": "${U}"
  },
  {
    "clientId": "default->golden-b",
    "createdAt": "2030-01-01T00:00:00.000Z",
    "createdBy": "${U}",
    "expiry": "2030-01-31T00:00:00.000Z",
    "id": "${U}",
    "lastUsedAt": null,
    "name": "golden-b",
    "roles": [
      "Operator"
    ],
    "start": "latch_ak_XXXX",
    "tenantId": "${U}"
  }
]
`;

const SHOW_JSON = `{
  "clientId": "default->golden-a",
  "createdAt": "2030-01-01T00:00:00.000Z",
  "createdBy": "${U}",
  "expiry": "2030-04-01T00:00:00.000Z",
  "id": "${U}",
  "lastUsedAt": null,
  "name": "golden-a",
  "roles": [
    "EI Admin"
  ],
  "start": "latch_ak_XXXX",
  "tenantId": "${U}"
}
`;

const SHOW_YAML = `clientId: default->golden-a
createdAt: '2030-01-01T00:00:00.000Z'
createdBy: ${U}
expiry: '2030-04-01T00:00:00.000Z'
id: ${U}
lastUsedAt: null
name: golden-a
roles:
- EI Admin
start: latch_ak_XXXX
tenantId: ${U}
`;

const LIST_YAML = `- clientId: default->golden-a
  createdAt: '2030-01-01T00:00:00.000Z'
  createdBy: ${U}
  expiry: '2030-04-01T00:00:00.000Z'
  id: ${U}
  lastUsedAt: null
  name: golden-a
  roles:
  - EI Admin
  start: latch_ak_XXXX
  tenantId: ${U}
- clientId: default->golden-b
  createdAt: '2030-01-01T00:00:00.000Z'
  createdBy: ${U}
  expiry: '2030-01-31T00:00:00.000Z'
  id: ${U}
  lastUsedAt: null
  name: golden-b
  roles:
  - Operator
  start: latch_ak_XXXX
  tenantId: ${U}
`;

// table: keys sorted (no query), `id` dropped, lists (roles) and nulls (lastUsedAt) dropped.
const TABLE_HEAD = `ClientId           CreatedAt                 CreatedBy                             Expiry                    Name      Start          TenantId
-----------------  ------------------------  ------------------------------------  ------------------------  --------  -------------  ------------------------------------
`;
const ROW_A = `default->golden-a  2030-01-01T00:00:00.000Z  ${U}  2030-04-01T00:00:00.000Z  golden-a  latch_ak_XXXX  ${U}\n`;
const ROW_B = `default->golden-b  2030-01-01T00:00:00.000Z  ${U}  2030-01-31T00:00:00.000Z  golden-b  latch_ak_XXXX  ${U}\n`;

// tsv: values in key order, list → its length, null → None.
const TSV_A =
  ['default->golden-a', '2030-01-01T00:00:00.000Z', U, '2030-04-01T00:00:00.000Z', U, 'None', 'golden-a', '1', 'latch_ak_XXXX', U].join(
    '\t',
  ) + '\n';
const TSV_B =
  ['default->golden-b', '2030-01-01T00:00:00.000Z', U, '2030-01-31T00:00:00.000Z', U, 'None', 'golden-b', '1', 'latch_ak_XXXX', U].join(
    '\t',
  ) + '\n';

const ROLE_QUERY = '[?!builtIn].{name: name, permissions: length(permissions), builtIn: builtIn, description: description}';

describe('iam api-key list / show in every output format', () => {
  const list = ['iam', 'api-key', 'list'];
  const show = ['iam', 'api-key', 'show', '-n', 'golden-a'];

  it('json (the default): keys sorted recursively, 2-space indent, trailing newline', async () => {
    expect(await out(list)).toBe(LIST_JSON);
    expect(await out([...list, '-o', 'json'])).toBe(LIST_JSON);
    expect(await out(show)).toBe(SHOW_JSON);
  });

  it('jsonc without a TTY is exactly json; yamlc is exactly yaml', async () => {
    expect(await out([...list, '-o', 'jsonc'])).toBe(LIST_JSON);
    expect(await out([...show, '-o', 'jsonc'])).toBe(SHOW_JSON);
    expect(await out([...list, '-o', 'yamlc'])).toBe(LIST_YAML);
    expect(await out([...show, '-o', 'yamlc'])).toBe(SHOW_YAML);
  });

  it('yaml', async () => {
    expect(await out([...list, '-o', 'yaml'])).toBe(LIST_YAML);
    expect(await out([...show, '-o', 'yaml'])).toBe(SHOW_YAML);
  });

  it('table', async () => {
    expect(await out([...list, '-o', 'table'])).toBe(TABLE_HEAD + ROW_A + ROW_B);
    expect(await out([...show, '-o', 'table'])).toBe(TABLE_HEAD + ROW_A);
  });

  it('tsv', async () => {
    expect(await out([...list, '-o', 'tsv'])).toBe(TSV_A + TSV_B);
    expect(await out([...show, '-o', 'tsv'])).toBe(TSV_A);
  });

  it('none prints nothing, exit 0', async () => {
    expect(await out([...list, '-o', 'none'])).toBe('');
    expect(await out([...show, '-o', 'none'])).toBe('');
  });

  it('LATCH_CORE_OUTPUT sets the default format; -o (any case) overrides it', async () => {
    expect(await out(list, { LATCH_CORE_OUTPUT: 'tsv' })).toBe(TSV_A + TSV_B);
    expect(await out([...show, '-o', 'YAML'], { LATCH_CORE_OUTPUT: 'tsv' })).toBe(SHOW_YAML);
  });
});

describe('iam role list --query in every output format', () => {
  const argv = ['iam', 'role', 'list', '--query', ROLE_QUERY];

  it('json: sorted even though the query made the object', async () => {
    const json = `[
  {
    "builtIn": false,
    "description": "first role",
    "name": "golden-r1",
    "permissions": 2
  },
  {
    "builtIn": false,
    "description": null,
    "name": "golden-r2",
    "permissions": 1
  }
]
`;
    expect(await out([...argv, '-o', 'json'])).toBe(json);
    expect(await out([...argv, '-o', 'jsonc'])).toBe(json);
  });

  it('yaml / yamlc', async () => {
    const yaml = `- builtIn: false
  description: first role
  name: golden-r1
  permissions: 2
- builtIn: false
  description: null
  name: golden-r2
  permissions: 1
`;
    expect(await out([...argv, '-o', 'yaml'])).toBe(yaml);
    expect(await out([...argv, '-o', 'yamlc'])).toBe(yaml);
  });

  it('table: query order, not sorted; nulls dropped; booleans True/False', async () => {
    expect(await out([...argv, '-o', 'table'])).toBe(
      `Name       Permissions    BuiltIn    Description
---------  -------------  ---------  -------------
golden-r1  2              False      first role
golden-r2  1              False
`,
    );
  });

  it('tsv: query order; None for null; False for booleans in a row', async () => {
    expect(await out([...argv, '-o', 'tsv'])).toBe('golden-r1\t2\tFalse\tfirst role\ngolden-r2\t1\tFalse\tNone\n');
  });

  it('none', async () => {
    expect(await out([...argv, '-o', 'none'])).toBe('');
  });
});

describe('--query', () => {
  it('is applied before formatting: a list of scalars as a Result table, a scalar as tsv', async () => {
    expect(await out(['iam', 'api-key', 'list', '--query', '[].name', '-o', 'table'])).toBe('Result\n--------\ngolden-a\ngolden-b\n');
    expect(await out(['iam', 'api-key', 'show', '-n', 'golden-b', '--query', 'length(roles)', '-o', 'tsv'])).toBe('1\n');
    expect(await out(['iam', 'api-key', 'list', '--query', '[0].name', '-o', 'json'])).toBe('"golden-a"\n');
  });

  it('a null result prints nothing in any format, exit 0', async () => {
    for (const f of ['json', 'yaml', 'table', 'tsv'])
      expect(await out(['iam', 'api-key', 'show', '-n', 'golden-a', '--query', 'nope', '-o', f])).toBe('');
  });

  it('a syntax error is a usage error (exit 2) at parse time', async () => {
    const r = await cli.run(['iam', 'api-key', 'list', '--query', '[']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "ERROR: argument --query: invalid jmespath_type value: '['\nTo learn more about --query, please visit: 'https://docs.microsoft.com/cli/azure/query-azure-cli'\n",
    });
  });

  it('an evaluation error exits 1 with the jmespath message', async () => {
    const r = await cli.run(['iam', 'api-key', 'show', '-n', 'golden-a', '--query', 'abs(name)']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'ERROR: Invalid jmespath query supplied for `--query`: In function abs(), invalid type for value: golden-a, expected one of: [\'number\'], received: "string"\n' +
        "To learn more about --query, please visit: 'https://docs.microsoft.com/cli/azure/query-azure-cli'\n",
    );
  });
});
