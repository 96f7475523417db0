// The az conventions a CLI user expects of `latch` (issue 9): --version, the password prompt on a
// terminal (a real pseudo-terminal through util-linux `script`), --password-stdin, shell completion
// generated from the command table, `latch config` defaults, and --ids with ARM resource ids, all
// against a real server.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ADMIN_PASSWORD, Cli, startCliServer, type CliServer } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/latch.js');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let srv: CliServer;
let admin: Cli;
const clis: Cli[] = [];
const newCli = (env?: Record<string, string>) => {
  const c = new Cli(env);
  clis.push(c);
  return c;
};

beforeAll(async () => {
  srv = await startCliServer();
  admin = newCli();
  await admin.login(srv.url);
});
afterAll(async () => {
  await srv?.close();
  for (const c of clis) c.cleanup();
});

/** The executable as `npx latch` runs it (bin/latch.js), with `input` on stdin (a pipe, not a terminal). */
function bin(
  cli: Cli,
  argv: string[],
  input?: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...argv],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: cli.configHome, XDG_CONFIG_HOME: cli.configHome, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(input ?? '');
  });
}

/** main() in-process with `input` as stdin (not a terminal). */
async function withStdin(cli: Cli, argv: string[], input: string) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { XDG_CONFIG_HOME: cli.configHome, HOME: cli.configHome },
    isTTY: false,
    stdin: Readable.from([Buffer.from(input)]),
  });
  return { code, stdout, stderr };
}

describe('latch --version / latch version', () => {
  it('prints the package.json version az-style, through --output', async () => {
    const cli = newCli();
    expect(JSON.parse(await cli.ok(['version']))).toEqual({ latch: VERSION, node: process.versions.node });
    expect(await cli.ok(['--version', '-o', 'tsv'])).toBe(`${VERSION}\t${process.versions.node}\n`);
    expect(await cli.ok(['version', '--query', 'latch', '-o', 'tsv'])).toBe(`${VERSION}\n`);
  });

  it('the bin the README uses (npx latch) reaches Latch from the source tree', async () => {
    const r = await bin(newCli(), ['--version', '-o', 'yaml']);
    expect(r).toEqual({ code: 0, stdout: `latch: ${VERSION}\nnode: ${process.versions.node}\n`, stderr: '' });
    const help = await bin(newCli(), ['--help']);
    expect(help.stdout).toContain('latch : Latch: access-control plane for IoT platforms.');
    for (const v of ['LATCH_CORE_OUTPUT', 'LATCH_CORE_ONLY_SHOW_ERRORS', 'NO_COLOR', 'LATCH_PASSWORD', 'LATCH_DEFAULTS_TENANT'])
      expect(help.stdout).toContain(v);
  });
});

