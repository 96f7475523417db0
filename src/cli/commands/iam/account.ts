import { CliError, CliUsageError } from '../../output/index.js';
import { ApiClient, http, requestToken, resolveTenant, responseError, tokenFields } from '../../client.js';
import type { CommandContext, CommandModule } from '../../command-table.js';
import type { Profile } from '../../profile.js';

interface Me {
  id: string;
  type: 'user' | 'api_key';
  username: string;
  tenant_id: string;
  platform_admin: boolean;
  roles: { tenant_id: string; tenant_name: string; role_name: string }[];
}

const validUrl = (v: string) => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'use an http:// or https:// URL';
  } catch {
    return 'use an http:// or https:// URL';
  }
};

/** The login result: who signed in where, and the roles per tenant (never tokens). */
function summary(p: Profile, me: Me) {
  const tenants = new Map<string, { id: string; name: string; roles: string[] }>();
  for (const r of me.roles) {
    const t = tenants.get(r.tenant_id) ?? { id: r.tenant_id, name: r.tenant_name, roles: [] };
    t.roles.push(r.role_name);
    tenants.set(r.tenant_id, t);
  }
  return {
    server: p.server,
    type: p.type,
    username: p.username,
    platformAdmin: me.platform_admin,
    tenantId: p.tenantId,
    tenantName: p.tenantName,
    tenants: [...tenants.values()],
  };
}

/** `az account get-access-token`'s local time format: `YYYY-MM-DD HH:MM:SS.ffffff`. */
function azLocalTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
}

/**
 * The password, first found: --password, --password-stdin (stdin to its end, without the final line
 * break), LATCH_PASSWORD, a prompt without echo when stdin is a terminal. Otherwise a usage error: a
 * script must not hang on a prompt nobody can answer.
 */
async function passwordOf(ctx: CommandContext, flag: string | undefined): Promise<string> {
  let password = flag;
  if (password === undefined && ctx.args.passwordStdin) password = (await ctx.stdin.read()).replace(/\r?\n$/, '');
  else if (password === undefined) password = ctx.env.LATCH_PASSWORD || undefined;
  if (password === undefined && ctx.stdin.isTTY) password = await ctx.stdin.readSecret('Password: ');
  if (password === undefined)
    throw new CliUsageError(
      'no password given, and stdin is not a terminal to ask for one: use --password-stdin, LATCH_PASSWORD or --password/-p',
    );
  if (!password) throw new CliUsageError('the password is empty');
  return password;
}

