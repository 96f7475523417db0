import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../../harness.js';
import { API, central, createCentralApp, createToken, ROLES, type CentralTestApp } from './helpers.js';

/**
 * spec/iot-central-api-tokens.md over HTTP: every row of §8, the bad inputs, and that a failed
 * call writes nothing. Both dialects.
 */
describe.each(['sqlite', 'postgres'] as const)('IoT Central data plane on the wire (%s)', (dialect) => {
  let t: TestApp;
  let app: CentralTestApp;
  let admin: string;
  let operator: string;
  let bearer: string;

  beforeAll(async () => {
    t = await makeTestApp({ dialect });
    app = await createCentralApp(t, { subdomain: `wire-${dialect}` });
    bearer = `Bearer ${await t.adminToken()}`;
    admin = await createToken(t, app.id, 'ci-admin', [{ role: ROLES.admin }]);
    operator = await createToken(t, app.id, 'ci-operator', [{ role: ROLES.operator }]);
    expect((await central(t, 'PUT', app.id, 'organizations/plant-7', { auth: admin, body: { displayName: 'Plant 7' } })).statusCode).toBe(
      200,
    );
  });
  afterAll(async () => t?.close());

  const tokenIds = async () =>
    ((await central(t, 'GET', app.id, 'apiTokens', { auth: admin })).json() as { value: { id: string }[] }).value.map((x) => x.id).sort();
  const auditCount = async (action: string) => {
    await t.server.services.auditBuffer.flush();
    return (await t.server.deps.store.audit.query(app.tenantId, { offset: 0, limit: 1000, action })).total;
  };
  function expectError(res: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number, code: string) {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-ms-error-code']).toBe(code);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toEqual({
      code,
      message: expect.any(String),
      requestId: expect.any(String),
      time: expect.stringMatching(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/),
    });
  }

  it('creates a token: 200, exactly id/roles/expiry/token, the token in the observed format, shown once', async () => {
    const res = await central(t, 'PUT', app.id, 'apiTokens/ci-org-viewer', {
      auth: admin,
      body: { roles: [{ role: ROLES.orgViewer, organization: 'plant-7' }] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const b = res.json();
    expect(Object.keys(b).sort()).toEqual(['expiry', 'id', 'roles', 'token']);
    expect(b).toMatchObject({ id: 'ci-org-viewer', roles: [{ role: ROLES.orgViewer, organization: 'plant-7' }] });
    expect(b.expiry).toBe(new Date(t.clock.now() + 365 * 86_400_000).toISOString());
    const m = /^SharedAccessSignature sr=([0-9a-f-]{36})&sig=([A-Za-z0-9%]+)&skn=ci-org-viewer&se=(\d{13})$/.exec(b.token);
    expect(m?.[1]).toBe(app.id);
    expect(Number(m![3])).toBe(Date.parse(b.expiry));
    const show = await central(t, 'GET', app.id, 'apiTokens/ci-org-viewer', { auth: admin });
    expect(show.json()).toEqual({ id: 'ci-org-viewer', roles: [{ role: ROLES.orgViewer, organization: 'plant-7' }], expiry: b.expiry });
    const list = (await central(t, 'GET', app.id, 'apiTokens', { auth: admin })).json();
    expect(Object.keys(list)).toEqual(['value']);
    expect(list.value).toContainEqual({
      id: 'ci-org-viewer',
      roles: [{ role: ROLES.orgViewer, organization: 'plant-7' }],
      expiry: b.expiry,
    });
    expect(list.value).toContainEqual({ id: 'ci-admin', roles: [{ role: ROLES.admin }], expiry: expect.any(String) });
    expect(JSON.stringify(list)).not.toContain('SharedAccessSignature');
  });

  it('accepts an explicit expiry in the future and echoes it in millisecond ISO form; the token expires with it (injected clock)', async () => {
    const at = new Date(t.clock.now() + 60_000).toISOString().replace('.000Z', 'Z');
    const res = await central(t, 'PUT', app.id, 'apiTokens/short-lived', {
      auth: admin,
      body: { roles: [{ role: ROLES.operator }], expiry: at },
    });
    expect(res.statusCode).toBe(200);
    const tok = res.json().token as string;
    expect(res.json().expiry).toBe(new Date(Date.parse(at)).toISOString());
    expect((await central(t, 'GET', app.id, 'roles', { auth: tok })).statusCode).toBe(200);
    t.clock.advance(60_000);
    expectError(await central(t, 'GET', app.id, 'roles', { auth: tok }), 401, 'Unauthenticated');
    expect((await central(t, 'DELETE', app.id, 'apiTokens/short-lived', { auth: admin })).statusCode).toBe(204);
  });

  it('deletes with 204 and an empty body; the token is refused at once, and its refused uses are audited', async () => {
    const tok = await createToken(t, app.id, 'to-delete', [{ role: ROLES.operator }], admin);
    expect((await central(t, 'GET', app.id, 'organizations', { auth: tok })).statusCode).toBe(200);
    const before = await auditCount('central_api_token.rejected');
    const del = await central(t, 'DELETE', app.id, 'apiTokens/to-delete', { auth: admin });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expectError(await central(t, 'GET', app.id, 'organizations', { auth: tok }), 401, 'Unauthenticated');
    expect(await auditCount('central_api_token.rejected')).toBe(before + 1);
    expect(await auditCount('central_api_token.created')).toBeGreaterThanOrEqual(3);
    expect(await auditCount('central_api_token.deleted')).toBeGreaterThanOrEqual(1);
    // the same id again, even with the same expiry, never revives the old string
    const at = new Date(t.clock.now() + 86_400_000).toISOString();
    const a = (
      await central(t, 'PUT', app.id, 'apiTokens/revive', { auth: admin, body: { roles: [{ role: ROLES.operator }], expiry: at } })
    ).json().token as string;
    expect((await central(t, 'DELETE', app.id, 'apiTokens/revive', { auth: admin })).statusCode).toBe(204);
    const b = (
      await central(t, 'PUT', app.id, 'apiTokens/revive', { auth: admin, body: { roles: [{ role: ROLES.operator }], expiry: at } })
    ).json().token as string;
    expect(b).not.toBe(a);
    expectError(await central(t, 'GET', app.id, 'roles', { auth: a }), 401, 'Unauthenticated');
    expect((await central(t, 'GET', app.id, 'roles', { auth: b })).statusCode).toBe(200);
  });

  it("a token answered from memory (verified before) still gets each route's api-version and permission check, and its denials are audited", async () => {
    const tok = await createToken(t, app.id, 'hot-operator', [{ role: ROLES.operator }], admin);
    for (let i = 0; i < 3; i++) expect((await central(t, 'GET', app.id, 'organizations', { auth: tok })).statusCode).toBe(200);
    const denied = await auditCount('access.denied');
    expectError(await central(t, 'GET', app.id, 'apiTokens', { auth: tok }), 403, 'Forbidden');
    expect(await auditCount('access.denied')).toBe(denied + 1);
    expectError(await central(t, 'GET', app.id, 'organizations', { auth: tok, query: '' }), 400, 'BadRequest');
    expectError(await central(t, 'GET', app.id, 'organizations', { auth: tok, query: 'api-version=2019-01-01' }), 400, 'BadRequest');
    // the same token by the app's host label: the same caller
    const byHost = await t.app.inject({
      method: 'GET',
      url: `/api/organizations?${API}`,
      headers: { authorization: tok, host: `${app.subdomain}.${t.server.services.centralApps.hostSuffix}` },
    });
    expect(byHost.statusCode).toBe(200);
    expect((await central(t, 'DELETE', app.id, 'apiTokens/hot-operator', { auth: admin })).statusCode).toBe(204);
    expectError(await central(t, 'GET', app.id, 'organizations', { auth: tok }), 401, 'Unauthenticated');
  });

  it('lists the six built-in roles with their fixed GUIDs', async () => {
    const res = await central(t, 'GET', app.subdomain, 'roles', { auth: operator });
    expect(res.statusCode).toBe(200);
    expect(res.json().value).toEqual([
      { id: ROLES.admin, displayName: 'Administrator' },
      { id: ROLES.builder, displayName: 'Builder' },
      { id: ROLES.operator, displayName: 'Operator' },
      { id: ROLES.orgAdmin, displayName: 'Org Admin' },
      { id: ROLES.orgOperator, displayName: 'Org Operator' },
      { id: ROLES.orgViewer, displayName: 'Org Viewer' },
    ]);
    expect((await central(t, 'GET', app.subdomain, `roles/${ROLES.orgAdmin}`, { auth: operator })).json()).toEqual({
      id: ROLES.orgAdmin,
      displayName: 'Org Admin',
    });
  });

  it('is addressed by the host label (subdomain or application id, any port) as by /central/{app}', async () => {
    for (const host of [
      `${app.subdomain}.azureiotcentral.com`,
      `${app.subdomain.toUpperCase()}.azureiotcentral.com:8443`,
      `${app.id}.azureiotcentral.com:443`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/apiTokens?${API}`, headers: { host, authorization: admin } });
      expect(res.statusCode, host).toBe(200);
      expect(res.json().value.map((x: { id: string }) => x.id)).toContain('ci-admin');
    }
    const unknown = await t.app.inject({
      method: 'GET',
      url: `/api/apiTokens?${API}`,
      headers: { host: 'nope.azureiotcentral.com', authorization: admin },
    });
    expectError(unknown, 404, 'NotFound');
  });

  it('pages the list with nextLink (absolute, with api-version) when asked for small pages', async () => {
    const res = await central(t, 'GET', app.id, 'apiTokens', { auth: admin, query: `${API}&maxpagesize=2` });
    const b = res.json();
    expect(b.value).toHaveLength(2);
    expect(b.nextLink).toMatch(
      new RegExp(`^http://localhost(:\\d+)?/central/${app.id}/api/apiTokens\\?api-version=2022-07-31&maxpagesize=2&%24skiptoken=2$`),
    );
    const seen = [...b.value];
    let next: string | undefined = b.nextLink;
    while (next) {
      const u = new URL(next);
      const page = (await t.app.inject({ method: 'GET', url: u.pathname + u.search, headers: { authorization: admin } })).json();
      seen.push(...page.value);
      next = page.nextLink;
    }
    expect(seen.map((x) => x.id).sort()).toEqual(await tokenIds());
  });

  it('accepts the documented api-versions and refuses others or none with 400 BadRequest', async () => {
    for (const v of [
      '2022-07-31',
      '2022-05-31',
      '2022-06-30-preview',
      '2022-10-31-preview',
      '2023-07-01-preview',
      '1.0',
      '1.1-preview',
      '1.2-preview',
    ]) {
      expect((await central(t, 'GET', app.id, 'roles', { auth: operator, query: `api-version=${v}` })).statusCode, v).toBe(200);
    }
    for (const q of ['api-version=2099-01-01', 'api-version=', ''])
      expectError(await central(t, 'GET', app.id, 'roles', { auth: operator, query: q }), 400, 'BadRequest');
  });

  describe('§8: each situation, its status and error.code, and nothing written', () => {
    const bad =
      (body: unknown, id = 'new-token') =>
      async () => {
        const before = await tokenIds();
        const res = await central(t, 'PUT', app.id, `apiTokens/${id}`, { auth: admin, body });
        expectError(res, 400, 'BadRequest');
        expect(await tokenIds()).toEqual(before);
        return res;
      };
    it('missing token: 401 Unauthenticated', async () => expectError(await central(t, 'GET', app.id, 'apiTokens'), 401, 'Unauthenticated'));
    it('malformed token: 401', async () => {
      for (const auth of [
        'SharedAccessSignature garbage',
        'SharedAccessSignature sr=x&sig=y',
        'Basic abc',
        'SharedAccessSignature sr=a&sig=b&skn=ci-admin&se=notanumber',
      ]) {
        expectError(await central(t, 'GET', app.id, 'apiTokens', { auth }), 401, 'Unauthenticated');
      }
    });
    it('tampered signature, expiry or token name: 401', async () => {
      const sig = /sig=([^&]+)/.exec(admin)![1]!;
      const flipped = admin.replace(sig, (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
      const later = admin.replace(/se=(\d+)/, (_, s: string) => `se=${Number(s) + 1}`);
      const swapped = operator.replace('skn=ci-operator', 'skn=ci-admin');
      for (const auth of [flipped, later, swapped]) expectError(await central(t, 'GET', app.id, 'roles', { auth }), 401, 'Unauthenticated');
    });
    it('a token of another app (sr not this app): 401', async () => {
      const other = await createCentralApp(t);
      const otherAdmin = await createToken(t, other.id, 'ci-admin', [{ role: ROLES.admin }]);
      expectError(await central(t, 'GET', app.id, 'apiTokens', { auth: otherAdmin }), 401, 'Unauthenticated');
      expect((await central(t, 'GET', other.id, 'apiTokens', { auth: otherAdmin })).statusCode).toBe(200);
    });
    it('expired token: 401 (injected clock)', async () => {
      const at = new Date(t.clock.now() + 1000).toISOString();
      const tok = (
        await central(t, 'PUT', app.id, 'apiTokens/expiring', { auth: admin, body: { roles: [{ role: ROLES.admin }], expiry: at } })
      ).json().token as string;
      expect((await central(t, 'GET', app.id, 'apiTokens', { auth: tok })).statusCode).toBe(200);
      t.clock.advance(1000);
      expectError(await central(t, 'GET', app.id, 'apiTokens', { auth: tok }), 401, 'Unauthenticated');
    });
    it('role lacks the permission: 403 Forbidden (Operator on apiTokens)', async () => {
      const before = await tokenIds();
      expectError(await central(t, 'GET', app.id, 'apiTokens', { auth: operator }), 403, 'Forbidden');
      expectError(await central(t, 'GET', app.id, 'apiTokens/ci-admin', { auth: operator }), 403, 'Forbidden');
      expectError(
        await central(t, 'PUT', app.id, 'apiTokens/op-made', { auth: operator, body: { roles: [{ role: ROLES.operator }] } }),
        403,
        'Forbidden',
      );
      expectError(await central(t, 'DELETE', app.id, 'apiTokens/ci-admin', { auth: operator }), 403, 'Forbidden');
      expect(await tokenIds()).toEqual(before);
    });
    it('show / delete of an unknown token: 404 NotFound', async () => {
      expectError(await central(t, 'GET', app.id, 'apiTokens/ci-x', { auth: admin }), 404, 'NotFound');
      expectError(await central(t, 'DELETE', app.id, 'apiTokens/ci-x', { auth: admin }), 404, 'NotFound');
      expect((await central(t, 'GET', app.id, 'apiTokens/ci-x', { auth: admin })).json().error.message).toBe(
        "API token 'ci-x' was not found.",
      );
    });
    it('duplicate token id: 409 Conflict, the existing token unchanged', async () => {
      const before = (await central(t, 'GET', app.id, 'apiTokens/ci-operator', { auth: admin })).json();
      expectError(
        await central(t, 'PUT', app.id, 'apiTokens/ci-operator', { auth: admin, body: { roles: [{ role: ROLES.admin }] } }),
        409,
        'Conflict',
      );
      expect((await central(t, 'GET', app.id, 'apiTokens/ci-operator', { auth: admin })).json()).toEqual(before);
      expect((await central(t, 'GET', app.id, 'roles', { auth: operator })).statusCode).toBe(200);
    });
    it('token ids are case-sensitive: CI-OPERATOR is another id', async () => {
      expectError(await central(t, 'GET', app.id, 'apiTokens/CI-OPERATOR', { auth: admin }), 404, 'NotFound');
    });
    it('unknown app: 404 NotFound (path and host), before any credential check', async () => {
      expectError(await central(t, 'GET', 'no-such-app', 'apiTokens', { auth: admin }), 404, 'NotFound');
      expectError(await central(t, 'GET', '00000000-0000-4000-8000-000000000000', 'apiTokens'), 404, 'NotFound');
    });
    it('unknown route under the app: 404 NotFound in the Central envelope', async () =>
      expectError(await central(t, 'GET', app.id, 'devices', { auth: admin }), 404, 'NotFound'));
    it('token id outside ^[0-9a-zA-Z-]{1,40}$: 400', async () => {
      for (const id of ['has_underscore', 'a'.repeat(41), 'dot.ted', '%20sp']) await bad({ roles: [{ role: ROLES.operator }] }, id)();
      expectError(await central(t, 'GET', app.id, 'apiTokens/bad_id', { auth: admin }), 400, 'BadRequest');
      expect(
        (await central(t, 'PUT', app.id, `apiTokens/${'a'.repeat(40)}`, { auth: admin, body: { roles: [{ role: ROLES.operator }] } }))
          .statusCode,
      ).toBe(200);
      expect((await central(t, 'DELETE', app.id, `apiTokens/${'a'.repeat(40)}`, { auth: admin })).statusCode).toBe(204);
    });
    it('unknown role id: 400', bad({ roles: [{ role: '11111111-2222-3333-4444-555555555555' }] }));
    it('org role without organization: 400', bad({ roles: [{ role: ROLES.orgViewer }] }));
    it('app role with an organization: 400', bad({ roles: [{ role: ROLES.operator, organization: 'plant-7' }] }));
    it('unknown organization: 400', bad({ roles: [{ role: ROLES.orgViewer, organization: 'plant-99' }] }));
    it('no roles / empty roles / roles not an array: 400', async () => {
      for (const body of [
        {},
        { roles: [] },
        { roles: 'admin' },
        { roles: [{}] },
        { roles: [{ role: ROLES.admin, extra: 1 }] },
        { roles: [{ role: ROLES.admin }], unknown: true },
      ])
        await bad(body)();
    });
    it('expiry in the past or not a date: 400', async () => {
      for (const expiry of [new Date(t.clock.now() - 1).toISOString(), 'tomorrow', '2031-13-45T00:00:00Z', 12])
        await bad({ roles: [{ role: ROLES.operator }], expiry })();
    });
    it('malformed JSON, or not JSON: 400 / 415, never 5xx', async () => {
      expectError(await central(t, 'PUT', app.id, 'apiTokens/x1', { auth: admin, body: '{"roles":' }), 400, 'BadRequest');
      const res = await t.app.inject({
        method: 'PUT',
        url: `/central/${app.id}/api/apiTokens/x1?${API}`,
        headers: { authorization: admin, 'content-type': 'application/xml' },
        payload: '<roles/>',
      });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('UnsupportedMediaType');
      expect(await tokenIds()).not.toContain('x1');
    });
    it('read-only id and token in the body are ignored', async () => {
      const res = await central(t, 'PUT', app.id, 'apiTokens/ro-fields', {
        auth: admin,
        body: { id: 'other', token: 'x', roles: [{ role: ROLES.operator }] },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().id).toBe('ro-fields');
      expect(res.json().token).toMatch(/skn=ro-fields&/);
    });
  });

  describe('Bearer callers (tenant members)', () => {
    it('IoT Central Administration acts as Administrator', async () => {
      expect((await central(t, 'GET', app.id, 'apiTokens', { auth: bearer })).statusCode).toBe(200);
    });
    it('a member without it: 403 on every route; a non-member: 404 as for an unknown app', async () => {
      const u = await t.createUser(app.tenantId, ['IoT Reader']);
      const reader = `Bearer ${(await t.login(u.username, u.password)).access_token}`;
      expectError(await central(t, 'GET', app.id, 'roles', { auth: reader }), 403, 'Forbidden');
      const other = await t.createTenant();
      const o = await t.createUser(other.id, ['Tenant Admin']);
      const outsider = `Bearer ${(await t.login(o.username, o.password)).access_token}`;
      const a = await central(t, 'GET', app.id, 'apiTokens', { auth: outsider });
      const b = await central(t, 'GET', '00000000-0000-4000-8000-000000000000', 'apiTokens', { auth: outsider });
      expectError(a, 404, 'NotFound');
      expect(a.json().error.message.replace(app.id, 'X')).toBe(b.json().error.message.replace('00000000-0000-4000-8000-000000000000', 'X'));
      expectError(await central(t, 'GET', app.id, 'roles', { auth: 'Bearer not-a-jwt' }), 401, 'Unauthenticated');
    });
  });

  describe('organizations', () => {
    let orgAdmin: string;
    let viewer: string;
    beforeAll(async () => {
      for (const [id, parent] of [
        ['north', undefined],
        ['north-a', 'north'],
        ['north-a-1', 'north-a'],
        ['south', undefined],
      ] as const) {
        const res = await central(t, 'PUT', app.id, `organizations/${id}`, {
          auth: admin,
          body: parent ? { displayName: id.toUpperCase(), parent } : { displayName: id.toUpperCase() },
        });
        expect(res.statusCode, res.body).toBe(200);
      }
      orgAdmin = await createToken(t, app.id, 'org-admin-north-a', [{ role: ROLES.orgAdmin, organization: 'north-a' }], admin);
      viewer = await createToken(t, app.id, 'viewer-north', [{ role: ROLES.orgViewer, organization: 'north' }], admin);
    });
    const ids = async (auth: string) =>
      ((await central(t, 'GET', app.id, 'organizations', { auth })).json().value as { id: string }[]).map((o) => o.id);

    it('answers {id, displayName, parent?} and the whole tree to app roles', async () => {
      expect((await central(t, 'GET', app.id, 'organizations/north-a', { auth: operator })).json()).toEqual({
        id: 'north-a',
        displayName: 'NORTH-A',
        parent: 'north',
      });
      expect((await central(t, 'GET', app.id, 'organizations/north', { auth: operator })).json()).toEqual({
        id: 'north',
        displayName: 'NORTH',
      });
      expect(await ids(operator)).toEqual(expect.arrayContaining(['north', 'north-a', 'north-a-1', 'south', 'plant-7']));
    });
    it('an org role reaches its organization and the children only', async () => {
      expect(await ids(orgAdmin)).toEqual(['north-a', 'north-a-1']);
      expect(await ids(viewer)).toEqual(['north', 'north-a', 'north-a-1']);
      expectError(await central(t, 'GET', app.id, 'organizations/south', { auth: orgAdmin }), 404, 'NotFound');
      expectError(await central(t, 'GET', app.id, 'organizations/north', { auth: orgAdmin }), 404, 'NotFound');
      expectError(await central(t, 'GET', app.id, 'apiTokens', { auth: orgAdmin }), 403, 'Forbidden');
    });
    it('Org Admin creates and deletes below its organization, nowhere else; Org Viewer cannot write', async () => {
      expect((await central(t, 'PUT', app.id, 'organizations/north-a-2', { auth: orgAdmin, body: { parent: 'north-a' } })).statusCode).toBe(
        200,
      );
      expectError(await central(t, 'PUT', app.id, 'organizations/top', { auth: orgAdmin, body: {} }), 403, 'Forbidden');
      expectError(await central(t, 'PUT', app.id, 'organizations/s-1', { auth: orgAdmin, body: { parent: 'south' } }), 400, 'BadRequest');
      expectError(await central(t, 'DELETE', app.id, 'organizations/north-a', { auth: orgAdmin }), 403, 'Forbidden');
      expectError(await central(t, 'PUT', app.id, 'organizations/n-2', { auth: viewer, body: { parent: 'north' } }), 403, 'Forbidden');
      expect((await central(t, 'DELETE', app.id, 'organizations/north-a-2', { auth: orgAdmin })).statusCode).toBe(204);
      expect(await ids(admin)).not.toContain('north-a-2');
    });
    it('bad ids, unknown parents, duplicates, non-leaves and used organizations are refused, nothing changes', async () => {
      const before = await ids(admin);
      expectError(await central(t, 'PUT', app.id, 'organizations/Upper', { auth: admin, body: {} }), 400, 'BadRequest');
      expectError(await central(t, 'PUT', app.id, 'organizations/x', { auth: admin, body: { parent: 'nope' } }), 400, 'BadRequest');
      expectError(await central(t, 'PUT', app.id, 'organizations/north', { auth: admin, body: {} }), 409, 'Conflict');
      expectError(await central(t, 'DELETE', app.id, 'organizations/north', { auth: admin }), 409, 'Conflict');
      expectError(await central(t, 'DELETE', app.id, 'organizations/plant-7', { auth: admin }), 409, 'Conflict');
      expectError(await central(t, 'DELETE', app.id, 'organizations/nope', { auth: admin }), 404, 'NotFound');
      expect(await ids(admin)).toEqual(before);
    });
  });

  describe('custom roles (Latch extension: PUT /api/roles/{guid})', () => {
    const roleId = '0f6a9a4e-1111-4222-8333-944445555666';
    it('an app role with apiTokens.read lets its token list tokens but not create them', async () => {
      const res = await central(t, 'PUT', app.id, `roles/${roleId}`, {
        auth: admin,
        body: { displayName: 'Token auditor', permissions: ['apiTokens.read', 'roles.read'] },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ id: roleId, displayName: 'Token auditor' });
      expect((await central(t, 'GET', app.id, 'roles', { auth: operator })).json().value).toContainEqual({
        id: roleId,
        displayName: 'Token auditor',
      });
      const tok = await createToken(t, app.id, 'auditor', [{ role: roleId }], admin);
      expect((await central(t, 'GET', app.id, 'apiTokens', { auth: tok })).statusCode).toBe(200);
      expectError(
        await central(t, 'PUT', app.id, 'apiTokens/by-auditor', { auth: tok, body: { roles: [{ role: roleId }] } }),
        403,
        'Forbidden',
      );
      expectError(await central(t, 'GET', app.id, 'organizations', { auth: tok }), 403, 'Forbidden');
    });
    it('a role manager creates no role stronger than its own: no one grants what they do not hold', async () => {
      const managerRole = roleId.replace('0f', '3f');
      expect(
        (
          await central(t, 'PUT', app.id, `roles/${managerRole}`, {
            auth: admin,
            body: { displayName: 'Role manager', permissions: ['roles.read', 'roles.write'] },
          })
        ).statusCode,
      ).toBe(200);
      const manager = await createToken(t, app.id, 'role-manager', [{ role: managerRole }], admin);
      const stronger = roleId.replace('0f', '4f');
      const res = await central(t, 'PUT', app.id, `roles/${stronger}`, {
        auth: manager,
        body: { displayName: 'Token minter', permissions: ['roles.read', 'apiTokens.write'] },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.message).toContain(stronger);
      expect((await central(t, 'GET', app.id, `roles/${stronger}`, { auth: admin })).statusCode).toBe(404);
      const weaker = roleId.replace('0f', '5f');
      expect(
        (
          await central(t, 'PUT', app.id, `roles/${weaker}`, {
            auth: manager,
            body: { displayName: 'Reader', permissions: ['roles.read'] },
          })
        ).statusCode,
      ).toBe(200);
    });
    it('refuses built-in ids, bad permissions, org roles with app-only permissions, duplicates; Operator cannot create', async () => {
      expectError(
        await central(t, 'PUT', app.id, `roles/${ROLES.operator}`, { auth: admin, body: { displayName: 'x', permissions: [] } }),
        400,
        'BadRequest',
      );
      expectError(
        await central(t, 'PUT', app.id, 'roles/not-a-guid', { auth: admin, body: { displayName: 'x', permissions: [] } }),
        400,
        'BadRequest',
      );
      expectError(
        await central(t, 'PUT', app.id, `roles/${roleId.replace('0f', '1f')}`, {
          auth: admin,
          body: { displayName: 'x', permissions: ['everything'] },
        }),
        400,
        'BadRequest',
      );
      expectError(
        await central(t, 'PUT', app.id, `roles/${roleId.replace('0f', '2f')}`, {
          auth: admin,
          body: { displayName: 'x', scope: 'organization', permissions: ['apiTokens.read'] },
        }),
        400,
        'BadRequest',
      );
      expectError(
        await central(t, 'PUT', app.id, `roles/${roleId}`, { auth: admin, body: { displayName: 'again', permissions: [] } }),
        409,
        'Conflict',
      );
      expectError(
        await central(t, 'PUT', app.id, `roles/${roleId.replace('0f', '3f')}`, {
          auth: operator,
          body: { displayName: 'x', permissions: [] },
        }),
        403,
        'Forbidden',
      );
      expectError(await central(t, 'GET', app.id, `roles/${roleId.replace('0f', '4f')}`, { auth: operator }), 404, 'NotFound');
    });
  });

  it('deleting the app (ARM) deletes its tokens, organizations and roles; its tokens fail at once', async () => {
    const doomed = await createCentralApp(t);
    const tok = await createToken(t, doomed.id, 'boot', [{ role: ROLES.admin }]);
    expect((await central(t, 'PUT', doomed.id, 'organizations/o1', { auth: tok, body: {} })).statusCode).toBe(200);
    expect((await central(t, 'GET', doomed.id, 'apiTokens', { auth: tok })).statusCode).toBe(200);
    const del = await t.req(
      'DELETE',
      `/subscriptions/${doomed.tenantId}/resourceGroups/rg/providers/Microsoft.IoTCentral/iotApps/${doomed.name}?api-version=2021-06-01`,
      { token: await t.adminToken() },
    );
    expect(del.statusCode).toBe(200);
    expectError(await central(t, 'GET', doomed.id, 'apiTokens', { auth: tok }), 404, 'NotFound');
    expect(await t.server.deps.store.central.getToken(doomed.tenantId, doomed.id, 'boot')).toBeUndefined();
    expect(await t.server.deps.store.central.listOrgs(doomed.tenantId, doomed.id)).toEqual([]);
  });

  it('keeps the per-app key only sealed in the store', async () => {
    const row = await t.server.deps.store.central.findApp(app.id);
    expect(row!.keyEnc).toMatch(/^v2\./);
    expect(JSON.stringify(row)).not.toMatch(/"key":/);
  });
});
