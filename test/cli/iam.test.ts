// The `latch iam …` commands against a real server (listening on a free port, SQLite in a temp dir).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, Cli, startCliServer, type CliServer } from './helpers.js';

let srv: CliServer;
let admin: Cli;
const clis: Cli[] = [];
const newCli = () => {
  const c = new Cli();
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

interface ApiKey {
  id: string;
  name: string;
  roles: string[];
  secret?: string;
  clientId: string;
  expiry: string;
  createdAt: string;
}

describe('login and the profile', () => {
  it('login prints the me-profile summary without tokens and stores the session in a 0600 file under a 0700 directory', async () => {
    const cli = newCli();
    const out = await cli.login(srv.url);
    const summary = JSON.parse(out) as Record<string, unknown>;
    expect(summary).toMatchObject({ server: srv.url, type: 'user', username: 'admin', platformAdmin: true, tenantName: 'Default' });
    expect(out).not.toMatch(/access|refresh|eyJ/i);
    expect(fs.statSync(cli.profileFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(`${cli.configHome}/latch`).mode & 0o777).toBe(0o700);
    const p = cli.profile();
    expect(p).toMatchObject({ server: srv.url, username: 'admin', tenantId: summary.tenantId });
    expect(typeof p.accessToken).toBe('string');
    expect(String(p.refreshToken)).toMatch(/^latch_rt_/);
  });

  it('login takes the server and credentials from LATCH_SERVER, LATCH_USERNAME and LATCH_PASSWORD', async () => {
    const cli = newCli();
    const r = await cli.run(['iam', 'login'], { LATCH_SERVER: srv.url, LATCH_USERNAME: 'admin', LATCH_PASSWORD: ADMIN_PASSWORD });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ username: 'admin' });
  });

  it('login without a server is a usage error (exit 2); a wrong password exits 1 with the OAuth error', async () => {
    const cli = newCli();
    expect(await cli.run(['iam', 'login', '-u', 'admin', '-p', 'x'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ERROR: the following arguments are required: --server\n',
    });
    const bad = await cli.run(['iam', 'login', '--server', srv.url, '-u', 'admin', '-p', 'wrong-password']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ERROR: \(invalid_grant\) /);
    expect(fs.existsSync(cli.profileFile)).toBe(false);
  });

  it('commands without a profile ask to log in (exit 1)', async () => {
    const r = await newCli().run(['iam', 'api-key', 'list']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: "ERROR: Please run 'latch iam login' to setup account.\n" });
  });

  it('iam me and iam token', async () => {
    const me = await admin.json<{ username: string; type: string }>(['iam', 'me']);
    expect(me).toMatchObject({ username: 'admin', type: 'user' });
    const before = admin.profile();
    const t = await admin.json<Record<string, unknown>>(['iam', 'token']);
    expect(Object.keys(t).sort()).toEqual(['accessToken', 'expiresOn', 'expires_on', 'tenant', 'tokenType']);
    expect(t).toMatchObject({ tokenType: 'Bearer', tenant: before.tenantId });
    expect(t.accessToken).toBe(admin.profile().accessToken);
    expect(admin.profile().refreshToken).not.toBe(before.refreshToken);
  });

  it('an API key login (client credentials) works and keeps the key tenant', async () => {
    const created = await admin.json<ApiKey>(['iam', 'api-key', 'create', '-n', 'login-key', '-r', 'Tenant Admin']);
    const cli = newCli();
    const out = await cli.ok(['iam', 'login', '--server', srv.url, '--client-id', created.clientId, '--client-secret', created.secret!]);
    expect(JSON.parse(out)).toMatchObject({ type: 'api_key', tenantName: 'Default' });
    expect(JSON.parse(await cli.ok(['iam', 'api-key', 'list', '--query', '[].name']))).toContain('login-key');
    await admin.ok(['iam', 'api-key', 'delete', '-n', 'login-key']);
  });

  it('logout ends the session and removes the profile; a second logout fails', async () => {
    const cli = newCli();
    await cli.login(srv.url);
    const { refreshToken } = cli.profile();
    expect(await cli.run(['iam', 'logout'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(fs.existsSync(cli.profileFile)).toBe(false);
    const res = await fetch(`${srv.url}/iam/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    });
    expect(res.status).toBe(400);
    expect((await cli.run(['iam', 'logout'])).stderr).toBe('ERROR: There are no active accounts.\n');
  });
});

describe('session refresh', () => {
  it('an expired access token in the profile is refreshed transparently and the rotated refresh token is stored', async () => {
    const cli = newCli();
    await cli.login(srv.url);
    const first = cli.profile();
    cli.editProfile({ expiresOn: Date.now() - 1000 });
    const r = await cli.run(['iam', 'api-key', 'list']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const second = cli.profile();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.expiresOn as number).toBeGreaterThan(Date.now());
    expect(fs.statSync(cli.profileFile).mode & 0o777).toBe(0o600);
    // The stored (rotated) token is the live one: refreshing again works, and again after that.
    cli.now = () => Date.now() + 10 * 60_000;
    expect((await cli.run(['iam', 'me'])).code).toBe(0);
    const third = cli.profile();
    expect(third.refreshToken).not.toBe(second.refreshToken);
    cli.now = () => Date.now() + 20 * 60_000;
    expect((await cli.run(['iam', 'me'])).code).toBe(0);
  });

  it('a token the server rejects (401) is refreshed once and the call retried', async () => {
    const cli = newCli();
    await cli.login(srv.url);
    cli.editProfile({ accessToken: 'not-a-token' });
    expect((await cli.run(['iam', 'me'])).code).toBe(0);
    expect(cli.profile().accessToken).not.toBe('not-a-token');
  });

  it('when refreshing fails the user is told to log in again (exit 1)', async () => {
    const cli = newCli();
    await cli.login(srv.url);
    cli.editProfile({ expiresOn: Date.now() - 1000, refreshToken: 'latch_rt_garbage' });
    const r = await cli.run(['iam', 'me']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^ERROR: The session has expired or was revoked: \(invalid_grant\) .*Please run 'latch iam login' to sign in again\.\n$/,
    );
  });
});

describe('api-key', () => {
  it('create, list, show, delete round trip; delete prints nothing; show afterwards exits 3', async () => {
    const created = await admin.json<ApiKey>([
      'iam',
      'api-key',
      'create',
      '--name',
      'ci-1',
      '--role',
      'EI Admin',
      '--expires-in-days',
      '30',
    ]);
    expect(created).toMatchObject({ name: 'ci-1', roles: ['EI Admin'], clientId: 'default->ci-1' });
    expect(created.secret).toMatch(/^latch_ak_/);
    expect(Math.abs(Date.parse(created.expiry) - Date.parse(created.createdAt) - 30 * 86400_000)).toBeLessThan(1000);

    const list = await admin.json<ApiKey[]>(['iam', 'api-key', 'list']);
    expect(list.map((k) => k.name)).toContain('ci-1');
    expect(JSON.stringify(list)).not.toContain(created.secret);

    const shown = await admin.json<ApiKey>(['iam', 'api-key', 'show', '-n', 'ci-1']);
    expect(shown).toMatchObject({ id: created.id, name: 'ci-1' });
    expect(shown).not.toHaveProperty('secret');

    expect(await admin.run(['iam', 'api-key', 'delete', '-n', 'ci-1'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await admin.run(['iam', 'api-key', 'show', '-n', 'ci-1'])).toEqual({
      code: 3,
      stdout: '',
      stderr: 'ERROR: (API_KEY_NOT_FOUND) API key ci-1 not found\n',
    });
    expect((await admin.run(['iam', 'api-key', 'delete', '-n', 'ci-1'])).code).toBe(3);
  });

  it('create warns that the secret is shown once; --only-show-errors suppresses the warning', async () => {
    const r = await admin.run(['iam', 'api-key', 'create', '-n', 'warn-1', '-r', 'EI Admin']);
    expect(r.stderr).toMatch(/^WARNING: The output includes the API key secret/);
    const q = await admin.run([
      'iam',
      'api-key',
      'create',
      '-n',
      'warn-2',
      '-r',
      'EI Admin',
      '--only-show-errors',
      '--query',
      'name',
      '-o',
      'tsv',
    ]);
    expect(q).toEqual({ code: 0, stdout: 'warn-2\n', stderr: '' });
    await admin.ok(['iam', 'api-key', 'delete', '-n', 'warn-1']);
    await admin.ok(['iam', 'api-key', 'delete', '-n', 'warn-2']);
  });

  it('missing required arguments exit 2 with the az message, before any request', async () => {
    expect(await admin.run(['iam', 'api-key', 'create'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ERROR: the following arguments are required: --name/-n, --role/-r\n',
    });
    expect((await admin.run(['iam', 'api-key', 'show'])).stderr).toBe('ERROR: the following arguments are required: --name/-n\n');
  });

  it('the name rule is checked client-side (exit 2)', async () => {
    const r = await admin.run(['iam', 'api-key', 'create', '-n', 'bad name!', '-r', 'EI Admin']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: "ERROR: argument --name/-n: invalid value 'bad name!': use only [0-9a-zA-Z-], at most 40 characters\n",
    });
    expect((await admin.run(['iam', 'api-key', 'create', '-n', 'x'.repeat(41), '-r', 'EI Admin'])).code).toBe(2);
  });

  it('--expires-in-days takes only the allowed values (exit 2) and excludes --expiry', async () => {
    const r = await admin.run(['iam', 'api-key', 'create', '-n', 'k', '-r', 'EI Admin', '--expires-in-days', '7']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "ERROR: latch iam api-key create: '7' is not a valid value for '--expires-in-days'. Allowed values: 30, 60, 90, 180, 365.\n",
    );
    const both = await admin.run([
      'iam',
      'api-key',
      'create',
      '-n',
      'k',
      '-r',
      'EI Admin',
      '--expires-in-days',
      '30',
      '--expiry',
      '2031-01-01T00:00:00Z',
    ]);
    expect(both.code).toBe(2);
  });

  it('an explicit --expiry is sent as ISO time; several roles via repeated -r', async () => {
    const expiry = new Date(Date.now() + 40 * 86400_000).toISOString();
    const k = await admin.json<ApiKey>(['iam', 'api-key', 'create', '-n', 'multi', '-r', 'EI Admin', '-r', 'Operator', '--expiry', expiry]);
    expect(k.expiry).toBe(expiry);
    expect([...k.roles].sort()).toEqual(['EI Admin', 'Operator']);
    await admin.ok(['iam', 'api-key', 'delete', '-n', 'multi']);
  });
});

describe('users, roles, orgs, tenants, sessions, audit', () => {
  it('a user without the access-control permission gets 403 → exit 1 with ERROR: (PERMISSION_DENIED) …', async () => {
    const u = await admin.json<{ id: string; username: string; roles: string[] }>([
      'iam',
      'user',
      'create',
      '--username',
      'bob',
      '--password',
      'bob-password-long-1',
      '-r',
      'EI Admin',
    ]);
    expect(u).toMatchObject({ username: 'bob', roles: ['EI Admin'] });
    const bob = newCli();
    await bob.login(srv.url, 'bob', 'bob-password-long-1');
    const r = await bob.run(['iam', 'api-key', 'list']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ERROR: \(PERMISSION_DENIED\) Missing required permission: .+\n$/);

    await admin.ok(['iam', 'user', 'role', 'add', '--user', 'bob', '--role', 'Tenant Admin']);
    expect((await bob.run(['iam', 'api-key', 'list'])).code).toBe(0);
    await admin.ok(['iam', 'user', 'role', 'remove', '-u', 'bob', '-r', 'Tenant Admin']);
    expect((await bob.run(['iam', 'api-key', 'list'])).code).toBe(1);

    expect(await admin.json(['iam', 'user', 'show', '-u', 'bob', '--query', 'username'])).toBe('bob');
    expect(JSON.parse(await admin.ok(['iam', 'user', 'list', '--query', '[].username']))).toEqual(expect.arrayContaining(['admin', 'bob']));
    expect(await admin.run(['iam', 'user', 'delete', '-u', u.id])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await admin.run(['iam', 'user', 'show', '-u', 'bob'])).code).toBe(3);
  });

  it('role create/show/update/delete with repeatable or comma-separated --permissions', async () => {
    const perms = await admin.json<{ id: string }[]>(['iam', 'permission', 'list']);
    const [p1, p2, p3] = perms.map((p) => p.id);
    const r = await admin.json<{ name: string; permissions: string[]; builtIn: boolean }>([
      'iam',
      'role',
      'create',
      '-n',
      'custom-1',
      '--permissions',
      `${p1},${p2}`,
      '--description',
      'd',
    ]);
    expect(r).toMatchObject({ name: 'custom-1', builtIn: false });
    expect([...r.permissions].sort()).toEqual([p1, p2].sort());
    const u = await admin.json<{ name: string; permissions: string[] }>([
      'iam',
      'role',
      'update',
      '-n',
      'custom-1',
      '--new-name',
      'custom-2',
      '--permissions',
      p3,
      '--permissions',
      p1,
    ]);
    expect(u.name).toBe('custom-2');
    expect([...u.permissions].sort()).toEqual([p3, p1].sort());
    expect(await admin.json(['iam', 'role', 'show', '-n', 'custom-2', '--query', 'description'])).toBe('d');
    expect((await admin.run(['iam', 'role', 'delete', '-n', 'custom-2'])).stdout).toBe('');
    expect((await admin.run(['iam', 'role', 'show', '-n', 'custom-2'])).code).toBe(3);
  });

  it('org create/list/show/delete by name; tenant create/list/set/show and --tenant by name', async () => {
    const org = await admin.json<{ id: string; name: string }>(['iam', 'org', 'create', '-n', 'plant-1']);
    expect(await admin.json(['iam', 'org', 'list', '--query', '[].name'])).toContain('plant-1');
    expect(await admin.json(['iam', 'org', 'show', '-n', 'plant-1', '--query', 'id'])).toBe(org.id);
    expect((await admin.run(['iam', 'org', 'delete', '-n', 'plant-1'])).code).toBe(0);
    expect((await admin.run(['iam', 'org', 'show', '-n', 'plant-1'])).code).toBe(3);

    const t = await admin.json<{ id: string; name: string }>(['iam', 'tenant', 'create', '-n', 'Second']);
    expect(await admin.json(['iam', 'tenant', 'list', '--query', '[].name'])).toEqual(expect.arrayContaining(['Default', 'Second']));
    await admin.ok(['iam', 'api-key', 'create', '-n', 'in-second', '-r', 'Tenant Admin', '--tenant', 'second']);
    expect(await admin.json(['iam', 'api-key', 'list', '-t', t.id, '--query', '[].name'])).toEqual(['in-second']);
    expect(await admin.json(['iam', 'api-key', 'list', '--query', '[].name'])).not.toContain('in-second');
    expect(await admin.run(['iam', 'tenant', 'set', '-t', 'Second'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await admin.json(['iam', 'tenant', 'show'])).toEqual({ id: t.id, name: 'Second' });
    expect(await admin.json(['iam', 'api-key', 'list', '--query', '[].name'])).toEqual(['in-second']);
    await admin.ok(['iam', 'tenant', 'set', '-t', 'Default']);
    expect((await admin.run(['iam', 'api-key', 'list', '-t', 'no-such-tenant'])).code).toBe(3);
  });

  it('session list/revoke; audit list with filters; keys rotate', async () => {
    const cli = newCli();
    await cli.login(srv.url);
    const sessions = await admin.json<{ id: string; principalType: string }[]>(['iam', 'session', 'list']);
    expect(sessions.length).toBeGreaterThan(1);
    const mine = String(cli.profile().refreshToken);
    const before = new Set(sessions.map((s) => s.id));
    expect(before.size).toBe(sessions.length);
    // Revoking the newest session ends the other CLI's session: it must log in again.
    const res = await fetch(`${srv.url}/iam/users/me`, { headers: { authorization: `Bearer ${String(cli.profile().accessToken)}` } });
    const sid = JSON.parse(Buffer.from(String(cli.profile().accessToken).split('.')[1], 'base64url').toString()).sid as string;
    expect(res.status).toBe(200);
    expect(mine).toMatch(/^latch_rt_/);
    expect(await admin.run(['iam', 'session', 'revoke', '--id', sid])).toEqual({ code: 0, stdout: '', stderr: '' });
    const after = await cli.run(['iam', 'me']);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/Please run 'latch iam login' to sign in again\./);

    const events = await admin.json<{ action: string }[]>(['iam', 'audit', 'list', '--action', 'session.revoked', '--size', '5']);
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.action))).toEqual(new Set(['session.revoked']));
    expect((await admin.run(['iam', 'audit', 'list', '--size', '0'])).code).toBe(2);

    const rotated = await admin.json<{ kid: string; retired: string[] }>(['keys', 'rotate']);
    expect(typeof rotated.kid).toBe('string');
    expect((await admin.run(['iam', 'me'])).code).toBe(0);
  });
});
