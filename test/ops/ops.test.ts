import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { routeTable } from '../../src/http/route.js';
import { describeRequirement } from '../../src/domain/permissions.js';
import { makeTestApp, type TestApp } from '../harness.js';

let t: TestApp;
let tenantId: string;
let admin: string;

beforeAll(async () => {
  t = await makeTestApp();
  tenantId = (await t.createTenant(undefined, { ei: true })).id;
  admin = await t.adminToken();
});
afterAll(async () => t?.close());

describe('health', () => {
  it('/healthz and /readyz answer 200 without credentials', async () => {
    expect((await t.req('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    const r = await t.req('GET', '/readyz');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ready', store: 'sqlite' });
  });
});

describe('/metrics', () => {
  it('counts requests by route and status, auth failures by reason, tokens issued by grant', async () => {
    await t.req('GET', '/healthz');
    await t.req('GET', '/nbapi/ei/v1/agents', { tenant: tenantId });
    await t.req('GET', '/nbapi/ei/v1/agents', { token: 'forged', tenant: tenantId });
    const u = await t.createUser(tenantId, ['Tenant Admin']);
    const tok = (await t.login(u.username, u.password)).access_token;
    await t.req('GET', '/nbapi/ei/v1/agents', { token: tok, tenant: tenantId });
    await t.req('GET', '/nbapi/ei/v1/agents', { token: tok, tenant: '00000000-0000-4000-8000-000000000000' });
    const k = await t.createApiKey(tenantId, ['Operator']);
    const cc = await t.keyLogin(k.clientId, k.secret);
    await t.token({ grant_type: 'refresh_token', refresh_token: cc.refresh_token });
    const m = await t.req('GET', '/metrics');
    expect(m.statusCode).toBe(200);
    expect(m.headers['content-type']).toMatch(/^text\/plain/);
    const text = m.body;
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(series + ' '));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    expect(value('latch_http_requests_total{method="GET",route="/healthz",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(value('latch_http_requests_total{method="GET",route="/nbapi/ei/v1/agents",status="401"}')).toBe(2);
    expect(value('latch_http_requests_total{method="GET",route="/nbapi/ei/v1/agents",status="403"}')).toBe(2);
    // the counter is a counter, and counts what the duration histogram holds
    expect(text).toContain('# TYPE latch_http_requests_total counter');
    expect(value('latch_http_request_duration_seconds_count{method="GET",route="/nbapi/ei/v1/agents",status="401"}')).toBe(2);
    expect(value('latch_auth_failures_total{reason="missing"}')).toBe(1);
    expect(value('latch_auth_failures_total{reason="invalid_token"}')).toBe(1);
    expect(value('latch_auth_failures_total{reason="permission"}')).toBe(1);
    expect(value('latch_auth_failures_total{reason="tenant"}')).toBe(1);
    expect(value('latch_tokens_issued_total{grant="password"}')).toBeGreaterThanOrEqual(2);
    expect(value('latch_tokens_issued_total{grant="client_credentials"}')).toBe(1);
    expect(value('latch_tokens_issued_total{grant="refresh_token"}')).toBe(1);
    // an unmatched URL does not create a series per path
    await t.req('GET', '/no/such/path/12345');
    expect((await t.req('GET', '/metrics')).body).not.toContain('/no/such/path/12345');
  });

  it('records request durations in a histogram by route pattern and status, never by raw URL', async () => {
    const id = '00000000-0000-4000-8000-0000000000aa';
    await t.req('DELETE', `/nbapi/ei/v1/agents/${id}`, { token: admin, tenant: tenantId });
    await t.req('GET', '/no/such/path/67890');
    const body = (await t.req('GET', '/metrics')).body;
    expect(body).toContain('# TYPE latch_http_request_duration_seconds histogram');
    const series = (name: string, labels: string) =>
      body.split('\n').find((l) => l.startsWith(`latch_http_request_duration_seconds_${name}{${labels}`));
    const labels = 'method="DELETE",route="/nbapi/ei/v1/agents/:agentId",status="404"';
    const count = series('count', labels);
    expect(count, body).toBeDefined();
    expect(Number(count!.split(' ').pop())).toBe(1);
    expect(series('bucket', `le="10",${labels}`) ?? series('bucket', `${labels},le="10"`)).toMatch(/ 1$/);
    expect(Number(series('sum', labels)!.split(' ').pop())).toBeGreaterThan(0);
    expect(series('count', 'method="GET",route="unmatched",status="404"')).toBeDefined();
    expect(body).not.toContain(id);
    expect(body).not.toContain('67890');
  });
});

describe('/openapi.json', () => {
  it('lists every route, with x-permission exactly where the route declares one', async () => {
    const doc = (await t.req('GET', '/openapi.json')).json() as {
      openapi: string;
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    const problems: string[] = [];
    const routes = routeTable(t.app).filter((r) => !r.hidden && !r.url.startsWith('/docs'));
    expect(routes.length).toBeGreaterThan(30);
    for (const r of routes) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      if (!op) {
        problems.push(`missing ${r.method} ${path}`);
        continue;
      }
      const want = r.config.permission ? describeRequirement(r.config.permission) : undefined;
      if (op['x-permission'] !== want)
        problems.push(`${r.method} ${path}: x-permission ${String(op['x-permission'])}, declared ${String(want)}`);
      if (!!op['x-tenant-scoped'] !== !!r.config.tenantScoped) problems.push(`${r.method} ${path}: x-tenant-scoped mismatch`);
    }
    expect(problems).toEqual([]);
    expect(doc.paths['/nbapi/ei/v1/assetTypes']!.post!['x-permission']).toBe('Asset Management');
  });
});

describe('bad input never gives a 5xx', () => {
  const big = 'x'.repeat(100_000);
  const cases: [string, string, string, { body?: unknown; headers?: Record<string, string>; tenant?: string | null }, number, string][] = [
    [
      'invalid JSON',
      'POST',
      '/iam/api-keys',
      { body: '{"name":', headers: { 'content-type': 'application/json' } },
      400,
      'BODY_INVALID_JSON',
    ],
    ['empty JSON body', 'POST', '/iam/api-keys', { body: '', headers: { 'content-type': 'application/json' } }, 400, 'BODY_INVALID_JSON'],
    ['JSON array body', 'POST', '/iam/api-keys', { body: '[]', headers: { 'content-type': 'application/json' } }, 400, 'VALIDATION_FAILED'],
    [
      'wrong type (object for a string)',
      'POST',
      '/iam/api-keys',
      { body: { name: { a: 1 }, roles: ['EI Admin'] } },
      400,
      'VALIDATION_FAILED',
    ],
    ['wrong type (object for an array)', 'POST', '/iam/api-keys', { body: { name: 'k', roles: { a: 1 } } }, 400, 'VALIDATION_FAILED'],
    [
      'wrong type (string for an integer)',
      'POST',
      '/iam/api-keys',
      { body: { name: 'k', roles: ['EI Admin'], expiresInDays: 'soon' } },
      400,
      'VALIDATION_FAILED',
    ],
    ['missing field', 'POST', '/iam/api-keys', { body: { name: 'k' } }, 400, 'VALIDATION_FAILED'],
    ['unknown field', 'POST', '/iam/api-keys', { body: { name: 'k', roles: ['EI Admin'], admin: true } }, 400, 'VALIDATION_FAILED'],
    ['huge name', 'POST', '/iam/api-keys', { body: { name: big, roles: ['EI Admin'] } }, 400, 'API_KEY_NAME_INVALID'],
    ['bad expiry', 'POST', '/iam/api-keys', { body: { name: 'k', roles: ['EI Admin'], expiresInDays: 7 } }, 400, 'API_KEY_EXPIRY_INVALID'],
    [
      'garbage expiry',
      'POST',
      '/iam/api-keys',
      { body: { name: 'k', roles: ['EI Admin'], expiry: 'tomorrow' } },
      400,
      'API_KEY_EXPIRY_INVALID',
    ],
    ['huge role name', 'POST', '/iam/roles', { body: { name: big, permissions: [] } }, 400, 'VALIDATION_FAILED'],
    ['unknown permission', 'POST', '/iam/roles', { body: { name: 'r', permissions: ['Root'] } }, 400, 'PERMISSION_UNKNOWN'],
    ['huge username', 'POST', '/iam/users', { body: { username: big, password: 'password-1' } }, 400, 'VALIDATION_FAILED'],
    ['short password', 'POST', '/iam/users', { body: { username: 'short-pw', password: 'x' } }, 400, 'PASSWORD_TOO_WEAK'],
    [
      'bad connectionType',
      'POST',
      '/nbapi/ei/v1/assetTypes',
      { body: { name: 'a', connectionType: 'CARRIER_PIGEON' } },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'dataModel not an object',
      'POST',
      '/nbapi/ei/v1/assetTypes',
      { body: { name: 'a', connectionType: 'MQTT', dataModel: 'x' } },
      400,
      'VALIDATION_FAILED',
    ],
    ['huge asset type name', 'POST', '/nbapi/ei/v1/assetTypes', { body: { name: big, connectionType: 'MQTT' } }, 400, 'VALIDATION_FAILED'],
    [
      'body over 1 MiB',
      'POST',
      '/nbapi/ei/v1/assetTypes',
      { body: { name: 'a', connectionType: 'MQTT', config: { x: 'y'.repeat(1_100_000) } } },
      413,
      'BODY_TOO_LARGE',
    ],
    [
      'unsupported content type',
      'POST',
      '/nbapi/ei/v1/assetTypes',
      { body: '<xml/>', headers: { 'content-type': 'application/xml' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['page = 0', 'GET', '/nbapi/ei/v1/agents?page=0', {}, 400, 'VALIDATION_FAILED'],
    ['size too big', 'GET', '/nbapi/ei/v1/assetTypes?size=201', {}, 400, 'VALIDATION_FAILED'],
    ['size not a number', 'GET', '/nbapi/ei/v1/assetTypes?size=abc', {}, 400, 'VALIDATION_FAILED'],
    ['unknown query parameter', 'GET', '/nbapi/ei/v1/agents?foo=1', {}, 400, 'VALIDATION_FAILED'],
    ['bad audit time', 'GET', '/iam/audit?from=yesterday', {}, 400, 'AUDIT_QUERY_INVALID'],
    ['non-UUID user id', 'GET', '/iam/users/not-a-uuid', {}, 400, 'VALIDATION_FAILED'],
    ['non-UUID asset type id', 'GET', '/nbapi/ei/v1/assetTypes/not-a-uuid', {}, 404, 'ASSET_TYPE_NOT_FOUND'],
    ['long asset type id', 'GET', `/nbapi/ei/v1/assetTypes/${'z'.repeat(500)}`, {}, 400, 'VALIDATION_FAILED'],
    [
      'odd characters in an id',
      'DELETE',
      `/nbapi/ei/v1/agents/${encodeURIComponent("'; drop table agents; --")}`,
      {},
      404,
      'AGENT_NOT_FOUND',
    ],
    ['percent garbage in an id', 'GET', '/iam/api-keys/%E0%A4%A', {}, 400, 'VALIDATION_FAILED'],
    ['unknown session id', 'DELETE', '/iam/sessions/nope', {}, 404, 'SESSION_NOT_FOUND'],
    ['x-tenant-id garbage', 'GET', '/nbapi/ei/v1/agents', { tenant: 'x'.repeat(5000) }, 400, 'TENANT_HEADER_INVALID'],
    [
      'number where a string belongs (not coerced)',
      'POST',
      '/iam/api-keys',
      { body: { name: 5, roles: ['EI Admin'] } },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'string where an array belongs (not coerced)',
      'POST',
      '/iam/api-keys',
      { body: { name: 'coerced', roles: 'EI Admin' } },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'boolean where a string belongs (not coerced)',
      'POST',
      '/nbapi/ei/v1/assetTypes',
      { body: { name: true, connectionType: 'MQTT' } },
      400,
      'VALIDATION_FAILED',
    ],
    ['unknown route', 'GET', '/nbapi/ei/v2/agents', {}, 404, 'ROUTE_NOT_FOUND'],
    ['wrong method', 'PATCH', '/nbapi/ei/v1/agents', {}, 404, 'ROUTE_NOT_FOUND'],
  ];

  it.each(cases)('%s: %s %s', async (_name, method, url, c, status, code) => {
    const res = await t.req(method as 'GET', url, {
      token: admin,
      tenant: c.tenant === undefined ? tenantId : (c.tenant ?? undefined),
      body: c.body,
      headers: c.headers,
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(status);
    expect(res.json()).toMatchObject({ status, code });
    expect(res.body.length).toBeLessThan(2000);
  });

  it('the token endpoint answers malformed input in its own envelope, never 5xx', async () => {
    for (const body of [
      '{',
      '[]',
      '"x"',
      'null',
      JSON.stringify({ grant_type: 5 }),
      JSON.stringify({ username: 'a'.repeat(100_000), password: 'b' }),
    ]) {
      const res = await t.req('POST', '/iam/auth/token', { body, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode, body.slice(0, 20)).toBeLessThan(500);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.json()).toHaveProperty('error');
    }
    const basic = await t.req('POST', '/iam/auth/token', {
      body: { grant_type: 'client_credentials' },
      headers: { authorization: 'Basic %%%not-base64' },
    });
    expect(basic.statusCode).toBe(401);
    const pct = await t.req('POST', '/iam/auth/token', {
      body: { grant_type: 'client_credentials' },
      headers: { authorization: `Basic ${Buffer.from('%E0%A4%A:x').toString('base64')}` },
    });
    expect(pct.statusCode).toBeLessThan(500);
  });

  it('nothing half-written: an API key create that fails on an unknown role leaves no key and no audit row', async () => {
    await t.server.services.auditBuffer.flush();
    const before = (await t.req('GET', '/iam/audit', { token: admin, tenant: tenantId })).json().total as number;
    const res = await t.req('POST', '/iam/api-keys', {
      token: admin,
      tenant: tenantId,
      body: { name: 'half-written', roles: ['EI Admin', 'No Such Role'] },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('ROLE_NOT_FOUND');
    const keys = (await t.req('GET', '/iam/api-keys', { token: admin, tenant: tenantId })).json().value as { name: string }[];
    expect(keys.map((k) => k.name)).not.toContain('half-written');
    const audit = (await t.req('GET', '/iam/audit', { token: admin, tenant: tenantId })).json();
    expect(audit.total).toBe(before);
    expect(await t.server.deps.store.apiKeys.findByName(tenantId, 'half-written')).toBeUndefined();
  });

  it('nothing half-written: a user create with a taken name keeps no second user, assignment or audit row', async () => {
    const u = await t.createUser(tenantId, ['Operator']);
    await t.server.services.auditBuffer.flush(); // denied-access events are batched: write them before counting
    const before = (await t.req('GET', '/iam/audit', { token: admin, tenant: tenantId })).json().total as number;
    const assignmentsBefore = (await t.server.deps.store.assignments.listForTenant(tenantId)).length;
    const res = await t.req('POST', '/iam/users', {
      token: admin,
      tenant: tenantId,
      body: { username: u.username.toUpperCase(), password: 'password-1', roles: ['EI Admin'] },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('USERNAME_TAKEN');
    expect((await t.req('GET', '/iam/audit', { token: admin, tenant: tenantId })).json().total).toBe(before);
    expect((await t.server.deps.store.assignments.listForTenant(tenantId)).length).toBe(assignmentsBefore);
  });

  it('a duplicate API key name answers 409 and keeps the first key working', async () => {
    const k = await t.createApiKey(tenantId, ['Operator'], { name: 'dup-key' });
    const res = await t.req('POST', '/iam/api-keys', { token: admin, tenant: tenantId, body: { name: 'DUP-KEY', roles: ['EI Admin'] } });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('API_KEY_NAME_TAKEN');
    await t.keyLogin(k.clientId, k.secret);
  });
});

describe('configuration errors', () => {
  it.each([
    [{ LATCH_PORT: 'abc' }, /^Invalid LATCH_PORT="abc": must be an integer between 0 and 65535$/],
    [{ LATCH_PORT: '70000' }, /LATCH_PORT="70000".*between 0 and 65535/],
    [{ LATCH_PORT: '-1' }, /LATCH_PORT/],
    [{ LATCH_ACCESS_TOKEN_TTL: '5' }, /LATCH_ACCESS_TOKEN_TTL="5": must be an integer between 30 and 86400/],
    [{ LATCH_DATABASE_URL: 'mysql://x' }, /LATCH_DATABASE_URL.*postgres:\/\//],
    [{ LATCH_SIGNING_ALG: 'HS256' }, /LATCH_SIGNING_ALG="HS256": must be one of ES256, RS256, EdDSA/],
    [{ LATCH_LOG_LEVEL: 'loud' }, /LATCH_LOG_LEVEL/],
    [{ LATCH_TLS_SELF_SIGNED: 'maybe' }, /LATCH_TLS_SELF_SIGNED.*true or false/],
    [{ LATCH_TLS_CERT: '/x.pem' }, /LATCH_TLS_CERT and LATCH_TLS_KEY must be given together/],
    [{ LATCH_ISSUER: 'latch' }, /^Invalid LATCH_ISSUER="latch": must be a URL such as https:\/\/latch.example.com$/],
    [{ LATCH_ISSUER: 'ftp://latch.example.com' }, /LATCH_ISSUER.*http\(s\) URL without query or fragment/],
    [{ LATCH_ISSUER: 'https://latch.example.com/?realm=x' }, /LATCH_ISSUER.*without query or fragment/],
    [{ LATCH_ISSUER: 'https://latch.example.com/#x' }, /LATCH_ISSUER.*without query or fragment/],
  ] as [Record<string, string>, RegExp][])('%o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('LATCH_ISSUER: a URL, kept as given but for a trailing slash; unset, the issuer is decided on start', () => {
    expect(loadConfig({ LATCH_ISSUER: 'https://latch.example.com/' }).issuer).toBe('https://latch.example.com');
    expect(loadConfig({ LATCH_ISSUER: 'http://10.0.0.5:8080/latch' }).issuer).toBe('http://10.0.0.5:8080/latch');
    expect(loadConfig({}).issuer).toBeUndefined();
  });

  it('flags override the environment and are reported by flag name', () => {
    expect(loadConfig({ LATCH_PORT: '1234' }, { port: '0' }).port).toBe(0);
    expect(() => loadConfig({}, { port: 'x' })).toThrow(/^Invalid --port "x"/);
  });

  it('defaults match DESIGN.md', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, accessTokenTtl: 300, refreshTokenTtl: 1800, signingAlg: 'ES256' });
  });

  it('a wrong master key for an existing database fails with a clear message', async () => {
    const { startServer } = await import('../../src/main.js');
    const { testConfig, silentLogger, pgSchema, PG_URL } = await import('../harness.js');
    const { schema, drop } = pgSchema();
    try {
      const a = await startServer(testConfig(), {
        listen: false,
        target: { kind: 'postgres', url: PG_URL, schema },
        log: silentLogger(),
        print: () => undefined,
      });
      await a.close();
      await expect(
        startServer(testConfig(), {
          listen: false,
          target: { kind: 'postgres', url: PG_URL, schema },
          log: silentLogger(),
          print: () => undefined,
        }),
      ).rejects.toThrow(/master key does not match/);
    } finally {
      await drop();
    }
  });
});
