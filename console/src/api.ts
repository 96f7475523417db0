/**
 * The console's only way to the server: Latch's public HTTP API, same origin. The access token and
 * the refresh token live in this module's memory only (never in storage or a cookie readable by
 * script): a reload signs the user out, and no other tab or script on the origin can read them.
 */

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

let access: string | null = null;
let refresh: string | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let tenant: string | null = null;
let language = 'en';
let onSignedOut: (() => void) | undefined;

export function setTenant(id: string | null): void {
  tenant = id;
}
export function setLanguage(lang: string): void {
  language = lang;
}
/** Called when the session ends without the user asking (refresh refused). */
export function onSessionEnd(fn: () => void): void {
  onSignedOut = fn;
}

/** The error message of any of Latch's envelopes (EI, OAuth, ARM, Central). */
function messageOf(body: unknown): { message?: string; code?: string } {
  if (!body || typeof body !== 'object') return {};
  const b = body as Record<string, unknown>;
  if (typeof b.message === 'string') return { message: b.message, code: typeof b.code === 'string' ? b.code : undefined };
  if (typeof b.error_description === 'string')
    return { message: b.error_description, code: typeof b.error === 'string' ? b.error : undefined };
  if (b.error && typeof b.error === 'object') {
    const e = b.error as Record<string, unknown>;
    return { message: typeof e.message === 'string' ? e.message : undefined, code: typeof e.code === 'string' ? e.code : undefined };
  }
  return {};
}

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const h: Record<string, string> = { 'accept-language': language, accept: 'application/json', ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  if (access) h.authorization = `Bearer ${access}`;
  if (tenant) h['x-tenant-id'] = tenant;
  return fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit' });
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const { message, code } = messageOf(json);
    throw new ApiError(message ?? `${res.status} ${res.statusText}`, res.status, code);
  }
  return json as T;
}

function keep(t: Tokens): void {
  access = t.access_token;
  refresh = t.refresh_token;
  clearTimeout(timer);
  // renew at 80% of the access token's life, before any call can meet an expired one
  timer = setTimeout(() => void renew(), Math.max(5, t.expires_in * 0.8) * 1000);
}

function forget(): void {
  access = null;
  refresh = null;
  tenant = null;
  clearTimeout(timer);
}

/** Silent refresh: a new pair from the refresh token; false (and signed out) when it is refused. */
async function renew(): Promise<boolean> {
  if (!refresh) return false;
  try {
    const res = await fetch('/iam/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': language },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: refresh }),
      credentials: 'omit',
    });
    keep(await parse<Tokens>(res));
    return true;
  } catch {
    forget();
    onSignedOut?.();
    return false;
  }
}

export async function signIn(username: string, password: string): Promise<void> {
  const res = await fetch('/iam/auth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': language },
    body: JSON.stringify({ username, password }),
    credentials: 'omit',
  });
  keep(await parse<Tokens>(res));
}

/** Ends the session on the server (its refresh token and access tokens stop working), then here. */
export async function signOut(): Promise<void> {
  try {
    if (access) await send('POST', '/iam/auth/logout', refresh ? { refresh_token: refresh } : undefined);
  } finally {
    forget();
  }
}

export async function api<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  let res = await send(method, path, body, headers);
  if (res.status === 401 && refresh && (await renew())) res = await send(method, path, body, headers);
  return parse<T>(res);
}
