/**
 * How `latch iot central …` reaches an application's data-plane API (spec/iot-central-api-tokens.md
 * §1–§2, spec/cli-conventions.md §9):
 * - without `--central-api-uri`: the signed-in Latch server in path form, `/central/{appId}/api/…`;
 * - with `--central-api-uri <suffix>`: `https://{appId}.{suffix}/api/…`, as az builds it.
 * `Authorization` is `--token` verbatim when given (so no sign-in is needed), else the session's
 * bearer token. The query is always `api-version=2022-07-31`: `--api-version` is deprecated and
 * ignored, as in az. Answers are read as az's `try_extract_result` reads them.
 */
import { randomUUID } from 'node:crypto';
import { CliError, CliNotFoundError, formatServerError } from '../../../output/index.js';
import type { ArgSpec, CommandContext } from '../../../command-table.js';
import { http, LOGIN_AGAIN, type HttpResult } from '../../../client.js';

export const CENTRAL_API_VERSION = '2022-07-31';

export const APP_ID_ARG: ArgSpec = {
  dest: 'appId',
  options: ['--app-id', '-n'],
  required: true,
  help: 'The App ID of the IoT Central app you want to manage: its subdomain or its application id (GUID).',
};

/** The options every data-plane command takes after its own. */
export const CENTRAL_COMMON_ARGS: readonly ArgSpec[] = [
  {
    dest: 'token',
    options: ['--token'],
    secret: true,
    help: 'A token to send as Authorization instead of the signed-in session, including its type, e.g. "SharedAccessSignature sr=…".',
  },
  {
    dest: 'centralApiUri',
    options: ['--central-api-uri', '--central-dns-suffix'],
    help: 'The IoT Central DNS suffix: address https://{app-id}.{suffix} instead of the signed-in server.',
  },
  {
    dest: 'apiVersion',
    options: ['--api-version', '--av'],
    choices: ['2022-06-30-preview', CENTRAL_API_VERSION],
    deprecated: {},
    help: 'This command parameter has been deprecated and will be ignored.',
  },
];

interface CentralArgs {
  appId: string;
  token?: string;
  centralApiUri?: string;
}

const seg = (s: string) => encodeURIComponent(s);

/** The base URL of the app's API (ending in `/api/`) and whether it came from the signed-in profile. */
export function centralBase(ctx: CommandContext, a: CentralArgs): string {
  if (a.centralApiUri !== undefined) return `https://${a.appId}.${a.centralApiUri.replace(/^https?:\/\//, '').replace(/\/+$/, '')}/api/`;
  const server = ctx.profiles.load()?.server ?? ctx.env.LATCH_SERVER;
  if (!server) throw new CliError(`You are not signed in and gave no --central-api-uri. ${LOGIN_AGAIN}`);
  return `${server.replace(/\/+$/, '')}/central/${seg(a.appId)}/api/`;
}

/**
 * One data-plane call. Results as az's `try_extract_result`: 201/204 → `{"result": "success"}`;
 * a body that is not JSON → "Error parsing response body"; a body with `error` → an error
 * (`ERROR: (<code>) <message>`, exit 3 for 404 as every Latch show/delete, else 1); otherwise the body.
 */
export async function centralCall(ctx: CommandContext, method: string, path: string, body?: unknown): Promise<unknown> {
  const a = ctx.args as unknown as CentralArgs;
  const base = centralBase(ctx, a);
  const send = async (authorization: string): Promise<HttpResult> =>
    http(ctx.log, base, method, path, {
      body,
      query: { 'api-version': CENTRAL_API_VERSION },
      headers: { authorization, 'x-ms-client-request-id': randomUUID() },
    });
  let r: HttpResult;
  if (a.token !== undefined) r = await send(a.token);
  else {
    const c = await ctx.client();
    r = await send(`Bearer ${await c.accessToken()}`);
    if (r.status === 401) {
      await c.refresh(true);
      r = await send(`Bearer ${await c.accessToken()}`);
    }
  }
  if (r.status === 201 || r.status === 204) return { result: 'success' };
  if (r.body === null || typeof r.body !== 'object') throw new CliError('Error parsing response body');
  const err = (r.body as { error?: unknown }).error;
  if (err !== undefined) {
    const e = (err && typeof err === 'object' ? err : {}) as { code?: unknown; message?: unknown };
    const text = formatServerError(
      typeof e.code === 'string' ? e.code : undefined,
      typeof e.message === 'string' ? e.message : `The server answered ${r.status}`,
    );
    throw r.status === 404 ? new CliNotFoundError(text) : new CliError(text);
  }
  return r.body;
}

export const apiPath = (...parts: string[]) => parts.map(seg).join('/');
