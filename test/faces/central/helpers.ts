import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TestApp } from '../../harness.js';

export const API = 'api-version=2022-07-31';
export const ROLES = {
  admin: 'ca310b8d-2f4a-44e0-a36e-957c202cd8d4',
  builder: '344138e9-8de4-4497-8c54-5237e96d6aaf',
  operator: 'ae2c9854-393b-4f97-8c42-479d70ce626e',
  orgAdmin: 'c495eb57-eb18-489e-9802-62c474e5645c',
  orgOperator: 'b4935647-30e4-4ed3-9074-dcac66c2f8ef',
  orgViewer: '84cc62c1-dabe-49d3-b16e-8b291232b285',
} as const;

export interface CentralTestApp {
  id: string;
  name: string;
  subdomain: string;
  tenantId: string;
}

/** Creates an app through the ARM face (admin's Bearer token). */
export async function createCentralApp(
  t: TestApp,
  o: { tenantId?: string; name?: string; subdomain?: string; token?: string } = {},
): Promise<CentralTestApp> {
  const tenantId = o.tenantId ?? t.defaultTenantId;
  const name = o.name ?? `app-${Math.random().toString(36).slice(2, 10)}`;
  const res = await t.req(
    'PUT',
    `/subscriptions/${tenantId}/resourceGroups/rg/providers/Microsoft.IoTCentral/iotApps/${name}?api-version=2021-06-01`,
    {
      token: o.token ?? (await t.adminToken()),
      body: { location: 'westus', sku: { name: 'ST1' }, properties: o.subdomain ? { subdomain: o.subdomain } : {} },
    },
  );
  if (res.statusCode !== 201) throw new Error(`create app: ${res.statusCode} ${res.body}`);
  const b = res.json() as { properties: { applicationId: string; subdomain: string } };
  return { id: b.properties.applicationId, name, subdomain: b.properties.subdomain, tenantId };
}

export interface CallOpts {
  auth?: string;
  body?: unknown;
  /** Full query string (default api-version=2022-07-31). */
  query?: string;
  headers?: Record<string, string>;
}

/** A data-plane call: /central/{app}/api/{path}. */
export function central(
  t: TestApp,
  method: InjectOptions['method'],
  app: string,
  path: string,
  o: CallOpts = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.auth) headers.authorization = o.auth;
  const q = o.query ?? API;
  return t.app.inject({
    method,
    url: `/central/${app}/api/${path}${q ? `?${q}` : ''}`,
    headers,
    ...(o.body === undefined
      ? {}
      : typeof o.body === 'string'
        ? { payload: o.body, headers: { 'content-type': 'application/json', ...headers } }
        : { payload: o.body as object }),
  });
}

/** Creates a token with the admin's Bearer token (how the first one is made); answers the token string. */
export async function createToken(
  t: TestApp,
  app: string,
  id: string,
  roles: { role: string; organization?: string }[],
  auth?: string,
): Promise<string> {
  const res = await central(t, 'PUT', app, `apiTokens/${id}`, { auth: auth ?? `Bearer ${await t.adminToken()}`, body: { roles } });
  if (res.statusCode !== 200) throw new Error(`create token ${id}: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}
