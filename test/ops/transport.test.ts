import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/main.js';
import { loadConfig } from '../../src/config.js';
import { Capture, makeTestApp, type TestApp } from '../harness.js';

/**
 * Issue 11, items 1 and 5, at the connection: no request bytes in any log (even at trace), slow
 * clients cut off, `Expect: 100-continue` honoured only for a body that fits, security headers on
 * every face, CORS only for configured origins.
 */

interface Raw {
  /** Everything the server wrote before closing (or until `waitMs`). */
  text: string;
  ms: number;
  closed: boolean;
}

/** Writes `chunks` (a string, or a list sent `gapMs` apart) on a fresh connection and reads the answer until the server closes it. */
function raw(port: number, chunks: string | string[], o: { gapMs?: number; waitMs?: number } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const sock = net.connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(drip);
      sock.destroy();
      resolve({ text, ms: Date.now() - started, closed });
    };
    sock.on('data', (d) => (text += d.toString('latin1')));
    sock.on('close', () => finish(true));
    sock.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? finish(true) : reject(e)));
    const list = typeof chunks === 'string' ? [chunks] : [...chunks];
    sock.write(list.shift()!);
    const drip = setInterval(() => {
      if (list.length > 0 && !sock.destroyed) sock.write(list.shift()!);
    }, o.gapMs ?? 50);
    const timer = setTimeout(() => finish(false), o.waitMs ?? 5000);
  });
}

/** The forms a secret could take in a log line: text, base64, and a Buffer's / typed array's list of byte values. */
function forms(secret: string): string[] {
  const bytes = [...Buffer.from(secret)];
  return [secret, Buffer.from(secret).toString('base64'), bytes.join(','), bytes.join(', '), bytes.slice(0, 12).join(',')];
}

