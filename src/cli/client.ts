/**
 * HTTP client of the `latch` CLI over the server's faces. It carries the profile's session: the
 * access token is refreshed (refresh_token grant, the rotated refresh token stored at once) when it
 * is about to expire or when the server answers 401; when refreshing fails the user is told to
 * sign in again. Server errors become CliErrors printed as `ERROR: (<code>) <message>`; 404 exits 3.
 */
import { CliError, CliNotFoundError, formatServerError } from './output/index.js';
import type { Logger } from './log.js';
import type { Profile, ProfileStore } from './profile.js';
import type { TokenResponse } from '../schemas/oauth.js';
import { isUuid } from '../domain/ids.js';
import { sameName } from '../domain/names.js';

export type { TokenResponse };

export const USER_AGENT = 'latch-cli/0.1.0';
const TIMEOUT_MS = 60_000;

export const LOGIN_AGAIN = "Please run 'latch iam login' to sign in again.";

export interface HttpResult {
  status: number;
  body: unknown;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Sent as `x-tenant-id`. */
  tenant?: string;
  headers?: Record<string, string>;
}

/** One HTTP exchange; the body is parsed JSON when it is JSON, else text, else null. */
export async function http(log: Logger, server: string, method: string, path: string, opts: RequestOptions = {}): Promise<HttpResult> {
  const url = new URL(path, server.endsWith('/') ? server : `${server}/`);
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': USER_AGENT, ...(opts.headers ?? {}) };
  if (opts.tenant) headers['x-tenant-id'] = opts.tenant;
  let payload: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(opts.body);
  }
  const name = 'cli.latch.client';
  log.debug(`Request URL: '${url.href}'`, name);
  log.debug(`Request method: '${method}'`, name);
  log.debug(`Request headers: ${JSON.stringify(redactHeaders(headers))}`, name);
  const started = Date.now();
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (e as Error).message;
    throw new CliError(`Cannot reach the Latch server at ${url.origin}: ${why}`, { cause: e });
  }
  const text = await res.text();
  log.debug(`Response status: ${res.status} (${Date.now() - started} ms)`, name);
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, body };
}

function redactHeaders(h: Record<string, string>): Record<string, string> {
  const out = { ...h };
  if (out.authorization) out.authorization = '*****';
  return out;
}

/** The CliError for a failed response: iam `{code, message}`, token `{error, error_description}`, ARM `{error: {code, message}}`. */
export function responseError(r: HttpResult): CliError {
  const b = r.body as Record<string, unknown> | string | null;
  let code: string | undefined;
  let message: string | undefined;
  if (b && typeof b === 'object') {
    const nested = b.error && typeof b.error === 'object' ? (b.error as Record<string, unknown>) : undefined;
    if (nested) {
      code = str(nested.code);
      message = str(nested.message);
    } else if (typeof b.code === 'string' && typeof b.message === 'string') {
      code = b.code;
      message = b.message;
    } else if (typeof b.error === 'string') {
      code = b.error;
      message = str(b.error_description) ?? str(b.message);
    } else {
      message = str(b.message);
    }
  } else if (typeof b === 'string' && b.trim()) {
    message = b.trim().split('\n')[0];
  }
  const text = formatServerError(code, message ?? `The server answered ${r.status}`);
  return r.status === 404 ? new CliNotFoundError(text) : new CliError(text);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** POST the token endpoint (login and refresh). */
export async function requestToken(log: Logger, server: string, body: Record<string, string>): Promise<TokenResponse> {
  const r = await http(log, server, 'POST', '/iam/auth/token', { body });
  if (r.status !== 200) throw responseError(r);
  return r.body as TokenResponse;
}

/** Profile fields of a token response obtained at `now`. */
export function tokenFields(
  t: TokenResponse,
  now: number,
): Pick<Profile, 'accessToken' | 'refreshToken' | 'expiresOn' | 'refreshExpiresOn' | 'expiresIn'> {
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    expiresIn: t.expires_in,
    expiresOn: now + t.expires_in * 1000,
    refreshExpiresOn: now + t.refresh_expires_in * 1000,
  };
}

