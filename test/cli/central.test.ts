// `latch iot central app …` and `latch iot central api-token …` against a real server (plain http,
// SQLite in a temp dir): the az options and aliases, tokens that then authenticate the Central
// API with exactly their role's rights, deletion refusing at once, and az's exit codes and texts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cli, startCliServer, type CliServer } from './helpers.js';

let srv: CliServer;
let admin: Cli;
const clis: Cli[] = [];
const newCli = (env: Record<string, string> = {}) => {
  const c = new Cli(env);
  clis.push(c);
  return c;
};

const APP = 'cli-central';
const ROLES = {
  admin: 'ca310b8d-2f4a-44e0-a36e-957c202cd8d4',
  builder: '344138e9-8de4-4497-8c54-5237e96d6aaf',
  operator: 'ae2c9854-393b-4f97-8c42-479d70ce626e',
  orgViewer: '84cc62c1-dabe-49d3-b16e-8b291232b285',
};
let appId = '';

interface Token {
  id: string;
  roles: { role: string; organization?: string }[];
  expiry: string;
  token?: string;
}

/** A data-plane call straight to the server, as any other Central client would make it. */
async function central(
  method: string,
  path: string,
  authorization: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> | null }> {
  const res = await fetch(`${srv.url}/central/${APP}/api/${path}?api-version=2022-07-31`, {
    method,
    headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

const bearer = () => `Bearer ${admin.profile().accessToken as string}`;
const tokenCmd = (...rest: string[]) => ['iot', 'central', 'api-token', ...rest];

beforeAll(async () => {
  srv = await startCliServer();
  admin = newCli();
  await admin.login(srv.url);
  const app = await admin.json<{ properties: { applicationId: string } }>([
    'iot',
    'central',
    'app',
    'create',
    '-n',
    'clicentral',
    '-g',
    'central-rg',
    '-s',
    APP,
  ]);
  appId = app.properties.applicationId;
});

afterAll(async () => {
  await srv?.close();
  for (const c of clis) c.cleanup();
});

describe('latch iot central app', () => {
  it('creates an application with az defaults and finds it by name without -g', async () => {
    const shown = await admin.json<{ name: string; sku: { name: string }; properties: Record<string, unknown> }>([
      'iot',
      'central',
      'app',
      'show',
      '-n',
      'clicentral',
    ]);
    expect(shown.name).toBe('clicentral');
    expect(shown.sku.name).toBe('ST2');
    expect(shown.properties).toMatchObject({
      subdomain: APP,
      displayName: 'clicentral',
      template: 'iotc-pnp-preview',
      applicationId: appId,
      provisioningState: 'Succeeded',
    });
    const inRg = await admin.json<{ name: string }[]>(['iot', 'central', 'app', 'list', '-g', 'central-rg']);
    expect(inRg.map((a) => a.name)).toEqual(['clicentral']);
  });

  it('refuses a taken subdomain (exit 1, the server code), and an unknown SKU at parse time (exit 2)', async () => {
    const taken = await admin.run([
      'iot',
      'central',
      'app',
      'create',
      '-n',
      'other-app',
      '-g',
      'central-rg',
      '--subdomain',
      APP.toUpperCase(),
    ]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^ERROR: \(\w+\) The subdomain '.+' is not available\.\n$/);
    const sku = await admin.run(['iot', 'central', 'app', 'create', '-n', 'other-app', '-g', 'central-rg', '-s', 'x1', '--sku', 'ST9']);
    expect(sku.code).toBe(2);
    expect(sku.stderr).toContain("'ST9' is not a valid value for '--sku'. Allowed values: ST0, ST1, ST2.");
  });

  it('deletes an application; show then exits 3', async () => {
    await admin.ok([
      'iot',
      'central',
      'app',
      'create',
      '-n',
      'doomed-app',
      '-g',
      'central-rg',
      '-s',
      'doomed-app',
      '--sku',
      'ST1',
      '--display-name',
      'Doomed',
    ]);
    expect(await admin.ok(['iot', 'central', 'app', 'delete', '-n', 'doomed-app'])).toBe('');
    const r = await admin.run(['iot', 'central', 'app', 'show', '-n', 'doomed-app']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('ERROR: No IoT Central application found with name doomed-app in current subscription.\n');
  });
});

describe('latch iot central api-token: create → use → delete → refused', () => {
  it('an operator token reads what Operator may read, gets 403 on apiTokens, and 401 once deleted', async () => {
    const created = await admin.json<Token>(tokenCmd('create', '--app-id', APP, '--token-id', 'ci-operator', '--role', 'operator'));
    expect(created).toMatchObject({ id: 'ci-operator', roles: [{ role: ROLES.operator }] });
    const token = created.token!;
    expect(token).toMatch(new RegExp(`^SharedAccessSignature sr=${appId}&sig=[^&]+&skn=ci-operator&se=${Date.parse(created.expiry)}$`));

    expect((await central('GET', 'roles', token)).status).toBe(200);
    expect((await central('GET', 'organizations', token)).status).toBe(200);
    const denied = await admin.run(tokenCmd('list', '-n', APP, '--token', token));
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^ERROR: \(Forbidden\) .+\n$/);

    expect(await admin.ok(tokenCmd('delete', '-n', APP, '--tkid', 'ci-operator', '-o', 'tsv'))).toBe('success\n');
    const after = await central('GET', 'roles', token);
    expect(after.status).toBe(401);
    expect((after.body!.error as { code: string }).code).toBe('Unauthenticated');
    const refused = await admin.run(tokenCmd('show', '-n', APP, '--tkid', 'ci-operator', '--token', token));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^ERROR: \(Unauthenticated\) /);
  });

  it('an admin token given with --token manages tokens without any sign-in (LATCH_SERVER), by subdomain or GUID', async () => {
    const made = await admin.json<Token>(tokenCmd('create', '-n', appId, '--tkid', 'ci-admin', '-r', 'admin'));
    const anon = newCli({ LATCH_SERVER: srv.url });
    const listed = await anon.json<{ value: Token[] }>(tokenCmd('list', '-n', APP, '--token', made.token!));
    expect(listed.value.map((t) => t.id)).toContain('ci-admin');
    expect(listed.value.every((t) => t.token === undefined)).toBe(true);
    const shown = await anon.json<Token>(tokenCmd('show', '-n', appId, '--tkid', 'ci-admin', '--token', made.token!));
    expect(shown).toEqual({ id: 'ci-admin', roles: [{ role: ROLES.admin }], expiry: made.expiry });
  });

  it('the builder alias maps to its GUID; other role strings go to the server unchanged', async () => {
    expect((await admin.json<Token>(tokenCmd('create', '-n', APP, '--tkid', 'ci-builder', '-r', 'builder'))).roles).toEqual([
      { role: ROLES.builder },
    ]);
    const cased = await admin.run(tokenCmd('create', '-n', APP, '--tkid', 'ci-cased', '-r', 'Admin'));
    expect(cased.code).toBe(1);
    expect(cased.stderr).toBe("ERROR: (BadRequest) The role 'Admin' does not exist in this application.\n");
  });

  it('an organization role takes --org-id / --organization-id, and needs one', async () => {
    expect((await central('PUT', 'organizations/plant-7', bearer(), { displayName: 'Plant 7' })).status).toBe(200);
    const t = await admin.json<Token>(
      tokenCmd('create', '-n', APP, '--tkid', 'ci-org-viewer', '-r', ROLES.orgViewer, '--organization-id', 'plant-7'),
    );
    expect(t.roles).toEqual([{ role: ROLES.orgViewer, organization: 'plant-7' }]);
    const without = await admin.run(tokenCmd('create', '-n', APP, '--tkid', 'ci-org-none', '-r', ROLES.orgViewer));
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/^ERROR: \(BadRequest\) .*organization is required\.\n$/);
    const unknown = await admin.run(tokenCmd('create', '-n', APP, '--tkid', 'ci-org-x', '-r', ROLES.orgViewer, '--org-id', 'nowhere'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('(BadRequest)');
    expect((await admin.run(tokenCmd('show', '-n', APP, '--tkid', 'ci-org-none'))).code).toBe(3);
  });
});

describe('latch iot central api-token: az exit codes and texts', () => {
  it('a duplicate token id is a server error (exit 1, Conflict); nothing is overwritten', async () => {
    const first = await admin.json<Token>(tokenCmd('create', '-n', APP, '--tkid', 'ci-dup', '-r', 'operator'));
    const again = await admin.run(tokenCmd('create', '-n', APP, '--tkid', 'ci-dup', '-r', 'admin'));
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("ERROR: (Conflict) API token 'ci-dup' already exists.\n");
    expect((await admin.json<Token>(tokenCmd('show', '-n', APP, '--tkid', 'ci-dup'))).roles).toEqual(first.roles);
  });

  it('show / delete of an unknown token and an unknown app exit 3 with the service text', async () => {
    const show = await admin.run(tokenCmd('show', '-n', APP, '--tkid', 'nope'));
    expect(show).toEqual({ code: 3, stdout: '', stderr: "ERROR: (NotFound) API token 'nope' was not found.\n" });
    expect((await admin.run(tokenCmd('delete', '-n', APP, '--tkid', 'nope'))).code).toBe(3);
    const app = await admin.run(tokenCmd('list', '-n', 'no-such-app'));
    expect(app).toEqual({ code: 3, stdout: '', stderr: "ERROR: (NotFound) The application 'no-such-app' was not found.\n" });
  });

  it('checks the token id before calling (exit 2), and names missing arguments as az does', async () => {
    const bad = await admin.run(tokenCmd('create', '-n', APP, '--tkid', 'has space', '-r', 'admin'));
    expect(bad).toEqual({
      code: 2,
      stdout: '',
      stderr: "ERROR: argument --token-id/--tkid: invalid value 'has space': use only [0-9a-zA-Z-], at most 40 characters\n",
    });
    expect((await admin.run(tokenCmd('show', '-n', APP, '--tkid', 'x'.repeat(41)))).code).toBe(2);
    const missing = await admin.run(tokenCmd('create'));
    expect(missing).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ERROR: the following arguments are required: --app-id/-n, --token-id/--tkid, --role/-r\n',
    });
    const unknownOpt = await admin.run(tokenCmd('list', '-n', APP, '--bogus'));
    expect(unknownOpt.code).toBe(2);
    expect(unknownOpt.stderr).toBe('ERROR: unrecognized arguments: --bogus\n');
  });

  it('accepts --api-version/--av with knack deprecation warning, ignores it, and --only-show-errors silences it', async () => {
    const warned = await admin.run(tokenCmd('list', '-n', APP, '--av', '2022-06-30-preview', '--query', 'length(value)'));
    expect(warned.code).toBe(0);
    expect(warned.stderr).toBe("WARNING: Argument 'api_version' has been deprecated and will be removed in a future release.\n");
    const quiet = await admin.run(
      tokenCmd('list', '-n', APP, '--api-version', '2022-07-31', '--only-show-errors', '--query', 'length(value)'),
    );
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(warned.stdout);
    const wrong = await admin.run(tokenCmd('list', '-n', APP, '--av', '2019-01-01'));
    expect(wrong.code).toBe(2);
  });

  it('help works without the required arguments and marks the deprecated one', async () => {
    const r = await admin.run(tokenCmd('create', '-h'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('latch iot central api-token create : Generate an API token associated with your IoT Central');
    expect(r.stdout).toMatch(/--api-version --av \[Deprecated\]/);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain("Argument 'api_version' has been deprecated and will be removed in a future release.");
  });

  it('with --central-api-uri it addresses https://{app-id}.{suffix}/api/… as az does', async () => {
    const r = await admin.run(
      tokenCmd('list', '-n', APP, '--central-api-uri', 'localhost:1', '--token', 'SharedAccessSignature x', '--debug'),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Request URL: 'https://${APP}.localhost:1/api/apiTokens?api-version=2022-07-31'`);
    expect(r.stderr).toContain(`ERROR: Cannot reach the Latch server at https://${APP}.localhost:1`);
    expect(r.stderr).not.toContain('SharedAccessSignature x');
  });

  it('without a session, --token or a server it says how to sign in', async () => {
    const r = await newCli().run(tokenCmd('list', '-n', APP));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("ERROR: You are not signed in and gave no --central-api-uri. Please run 'latch iam login' to sign in again.\n");
  });
});
