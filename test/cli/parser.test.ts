// Parser, help and error behaviour of `latch` that needs no server (spec/cli-conventions.md §1, §5, §6).
import { afterAll, describe, expect, it } from 'vitest';
import { Cli } from './helpers.js';
import { buildTree } from '../../src/cli/parser.js';
import { MODULES } from '../../src/cli/commands/index.js';

const cli = new Cli();
afterAll(() => cli.cleanup());

describe('help', () => {
  it('-h/--help prints command help to stdout, exit 0, without the required arguments', async () => {
    for (const h of ['-h', '--help', '--he']) {
      const r = await cli.run(['iam', 'api-key', 'create', h]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^\nCommand\n {4}latch iam api-key create : Create an API key\.\n/);
      expect(r.stdout).toMatch(/\nArguments\n {4}--name -n \[Required\] : /);
      expect(r.stdout).toMatch(/\nGlobal Arguments\n {4}--debug {14}: /);
      expect(r.stdout).toContain('--expires-in-days');
      expect(r.stdout).toContain('Allowed values: 30, 60, 90, 180, 365.');
    }
  });

  it('group help with -h on stdout (exit 0); a group without a subcommand prints its help to stderr, exit 2', async () => {
    const ok = await cli.run(['iam', '-h']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^\nGroup\n {4}latch iam : .*\n\nSubgroups:\n {4}api-key {4}: /);
    expect(ok.stdout).toContain('\nCommands:\n    login      : Sign in to a Latch server.\n');
    const bad = await cli.run(['iam', 'api-key']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^\nGroup\n {4}latch iam api-key : /);
    expect((await cli.run(['iam', 'api-key', '-o', 'json'])).code).toBe(2);
  });

  it('`latch` alone and `latch help iam` print help, exit 0', async () => {
    expect((await cli.run([])).stdout).toMatch(/^\nGroup\n {4}latch : /);
    expect((await cli.run(['help', 'iam'])).stdout).toMatch(/^\nGroup\n {4}latch iam : /);
  });
});

describe('usage errors (exit 2)', () => {
  it('unknown command word, with a suggestion', async () => {
    expect(await cli.run(['iam', 'api-key', 'shwo'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "ERROR: 'shwo' is misspelled or not recognized by the system.\nDid you mean 'show' ?\n",
    });
    expect(await cli.run(['nope'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "ERROR: 'nope' is misspelled or not recognized by the system.\n",
    });
  });

  it('unrecognized arguments (after the required check, as argparse)', async () => {
    expect(await cli.run(['iam', 'api-key', 'list', '--bogus', 'x', 'y'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ERROR: unrecognized arguments: --bogus x y\n',
    });
    expect((await cli.run(['iam', 'api-key', 'show', '--bogus'])).stderr).toBe('ERROR: the following arguments are required: --name/-n\n');
  });

  it('an option without its value', async () => {
    expect((await cli.run(['iam', 'api-key', 'show', '--name'])).stderr).toBe('ERROR: argument --name/-n: expected one argument\n');
    expect((await cli.run(['iam', 'api-key', 'create', '-n', 'a', '--role', '--query', 'x'])).stderr).toBe(
      'ERROR: argument --role/-r: expected at least one argument\n',
    );
  });

  it('an invalid --output value, with the az message and a suggestion; also from LATCH_CORE_OUTPUT', async () => {
    expect(await cli.run(['iam', 'api-key', 'list', '-o', 'tabel'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "ERROR: latch iam api-key list: 'tabel' is not a valid value for '--output'. Allowed values: json, jsonc, yaml, yamlc, table, tsv, none.\nDid you mean 'table' ?\n",
    });
    expect((await cli.run(['iam', 'api-key', 'list'], { LATCH_CORE_OUTPUT: 'xml' })).code).toBe(2);
  });

  it('--query syntax errors are found at parse time, before sign-in is needed', async () => {
    const r = await cli.run(['iam', 'api-key', 'list', '--query', 'a[']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ERROR: argument --query: invalid jmespath_type value: 'a\['\n/);
  });

  it('ambiguous abbreviations', async () => {
    const r = await cli.run(['iam', 'api-key', 'create', '--ex', '30']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ERROR: ambiguous option: --ex could match --expires-in-days, --expiry\n');
  });
});

describe('option forms and logging flags', () => {
  it('--opt=value, -xVALUE, unambiguous prefixes and global options anywhere after the command words all parse', async () => {
    // Parsing succeeds and the command then needs a profile: exit 1 with the login hint, not 2.
    for (const argv of [
      ['iam', 'api-key', 'show', '--name=k', '-ojson'],
      ['iam', 'api-key', 'show', '-nk', '--out', 'tsv', '--que', 'name'],
      ['iam', 'api-key', 'show', '-o', 'yaml', '--verbose', '-n', 'k'],
    ]) {
      expect(await cli.run(argv)).toEqual({ code: 1, stdout: '', stderr: "ERROR: Please run 'latch iam login' to setup account.\n" });
    }
  });

  it('--only-show-errors with --debug or --verbose is rejected (exit 1, no ERROR: prefix)', async () => {
    expect(await cli.run(['iam', 'me', '--only-show-errors', '--debug'])).toEqual({
      code: 1,
      stdout: '',
      stderr: "--only-show-errors can't be used together with --debug or --verbose\n",
    });
    expect((await cli.run(['iam', 'me', '--verbose', '--only-show-errors'])).code).toBe(1);
  });

  it('--debug logs the command arguments with secrets masked', async () => {
    const r = await cli.run(['iam', 'login', '--server', 'http://127.0.0.1:9', '-u', 'a', '--password', 's3cret', '--debug']);
    expect(r.stderr).toContain(
      "DEBUG: cli.latch.cli: Command arguments: ['iam', 'login', '--server', 'http://127.0.0.1:9', '-u', 'a', '--password', '*****', '--debug']",
    );
    expect(r.stderr).not.toContain('s3cret');
    expect(r.stderr).toMatch(/ERROR: Cannot reach the Latch server at http:\/\/127\.0\.0\.1:9: /);
    expect(r.code).toBe(1);
  });
});

describe('the command table', () => {
  it('builds one tree; every command has a summary and every option spelling is unique within a command', () => {
    const root = buildTree(MODULES, 'x');
    expect([...root.children.keys()].sort()).toEqual([
      'backup',
      'completion',
      'config',
      'iam',
      'iot',
      'keys',
      'master-key',
      'restore',
      'serve',
      'version',
    ]);
    for (const m of MODULES) {
      for (const c of m.commands) {
        expect(c.summary, c.name).not.toBe('');
        const opts = [
          ...c.args.flatMap((a) => a.options),
          ...(c.tenantScoped ? ['--tenant', '-t'] : []),
          '--output',
          '-o',
          '--query',
          '--help',
          '-h',
          '--debug',
          '--verbose',
          '--only-show-errors',
        ];
        expect(new Set(opts).size, c.name).toBe(opts.length);
      }
    }
  });
});