/** Refresh when less than this is left: 30 s, or a quarter of a short lifetime. */
function refreshMargin(p: Profile): number {
  const ttl = (p.expiresIn > 0 ? p.expiresIn : 300) * 1000;
  return Math.min(30_000, ttl / 4);
}

export class ApiClient {
  constructor(
    private profile: Profile,
    private readonly store: ProfileStore,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  get server(): string {
    return this.profile.server;
  }

  get current(): Profile {
    return this.profile;
  }

  /** A valid access token, refreshed first when it is (nearly) expired. */
  async accessToken(): Promise<string> {
    if (this.now() >= this.profile.expiresOn - refreshMargin(this.profile)) await this.refresh(false);
    return this.profile.accessToken;
  }

  /**
   * Refresh the session under the profile lock. Another process may have refreshed meanwhile: its
   * stored token is used when still fresh (re-presenting our spent refresh token would revoke the session).
   */
  async refresh(force: boolean): Promise<void> {
    const seen = this.profile.accessToken;
    await this.store.withLock(async () => {
      const stored = this.store.load();
      if (!stored || stored.server !== this.profile.server) throw new CliError(`You are not signed in. ${LOGIN_AGAIN}`);
      if (stored.accessToken !== seen && this.now() < stored.expiresOn - refreshMargin(stored)) {
        this.profile = stored;
        return;
      }
      if (!force && this.now() < stored.expiresOn - refreshMargin(stored)) {
        this.profile = stored;
        return;
      }
      if (this.now() >= stored.refreshExpiresOn) throw new CliError(`The session has expired. ${LOGIN_AGAIN}`);
      this.log.info('Refreshing the access token');
      let t: TokenResponse;
      try {
        t = await requestToken(this.log, stored.server, { grant_type: 'refresh_token', refresh_token: stored.refreshToken });
      } catch (e) {
        if (e instanceof CliError && /^\((invalid_grant|invalid_request)\)/.test(e.message)) {
          throw new CliError(`The session has expired or was revoked: ${e.message}. ${LOGIN_AGAIN}`, { cause: e });
        }
        throw e;
      }
      this.profile = { ...stored, ...tokenFields(t, this.now()) };
      this.store.save(this.profile);
    });
  }

  /** Call the API with the session; a 401 refreshes once and retries. Returns the body (null for 204). */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const send = async () =>
      http(this.log, this.profile.server, method, path, {
        ...opts,
        headers: { ...(opts.headers ?? {}), authorization: `Bearer ${await this.accessToken()}` },
      });
    let r = await send();
    if (r.status === 401) {
      await this.refresh(true);
      r = await send();
    }
    if (r.status >= 400) throw responseError(r);
    return r.body as T;
  }
}

export interface TenantRef {
  id: string;
  name: string | null;
}

/** A tenant id or name → its id: names are looked up among the tenants where the caller holds a role. */
export async function resolveTenant(c: ApiClient, value: string): Promise<TenantRef> {
  const tenants = (await c.request<{ value: { id: string; name: string }[] }>('GET', '/iam/tenants')).value;
  if (isUuid(value)) {
    const id = value.toLowerCase();
    return { id, name: tenants.find((t) => t.id === id)?.name ?? null };
  }
  const hits = tenants.filter((t) => sameName(t.name, value));
  if (!hits.length) {
    const me = await c.request<{ roles: { tenant_id: string; tenant_name: string }[] }>('GET', '/iam/users/me');
    const r = me.roles.find((x) => sameName(x.tenant_name, value));
    if (r) return { id: r.tenant_id, name: r.tenant_name };
    throw new CliNotFoundError(`Tenant '${value}' not found. Check the spelling and try again.`);
  }
  return { id: hits[0].id, name: hits[0].name };
}