export const accountCommands: CommandModule = {
  groups: [{ name: 'iam', summary: 'Manage sign-in, users, roles, API keys, organizations, sessions and the audit trail.' }],
  commands: [
    {
      name: 'iam login',
      summary: 'Sign in to a Latch server.',
      description:
        'With a username and password, or with an API key (--client-id/--client-secret). Values may come from LATCH_SERVER, ' +
        'LATCH_USERNAME, LATCH_PASSWORD, LATCH_CLIENT_ID and LATCH_CLIENT_SECRET. The session is stored in ' +
        '$XDG_CONFIG_HOME/latch/profile.json (mode 0600) and refreshed by later commands.',
      args: [
        {
          dest: 'server',
          options: ['--server'],
          help: 'Server URL, e.g. http://127.0.0.1:8080. Default: $LATCH_SERVER.',
          validate: validUrl,
          metavar: 'URL',
        },
        { dest: 'username', options: ['--username', '-u'], help: 'User name. Default: $LATCH_USERNAME.' },
        {
          dest: 'password',
          options: ['--password', '-p'],
          help: 'Password. Default: $LATCH_PASSWORD, else a prompt (no echo) when stdin is a terminal.',
          secret: true,
        },
        {
          dest: 'passwordStdin',
          options: ['--password-stdin'],
          flag: true,
          help: 'Read the password from stdin (up to the end of input).',
        },
        { dest: 'clientId', options: ['--client-id'], help: "API key client id ('<tenant>-><key name>'). Default: $LATCH_CLIENT_ID." },
        { dest: 'clientSecret', options: ['--client-secret'], help: 'API key secret. Default: $LATCH_CLIENT_SECRET.', secret: true },
        { dest: 'tenant', options: ['--tenant', '-t'], help: 'Default tenant (id or name) for later commands. Default: the home tenant.' },
      ],
      examples: [
        { name: 'Sign in; the password is asked for without echo.', text: 'latch iam login --server http://127.0.0.1:8080 -u admin' },
        {
          name: 'Sign in with the password on stdin.',
          text: 'printf %s "$PASSWORD" | latch iam login --server http://127.0.0.1:8080 -u admin --password-stdin',
        },
        {
          name: 'Sign in with an API key.',
          text: 'latch iam login --server http://127.0.0.1:8080 --client-id "default->ci" --client-secret "$SECRET"',
        },
      ],
      async handler(ctx) {
        const a = ctx.args as Record<string, string | undefined>;
        const server = (a.server ?? ctx.env.LATCH_SERVER)?.replace(/\/+$/, '');
        if (!server) throw new CliUsageError('the following arguments are required: --server');
        if (a.server === undefined && validUrl(server))
          throw new CliUsageError(`LATCH_SERVER: invalid value '${server}': use an http:// or https:// URL`);
        const keyLogin = a.clientId !== undefined || a.clientSecret !== undefined;
        if (a.password !== undefined && ctx.args.passwordStdin) {
          throw new CliUsageError('usage error: --password and --password-stdin cannot be used together');
        }
        if (keyLogin && (a.username !== undefined || a.password !== undefined || ctx.args.passwordStdin)) {
          throw new CliUsageError('usage error: --username/--password and --client-id/--client-secret cannot be used together');
        }
        let grant: Record<string, string>;
        if (keyLogin || (ctx.env.LATCH_CLIENT_ID && !ctx.env.LATCH_USERNAME)) {
          const clientId = a.clientId ?? ctx.env.LATCH_CLIENT_ID;
          const clientSecret = a.clientSecret ?? ctx.env.LATCH_CLIENT_SECRET;
          const missing = [clientId ? '' : '--client-id', clientSecret ? '' : '--client-secret'].filter(Boolean);
          if (missing.length) throw new CliUsageError(`the following arguments are required: ${missing.join(', ')}`);
          grant = { grant_type: 'client_credentials', client_id: clientId!, client_secret: clientSecret! };
        } else {
          const username = a.username ?? ctx.env.LATCH_USERNAME;
          if (!username) throw new CliUsageError('the following arguments are required: --username/-u');
          grant = { grant_type: 'password', username, password: await passwordOf(ctx, a.password) };
        }
        const t = await requestToken(ctx.log, server, grant);
        const r = await http(ctx.log, server, 'GET', '/iam/users/me', { headers: { authorization: `Bearer ${t.access_token}` } });
        if (r.status !== 200) throw responseError(r);
        const me = r.body as Me;
        const home = me.roles.find((x) => x.tenant_id === me.tenant_id);
        let profile: Profile = {
          server,
          type: me.type,
          username: me.username,
          tenantId: me.tenant_id,
          tenantName: home?.tenant_name ?? null,
          ...tokenFields(t, ctx.now()),
        };
        if (a.tenant !== undefined) {
          const chosen = await resolveTenant(new ApiClient(profile, ctx.profiles, ctx.log, ctx.now), a.tenant);
          profile = { ...profile, tenantId: chosen.id, tenantName: chosen.name };
        } else if (!home) {
          const c = new ApiClient(profile, ctx.profiles, ctx.log, ctx.now);
          const tenants = (await c.request<{ value: { id: string; name: string }[] }>('GET', '/iam/tenants')).value;
          profile.tenantName = tenants.find((x) => x.id === me.tenant_id)?.name ?? null;
        }
        ctx.profiles.save(profile);
        return summary(profile, me);
      },
    },
    {
      name: 'iam logout',
      summary: 'Sign out: end the session on the server and remove the stored profile.',
      args: [],
      async handler(ctx) {
        const p = ctx.profiles.load();
        if (!p) throw new CliError('There are no active accounts.');
        try {
          const r = await http(ctx.log, p.server, 'POST', '/iam/auth/logout', { body: { refresh_token: p.refreshToken } });
          if (r.status >= 400) ctx.warn(`The server did not end the session: ${responseError(r).message}`);
        } catch (e) {
          ctx.warn((e as Error).message);
        }
        ctx.profiles.clear();
        return null;
      },
    },
    {
      name: 'iam token',
      summary: 'Get a fresh access token of the signed-in session (like az account get-access-token).',
      description: 'Refreshes the session and prints the new access token; the rotated refresh token is stored.',
      args: [],
      examples: [
        { name: 'Call the API with curl.', text: 'curl -H "Authorization: Bearer $(latch iam token --query accessToken -o tsv)" ...' },
      ],
      async handler(ctx) {
        const c = await ctx.client();
        await c.refresh(true);
        const p = c.current;
        return {
          accessToken: p.accessToken,
          expiresOn: azLocalTime(p.expiresOn),
          expires_on: Math.floor(p.expiresOn / 1000),
          tenant: p.tenantId,
          tokenType: 'Bearer',
        };
      },
    },
    {
      name: 'iam me',
      summary: 'Show the signed-in principal and its roles in every tenant.',
      args: [],
      async handler(ctx) {
        return (await ctx.client()).request('GET', '/iam/users/me');
      },
    },
  ],
};