describe('iam login password', () => {
  it('prompts on a terminal without echoing what is typed', async () => {
    const cli = newCli();
    const secretTyped = ADMIN_PASSWORD;
    const cmd = [process.execPath, BIN, 'iam', 'login', '--server', srv.url, '-u', 'admin', '--query', 'username', '-o', 'tsv']
      .map((a) => `'${a}'`)
      .join(' ');
    // `script` gives the command a pseudo-terminal and copies what the terminal shows to stdout.
    const child = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: cli.configHome, XDG_CONFIG_HOME: cli.configHome, TERM: 'dumb' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let typed = false;
    child.stdout.on('data', (c: Buffer) => {
      screen += c.toString();
      if (!typed && screen.includes('Password: ')) {
        typed = true;
        child.stdin.write(`${secretTyped}\r`);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(typed).toBe(true);
    expect(code).toBe(0);
    expect(screen).toContain('admin');
    expect(screen).not.toContain(secretTyped);
    expect(cli.profile().username).toBe('admin');
  });

  it('refuses clearly when stdin is not a terminal and no password is given', async () => {
    const r = await newCli().run(['iam', 'login', '--server', srv.url, '-u', 'admin']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'ERROR: no password given, and stdin is not a terminal to ask for one: use --password-stdin, LATCH_PASSWORD or --password/-p\n',
    });
  });

  it('reads --password-stdin (the final line break is not part of it), and takes LATCH_PASSWORD', async () => {
    const piped = newCli();
    expect(
      await bin(
        piped,
        ['iam', 'login', '--server', srv.url, '-u', 'admin', '--password-stdin', '--query', 'username', '-o', 'tsv'],
        `${ADMIN_PASSWORD}\n`,
      ),
    ).toEqual({
      code: 0,
      stdout: 'admin\n',
      stderr: '',
    });
    const inProcess = newCli();
    expect(
      (await withStdin(inProcess, ['iam', 'login', '--server', srv.url, '-u', 'admin', '--password-stdin'], ADMIN_PASSWORD)).code,
    ).toBe(0);
    expect(
      (await withStdin(newCli(), ['iam', 'login', '--server', srv.url, '-u', 'admin', '--password-stdin'], 'wrong-password\n')).code,
    ).toBe(1);
    const env = newCli();
    expect(
      await env.ok(['iam', 'login', '--server', srv.url, '-u', 'admin', '--query', 'username', '-o', 'tsv'], {
        LATCH_PASSWORD: ADMIN_PASSWORD,
      }),
    ).toBe('admin\n');
    expect((await newCli().run(['iam', 'login', '--server', srv.url, '-u', 'admin', '-p', 'x', '--password-stdin'])).stderr).toBe(
      'ERROR: usage error: --password and --password-stdin cannot be used together\n',
    );
  });
});

describe('latch completion', () => {
  const script = async (shell: string) => newCli().ok(['completion', shell]);

  /** What bash completes for the words typed so far (the last one being completed). */
  async function complete(words: string[]): Promise<string[]> {
    const file = path.join(newCli().configHome, 'latch.bash');
    fs.writeFileSync(file, await script('bash'));
    const arr = words.map((w) => `'${w}'`).join(' ');
    const probe = `source '${file}'; COMP_WORDS=(latch ${arr}); COMP_CWORD=${words.length}; _latch_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return new Promise((resolve, reject) =>
      execFile('bash', ['--norc', '-c', probe], (err, stdout, stderr) =>
        err ? reject(new Error(stderr)) : resolve(stdout.split('\n').filter(Boolean)),
      ),
    );
  }

  it('bash completes command words, subcommands, flags and option values from the command table', async () => {
    expect(await complete([''])).toEqual(expect.arrayContaining(['iam', 'iot', 'config', 'completion', 'version', '--version', '--help']));
    expect((await complete(['iam', 'lo'])).sort()).toEqual(['login', 'logout']);
    expect(await complete(['iot', 'hub', ''])).toEqual(expect.arrayContaining(['create', 'show', 'delete', 'policy', 'connection-string']));
    expect((await complete(['iam', 'login', '--pass'])).sort()).toEqual(['--password', '--password-stdin']);
    expect(await complete(['iot', 'hub', 'show', '--'])).toEqual(
      expect.arrayContaining(['--ids', '--name', '--resource-group', '--tenant', '--output']),
    );
    expect((await complete(['iam', 'me', '-o', 'y'])).sort()).toEqual(['yaml', 'yamlc']);
  });

  it('zsh gets a compdef script with the same commands, subcommands and flags', async () => {
    const zsh = await script('zsh');
    expect(zsh.startsWith('#compdef latch\n')).toBe(true);
    expect(zsh).toContain("'iot hub policy')");
    expect(zsh).toContain("'create:Create a new shared access policy in an IoT hub.'");
    expect(zsh).toContain("'--password-stdin:Read the password from stdin");
    expect(zsh).toContain("*'|--output') items=('json' ");
    expect(zsh).toContain('compdef _latch latch');
    const r = await newCli().run(['completion', 'fish']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'fish' is not a valid value for '--shell'. Allowed values: bash, zsh.");
  });
});

describe('latch config', () => {
  it('set / get / unset with az config’s shapes, stored in the profile file next to the session', async () => {
    const cli = newCli();
    await cli.login(srv.url);
    expect(await cli.ok(['config', 'set', 'core.output=tsv', 'defaults.server=http://127.0.0.1:1'])).toBe('');
    expect(JSON.parse(await cli.ok(['config', 'get', 'core.output', '-o', 'json']))).toEqual({
      name: 'output',
      source: cli.profileFile,
      value: 'tsv',
    });
    expect(JSON.parse(await cli.ok(['config', 'get', '-o', 'json']))).toEqual({
      core: [{ name: 'output', source: cli.profileFile, value: 'tsv' }],
      defaults: [{ name: 'server', source: cli.profileFile, value: 'http://127.0.0.1:1' }],
    });
    expect(cli.profile()).toMatchObject({ username: 'admin', config: { core: { output: 'tsv' } } });
    // logout ends the session and keeps the configuration
    await cli.ok(['iam', 'logout']);
    expect(cli.profile()).toEqual({ config: { core: { output: 'tsv' }, defaults: { server: 'http://127.0.0.1:1' } } });
    await cli.ok(['config', 'unset', 'core.output', 'defaults.server']);
    expect(await cli.run(['config', 'get', 'core.output'])).toEqual({
      code: 1,
      stdout: '',
      stderr: "ERROR: Configuration 'core.output' is not set.\n",
    });
    expect((await cli.run(['config', 'set', 'core.output=xml'])).code).toBe(2);
    expect((await cli.run(['config', 'set', 'core.colour=1'])).stderr).toContain("'core.colour' is not a configuration key.");
  });

  it('commands use the defaults; the environment and flags override them', async () => {
    const cli = newCli();
    await cli.ok(['config', 'set', 'core.output=tsv', `defaults.server=${srv.url}`]);
    expect(await cli.ok(['version'])).toBe(`${VERSION}\t${process.versions.node}\n`);
    expect(JSON.parse(await cli.ok(['version'], { LATCH_CORE_OUTPUT: 'json' }))).toMatchObject({ latch: VERSION });
    expect(JSON.parse(await cli.ok(['version', '-o', 'json']))).toMatchObject({ latch: VERSION });
    // defaults.server: login without --server
    expect(await cli.ok(['iam', 'login', '-u', 'admin', '-p', ADMIN_PASSWORD, '--query', 'server'])).toBe(`${srv.url}\n`);
    // defaults.tenant: tenant-scoped commands run there unless --tenant says otherwise
    const other = JSON.parse(await admin.ok(['iam', 'org', 'create', '-n', `cfg-${Date.now()}`, '-o', 'json'])) as {
      id: string;
      name: string;
    };
    await cli.ok(['config', 'set', `defaults.tenant=${other.id}`]);
    await cli.ok(['iam', 'api-key', 'create', '-n', 'cfg-key', '-r', 'EI Admin']);
    expect(await cli.ok(['iam', 'api-key', 'list', '--query', '[].name'])).toBe('cfg-key\n');
    const home = cli.profile().tenantId as string;
    expect(await cli.ok(['iam', 'api-key', 'list', '-t', home, '--query', "[?name=='cfg-key'].name"])).toBe('');
    expect(await cli.ok(['iam', 'api-key', 'list', '--query', "[?name=='cfg-key'].name"], { LATCH_DEFAULTS_TENANT: home })).toBe('');
  });
});

describe('--ids', () => {
  interface Resource {
    id: string;
    name: string;
    resourcegroup: string;
  }
  const uniq = (p: string) => `${p}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

  it('iot hub show / delete / policy take one or more ARM resource ids instead of --name and -g', async () => {
    const [a, b] = [uniq('idshuba'), uniq('idshubb')];
    const hubA = await admin.json<Resource>(['iot', 'hub', 'create', '-n', a, '-g', 'ids-rg']);
    const hubB = await admin.json<Resource>(['iot', 'hub', 'create', '-n', b, '-g', 'ids-rg2']);
    expect(hubA.id).toMatch(/^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/ids-rg\/providers\/Microsoft.Devices\/IotHubs\//);
    expect(await admin.json(['iot', 'hub', 'show', '--ids', hubA.id])).toEqual(
      await admin.json(['iot', 'hub', 'show', '-n', a, '-g', 'ids-rg']),
    );
    const both = await admin.json<Resource[]>(['iot', 'hub', 'show', '--ids', hubA.id, hubB.id]);
    expect(both.map((r) => r.name)).toEqual([a, b]);
    const policies = await admin.json<{ keyName: string }[]>(['iot', 'hub', 'policy', 'list', '--ids', hubB.id]);
    expect(policies.map((p) => p.keyName)).toContain('iothubowner');
    expect((await admin.json<{ keyName: string }>(['iot', 'hub', 'policy', 'show', '--ids', hubB.id, '-n', 'iothubowner'])).keyName).toBe(
      'iothubowner',
    );
    expect(await admin.ok(['iot', 'hub', 'delete', '--ids', hubA.id, hubB.id])).toBe('');
    expect((await admin.run(['iot', 'hub', 'show', '-n', a])).code).toBe(3);
    expect((await admin.run(['iot', 'hub', 'show', '-n', b])).code).toBe(3);
  });

  it('iot dps and iot central app take their own resource ids', async () => {
    const dpsName = uniq('idsdps');
    const dps = await admin.json<Resource>(['iot', 'dps', 'create', '-n', dpsName, '-g', 'ids-rg']);
    expect((await admin.json<Resource>(['iot', 'dps', 'show', '--ids', dps.id])).name).toBe(dpsName);
    expect((await admin.json<{ keyName: string }[]>(['iot', 'dps', 'policy', 'list', '--ids', dps.id])).map((p) => p.keyName)).toContain(
      'provisioningserviceowner',
    );
    const appName = uniq('idsapp');
    const app = await admin.json<Resource>(['iot', 'central', 'app', 'create', '-n', appName, '-g', 'ids-rg', '-s', appName]);
    expect((await admin.json<Resource>(['iot', 'central', 'app', 'show', '--ids', app.id])).name).toBe(appName);
    // an id of another resource type is refused before any request
    const wrong = await admin.run(['iot', 'hub', 'show', '--ids', app.id]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(
      `ERROR: argument --ids: invalid value '${app.id}': not a resource id of Microsoft.Devices/IotHubs: use /subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Devices/IotHubs/{name}\n`,
    );
    expect(await admin.ok(['iot', 'central', 'app', 'delete', '--ids', app.id])).toBe('');
    expect(await admin.ok(['iot', 'dps', 'delete', '--ids', dps.id])).toBe('');
  });

  it('a malformed id, or --ids with --name/-g/--tenant, is a usage error; without either the name is required', async () => {
    const bad = await admin.run(['iot', 'hub', 'delete', '--ids', 'not-an-id']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^ERROR: argument --ids: invalid value 'not-an-id': not a resource id of Microsoft.Devices\/IotHubs/);
    const id = `/subscriptions/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/h`;
    expect((await admin.run(['iot', 'hub', 'show', '--ids', id, '-g', 'rg'])).stderr).toBe(
      'ERROR: argument --ids: not allowed with argument --resource-group/-g\n',
    );
    expect((await admin.run(['iot', 'hub', 'show'])).stderr).toBe('ERROR: the following arguments are required: --name/-n\n');
    expect(await admin.ok(['iot', 'hub', 'show', '--help'])).toContain('--ids');
  });
});
