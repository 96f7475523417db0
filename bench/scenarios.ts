/**
 * What the bench measures: each scenario is one request against one server process, and each
 * comparison sets a Latch scenario against its peer (node-oidc-provider for token issuance, the
 * bare Fastify route for authorized requests) measured in the same rounds.
 */
import type { HttpLoad, Proc } from './harness.js';
import type { LatchFixture } from './latch.js';

export type ServerName = 'latch' | 'bare' | 'oidc' | 'floor';

export interface Servers {
  latch: Proc;
  bare?: Proc;
  oidc?: Proc;
  /** bench/servers/floor.ts: the least any server on Latch's stack spends on the same requests. */
  floor?: Proc;
}

export interface OidcClient {
  clientId: string;
  secret: string;
  scope: string;
}

export interface Env {
  servers: Servers;
  fx: LatchFixture;
  oidc: OidcClient;
}

export interface Scenario {
  id: string;
  label: string;
  server: ServerName;
  request(env: Env): HttpLoad;
}

const tokenRequest = (env: Env, base: string, path: string): HttpLoad => ({
  url: `${base}${path}`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ grant_type: 'client_credentials', client_id: env.fx.apiKey.clientId, client_secret: env.fx.apiKey.secret }),
});

const authorized = (env: Env) => ({ authorization: `Bearer ${env.fx.accessToken}`, 'x-tenant-id': env.fx.tenantId });

export const SCENARIOS: Scenario[] = [
  {
    id: 'bare',
    label: 'bare Fastify `GET /nbapi/ei/v1/agents` (same body, same request headers)',
    server: 'bare',
    request: (env) => ({ url: `${env.servers.bare!.url}/nbapi/ei/v1/agents`, headers: authorized(env) }),
  },
  {
    id: 'floor-agents',
    label: 'floor: bare Fastify + request id, security headers, Bearer/tenant/permission from a Map, histogram, access line',
    server: 'floor',
    request: (env) => ({ url: `${env.servers.floor!.url}/nbapi/ei/v1/agents`, headers: authorized(env) }),
  },
  {
    id: 'agents',
    label: 'Latch authorized `GET /nbapi/ei/v1/agents` (Bearer + x-tenant-id + permission)',
    server: 'latch',
    request: (env) => ({ url: `${env.servers.latch.url}/nbapi/ei/v1/agents`, headers: authorized(env) }),
  },
  {
    id: 'whoami',
    label: 'Latch `GET /$latch/sas/whoami` (hub policy SAS, Host = hub)',
    server: 'latch',
    request: (env) => ({
      url: `${env.servers.latch.url}/$latch/sas/whoami`,
      headers: { host: env.fx.hub.hostName, authorization: env.fx.hub.sasToken },
    }),
  },
  {
    id: 'central',
    label: 'Latch `GET /central/{app}/api/apiTokens` (Central API token)',
    server: 'latch',
    request: (env) => ({ url: `${env.servers.latch.url}${env.fx.central.path}`, headers: { authorization: env.fx.central.token } }),
  },
  {
    id: 'oidc-token',
    label: 'node-oidc-provider `POST /token` (client_credentials, ES256 JWT)',
    server: 'oidc',
    request: (env) => ({
      url: `${env.servers.oidc!.url}/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: env.oidc.clientId,
        client_secret: env.oidc.secret,
        scope: env.oidc.scope,
      }).toString(),
    }),
  },
  {
    id: 'floor-sign',
    label: 'floor: Fastify + secret digest + ES256 JWT, nothing stored (as the peer)',
    server: 'floor',
    request: (env) => tokenRequest(env, env.servers.floor!.url, '/floor/sign-only/token'),
  },
  {
    id: 'floor-2rows',
    label: 'floor: the same + a session and its audit record, no refresh token',
    server: 'floor',
    request: (env) => tokenRequest(env, env.servers.floor!.url, '/floor/no-refresh-token/token'),
  },
  {
    id: 'floor-token',
    label: "floor: the same + a login's three rows (session, refresh token, audit), group commit, fdatasync",
    server: 'floor',
    request: (env) => tokenRequest(env, env.servers.floor!.url, '/iam/auth/token'),
  },
  {
    id: 'token',
    label: 'Latch `POST /iam/auth/token` (client_credentials, API key, ES256 JWT)',
    server: 'latch',
    request: (env) => tokenRequest(env, env.servers.latch.url, '/iam/auth/token'),
  },
];

export const scenario = (id: string): Scenario => SCENARIOS.find((s) => s.id === id)!;

/** Latch scenario against its peer: ratio of medians (req/s) must reach `minRatio`. */
export interface Comparison {
  id: string;
  peer: string;
  minRatio: number;
  label: string;
}

export const COMPARISONS: Comparison[] = [
  { id: 'token', peer: 'oidc-token', minRatio: 2.5, label: 'token issuance vs node-oidc-provider' },
  { id: 'agents', peer: 'bare', minRatio: 0.85, label: 'authorized GET vs bare Fastify' },
  { id: 'whoami', peer: 'bare', minRatio: 0.85, label: 'SAS whoami vs bare Fastify' },
  { id: 'central', peer: 'bare', minRatio: 0.85, label: 'Central API-token path vs bare Fastify' },
];

/**
 * Not targets: how the floors (bench/servers/floor.ts) compare with the peers, which bounds what
 * any server on Latch's stack could reach, and how much of that Latch keeps.
 */
export const REFERENCES: Omit<Comparison, 'minRatio'>[] = [
  { id: 'floor-sign', peer: 'oidc-token', label: 'floor without a store vs node-oidc-provider' },
  { id: 'floor-2rows', peer: 'oidc-token', label: 'durable floor without a refresh token vs node-oidc-provider' },
  { id: 'floor-token', peer: 'oidc-token', label: 'durable floor vs node-oidc-provider' },
  { id: 'token', peer: 'floor-token', label: 'Latch token issuance vs the durable floor' },
  { id: 'floor-agents', peer: 'bare', label: 'floor of the authorized GET vs bare Fastify' },
  { id: 'agents', peer: 'floor-agents', label: 'Latch authorized GET vs its floor' },
];

/** The scenarios measured at each credential count. */
export const SCALE_SCENARIOS = ['token', 'agents'];

/** Limits the issue sets for scale (checked when the sizes they name were measured). */
export const SCALE_TARGETS = {
  /** req/s at the smallest size over req/s at the largest, and the same for µs/request. */
  maxGrowth: 1.2,
  maxRssBytesAt100k: 200 * 2 ** 20,
  maxColdStartMsAt1M: 1500,
};
