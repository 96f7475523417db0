import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/main.js';
import { Capture, makeTestApp, type TestApp } from '../harness.js';

/** No secret ever reaches a log line (DESIGN), even at level trace. */
let t: TestApp;
const capture = new Capture();
const secrets = new Set<string>();
const keep = (...s: (string | undefined)[]) => s.forEach((x) => x && secrets.add(x));

beforeAll(async () => {
  t = await makeTestApp({ log: createLogger('trace', capture) });
});
afterAll(async () => t?.close());

describe('secrets never logged', () => {
  it('a full scenario at level trace writes none of the secrets, passwords or tokens', async () => {
    keep(t.admin.password);
    const adminPair = await t.login(t.admin.username, t.admin.password);
    keep(adminPair.access_token, adminPair.refresh_token);
    const admin = adminPair.access_token;
    const tenant = await t.createTenant(undefined, { ei: true });
    const user = await t.createUser(tenant.id, ['EI Admin'], { password: 'user-password-secret-1' });
    keep(user.password);
    const key = await t.createApiKey(tenant.id, ['EI Admin']);
    const key2 = await t.createApiKey(tenant.id, ['Operator']);
    keep(key.secret, key2.secret);

    // every grant, JSON and form, Basic client auth
    const cc = await t.keyLogin(key.clientId, key.secret);
    const pw = await t.login(user.username, user.password);
    const viaPw = await t.login(key2.clientId, key2.secret);
    const form = await t.req('POST', '/iam/auth/token', {
      body: new URLSearchParams({ username: user.username, password: user.password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const basic = await t.req('POST', '/iam/auth/token', {
      body: { grant_type: 'client_credentials' },
      headers: { authorization: `Basic ${Buffer.from(`${key.clientId}:${key.secret}`).toString('base64')}` },
    });
    for (const p of [cc, pw, viaPw, form.json(), basic.json()]) keep(p.access_token, p.refresh_token);
    const refreshed = (await t.token({ grant_type: 'refresh_token', refresh_token: pw.refresh_token })).json();
    keep(refreshed.access_token, refreshed.refresh_token);
    // reuse of a spent refresh token, garbage tokens, failed logins
    await t.token({ grant_type: 'refresh_token', refresh_token: pw.refresh_token });
    await t.token({ username: user.username, password: 'wrong-password-secret-2' });
    await t.token({ username: 'nobody', password: 'wrong-password-secret-3' });
    await t.token({ grant_type: 'client_credentials', client_id: key.clientId, client_secret: key2.secret });
    keep('wrong-password-secret-2', 'wrong-password-secret-3');
    // invalid JSON carrying a secret
    await t.req('POST', '/iam/auth/token', { body: `{"password":"${user.password}"`, headers: { 'content-type': 'application/json' } });
    // NB calls with every token kind, the legacy header, and a failing one
    for (const tok of [admin, cc.access_token, viaPw.access_token, refreshed.access_token]) {
      await t.req('GET', '/nbapi/ei/v1/agents', { token: tok, tenant: tenant.id });
      await t.req('GET', '/nbapi/ei/v1/agents', { headers: { 'x-access-token': tok, 'x-tenant-id': tenant.id } });
      await t.req('GET', '/iam/users/me', { token: tok });
    }
    await t.req('POST', '/nbapi/ei/v1/assetTypes', {
      token: cc.access_token,
      tenant: tenant.id,
      body: { name: 'x', connectionType: 'MQTT' },
    });
    await t.req('GET', '/nbapi/ei/v1/agents', { token: viaPw.access_token, tenant: tenant.id });
    await t.req('GET', `/nbapi/ei/v1/agents?access_token=${cc.access_token}`, { token: cc.access_token, tenant: tenant.id });
    // credentials in the query string (some OAuth clients send them there)
    await t.req(
      'POST',
      `/iam/auth/token?grant_type=client_credentials&client_id=${encodeURIComponent(key.clientId)}&client_secret=${key.secret}`,
      { body: {} },
    );
    await t.req('GET', `/iam/users/me?Access_Token=${cc.access_token}&x=1`);
    // a user created with a body that fails validation, echoing a password
    await t.req('POST', '/iam/users', {
      token: admin,
      tenant: tenant.id,
      body: { username: 'v', password: 'validation-secret-4', bogus: true },
    });
    keep('validation-secret-4');
    // logout, revocation
    await t.req('POST', '/iam/auth/logout', { body: { refresh_token: cc.refresh_token } });
    await t.req('DELETE', `/iam/api-keys/${key2.name}`, { token: admin, tenant: tenant.id });
    await t.req('POST', '/iam/auth/logout', { token: admin });
    await t.server.services.auditBuffer.flush();

    const log = capture.text;
    expect(log.length).toBeGreaterThan(1000); // trace logging did happen
    expect(log.split('\n').length).toBeGreaterThan(30); // a line per request at least
    // if a URL with a query is logged at all, credential parameters in it are redacted
    expect(log).not.toMatch(/(client_secret|access_token|Access_Token)=(?!\[redacted\])/);
    const leaked = [...secrets].filter((s) => log.includes(s));
    expect(leaked).toEqual([]);
    // nor their digest-relevant halves: the random part of a Latch secret
    const parts = [...secrets].filter((s) => s.startsWith('latch_')).map((s) => s.slice(9, 40));
    expect(parts.filter((p) => log.includes(p))).toEqual([]);
  });
});