describe.each(['sqlite', 'postgres'] as const)('connection hardening (%s)', (dialect) => {
  let t: TestApp;
  let port: number;
  const log = new Capture();

  beforeAll(async () => {
    t = await makeTestApp({ dialect, log: createLogger('trace', log), env: { LATCH_REQUEST_TIMEOUT: '1' } });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as net.AddressInfo).port;
  });
  afterAll(async () => t?.close());

  it('never logs request bytes at trace: a bearer token beside a 20 KB header, a body with broken chunked framing, Basic credentials', async () => {
    const bearer = 'eyJhbGciOiJFUzI1NiJ9.bearer-secret-token-1234567890.sig';
    const password = 'password-in-broken-chunked-body-42';
    const clientSecret = 'latch_ak_clientsecretinbrokenchunk99';
    const basic = Buffer.from('client-id-7:basic-secret-in-a-bad-request').toString('base64');
    const before = log.text.length;

    // 431: the header block overflows (Node's default limit is 16 KB)
    const overflow = await raw(
      port,
      `GET /iam/users/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bearer}\r\nx-pad: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(overflow.text).toMatch(/^HTTP\/1\.1 431 /);
    expect(overflow.text).toContain('"code":"HEADERS_TOO_LARGE"');
    // 400: a chunk size that is not hex, after a body carrying a password and a client secret
    const body = JSON.stringify({ username: 'admin', password, client_secret: clientSecret });
    const chunked = await raw(
      port,
      `POST /iam/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `${body.length.toString(16)}\r\n${body}\r\nzz-not-hex\r\n${body}\r\n0\r\n\r\n`,
    );
    expect(chunked.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(chunked.text).toContain('"code":"REQUEST_MALFORMED"');
    // 400: a malformed request line after Basic credentials
    const bad = await raw(port, `POST /iam/auth/token HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${basic}\r\nContent-Length: abc\r\n\r\n`);
    expect(bad.text).toMatch(/^HTTP\/1\.1 400 /);
    for (const r of [overflow, chunked, bad]) {
      expect(r.closed).toBe(true);
      expect(r.text).toMatch(/\r\nx-content-type-options: nosniff\r\n/i);
    }

    const written = log.text.slice(before);
    expect(written).toMatch(/client error/); // the handler did log, at debug
    const leaked = [bearer, password, clientSecret, basic, 'basic-secret-in-a-bad-request']
      .flatMap(forms)
      .filter((s) => written.includes(s));
    expect(leaked).toEqual([]);
    expect(written).not.toContain('rawPacket');
    expect(written).not.toMatch(/"data":\[\d/); // no Buffer written as {"type":"Buffer","data":[…]}
  });

  it('cuts off a slow body: 100 KB declared, a byte every 300 ms, answered 408 and closed after the 1 s request timeout', async () => {
    const head = `POST /iam/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`;
    const r = await raw(port, [head, ...Array.from({ length: 30 }, () => ' ')], { gapMs: 300, waitMs: 6000 });
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(4000);
    expect(r.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(r.text).toContain('"code":"REQUEST_TIMEOUT"');
  });

  it('cuts off headers sent a byte at a time', async () => {
    const head = 'GET /healthz HTTP/1.1\r\nHost: x\r\nx-slow: ';
    const r = await raw(port, [head, ...Array.from({ length: 30 }, () => 'a')], { gapMs: 300, waitMs: 6000 });
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(4000);
    expect(r.text).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('Expect: 100-continue with a 5 MB Content-Length gets 413 and never 100 Continue', async () => {
    const r = await raw(
      port,
      `POST /iam/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n`,
      { waitMs: 1500 },
    );
    expect(r.text).not.toContain('100 Continue');
    expect(r.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.text).toContain('"error":"invalid_request"');
  });

  it('Expect: 100-continue with a body that fits gets 100 Continue, then the answer', async () => {
    const body = JSON.stringify({ username: 'nobody', password: 'wrong-password-1' });
    const sock = net.connect(port, '127.0.0.1');
    let text = '';
    let sent = false;
    sock.on('data', (d) => {
      text += d.toString();
      if (!sent && text.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
        sent = true;
        sock.write(body);
      }
    });
    sock.write(
      `POST /iam/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    );
    await new Promise((r) => sock.on('close', r));
    expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 401 /);
  });
});

describe('security headers and CORS', () => {
  let t: TestApp;
  let withCors: TestApp;
  const ORIGIN = 'https://console.example.com';

  beforeAll(async () => {
    t = await makeTestApp();
    withCors = await makeTestApp({ env: { LATCH_CORS_ORIGINS: `${ORIGIN}, https://other-console.example.com:8443` } });
  });
  afterAll(async () => {
    await t?.close();
    await withCors?.close();
  });

  const tenantNil = '00000000-0000-4000-8000-000000000000';
  /** One request per face, answered and refused. */
  const probes: [face: string, method: 'GET' | 'POST', url: string][] = [
    ['iam', 'GET', '/iam/users/me'],
    ['iam (404)', 'GET', '/no/such/route'],
    ['EI', 'GET', '/nbapi/ei/v1/agents'],
    ['token', 'POST', '/iam/auth/token'],
    ['ARM', 'GET', `/subscriptions/${tenantNil}/providers/Microsoft.Devices/IotHubs?api-version=2023-06-30`],
    ['Central', 'GET', '/central/no-such-app/api/apiTokens?api-version=2022-07-31'],
    ['data plane', 'GET', '/$latch/sas/whoami'],
    ['ops', 'GET', '/healthz'],
    ['docs', 'GET', '/openapi.json'],
  ];

  it.each(probes)('%s: nosniff, no-referrer, never framed, and no CORS header by default', async (_face, method, url) => {
    for (const token of [undefined, await t.adminToken()]) {
      const res = await t.req(method, url, { token, headers: { origin: ORIGIN }, body: method === 'POST' ? {} : undefined });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toBe("frame-ancestors 'none'");
      expect(res.headers['strict-transport-security']).toBeUndefined(); // plain http
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('no preflight answer by default', async () => {
    const res = await t.req('OPTIONS', '/iam/users/me', { headers: { origin: ORIGIN, 'access-control-request-method': 'GET' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('an allowed origin gets CORS headers on a call and on a preflight; another origin gets none', async () => {
    const token = await withCors.adminToken();
    const ok = await withCors.req('GET', '/iam/users/me', { token, headers: { origin: ORIGIN } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(ok.headers.vary).toMatch(/origin/i);

    const pre = await withCors.req('OPTIONS', '/iam/api-keys', {
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, x-tenant-id' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(String(pre.headers['access-control-allow-methods'])).toContain('POST');
    expect(String(pre.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');

    const other = await withCors.req('GET', '/iam/users/me', { token, headers: { origin: 'https://evil.example.com' } });
    expect(other.statusCode).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const otherPre = await withCors.req('OPTIONS', '/iam/api-keys', {
      headers: { origin: 'https://console.example.com.evil.example', 'access-control-request-method': 'POST' },
    });
    expect(otherPre.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('log serializer', () => {
  it('drops rawPacket and every byte array from a logged error, at trace', () => {
    const capture = new Capture();
    const secret = 'Authorization: Bearer serializer-secret-1';
    const err = Object.assign(new Error('Parse Error'), {
      code: 'HPE_INVALID_CHUNK_SIZE',
      rawPacket: Buffer.from(secret),
      bytes: new Uint8Array(Buffer.from(secret)),
    });
    createLogger('trace', capture).trace({ err }, 'client error');
    expect(capture.text).toContain('HPE_INVALID_CHUNK_SIZE');
    expect(forms(secret).filter((s) => capture.text.includes(s))).toEqual([]);
  });
});

describe('Cache-Control: no-store on every answer carrying a secret or key (the noStore route flag)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp();
  });
  afterAll(async () => t?.close());

  it('token endpoint, /iam/users/me, API key create, ARM listkeys (both) and per-key listkeys, Central token create', async () => {
    const admin = await t.adminToken();
    const tenant = (await t.createTenant(undefined, { ei: true })).id;
    const hub = `/subscriptions/${tenant}/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/nsh${Date.now()}`;
    const v = '?api-version=2023-06-30';
    expect((await t.req('PUT', hub + v, { token: admin, body: { location: 'westus', sku: { name: 'S1' } } })).statusCode).toBe(201);
    const appUrl = `/subscriptions/${tenant}/resourceGroups/rg/providers/Microsoft.IoTCentral/iotApps/nsa${Date.now()}?api-version=2021-06-01`;
    const app = await t.req('PUT', appUrl, { token: admin, body: { location: 'westus', sku: { name: 'ST1' } } });
    const appId = (app.json() as { properties: { applicationId: string } }).properties.applicationId;

    const secretAnswers = [
      await t.token({ username: t.admin.username, password: t.admin.password }),
      await t.token({ username: t.admin.username, password: 'wrong-password-x' }),
      await t.req('GET', '/iam/users/me', { token: admin }),
      await t.req('POST', '/iam/api-keys', { token: admin, tenant, body: { name: `k${Date.now()}`, roles: ['Operator'] } }),
      await t.req('POST', `${hub}/listkeys${v}`, { token: admin }),
      await t.req('GET', `${hub}/listkeys${v}`, { token: admin }),
      await t.req('POST', `${hub}/IotHubKeys/iothubowner/listkeys${v}`, { token: admin }),
      await t.req('PUT', `/central/${appId}/api/apiTokens/nst${Date.now()}?api-version=2022-07-31`, {
        token: admin,
        body: { roles: [{ role: 'ca310b8d-2f4a-44e0-a36e-957c202cd8d4' }] },
      }),
    ];
    expect(secretAnswers.map((r) => [r.statusCode, r.headers['cache-control']])).toEqual([
      [200, 'no-store'],
      [401, 'no-store'],
      [200, 'no-store'],
      [201, 'no-store'],
      [200, 'no-store'],
      [200, 'no-store'],
      [200, 'no-store'],
      [200, 'no-store'],
    ]);
    // an answer without a secret is not marked
    expect((await t.req('GET', '/iam/api-keys', { token: admin, tenant })).headers['cache-control']).toBeUndefined();
  });
});

describe('LATCH_CORS_ORIGINS and LATCH_REQUEST_TIMEOUT', () => {
  it('take exact origins only, and a timeout in whole seconds', () => {
    expect(loadConfig({ LATCH_CORS_ORIGINS: 'https://a.example.com, http://localhost:5173' }).corsOrigins).toEqual([
      'https://a.example.com',
      'http://localhost:5173',
    ]);
    expect(loadConfig({}).corsOrigins).toEqual([]);
    for (const bad of ['*', 'https://a.example.com/console', 'a.example.com', 'ftp://a.example.com'])
      expect(() => loadConfig({ LATCH_CORS_ORIGINS: bad })).toThrow(/^Invalid LATCH_CORS_ORIGINS/);
    expect(loadConfig({}).requestTimeout).toBe(30);
    expect(() => loadConfig({ LATCH_REQUEST_TIMEOUT: '0' })).toThrow(/^Invalid LATCH_REQUEST_TIMEOUT/);
  });
});
