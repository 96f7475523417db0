import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Server } from '../../src/main.js';
import { PG_URL, pgSchema, silentLogger, testConfig } from '../harness.js';
import { call } from '../ops/two-nodes.js';
import type { StoreTarget } from '../../src/store/open.js';

/**
 * Issue 9: a standard OpenID client (openid-client, panva) uses Latch unchanged: discovery on a
 * default server (the issuer is the URL it printed), client_credentials, password and refresh
 * with scope=openid (the ID token validated, signature included), introspection, revocation and
 * userinfo. Real HTTP, the system clock (openid-client checks exp and iat against it).
 */
describe.each(['sqlite', 'postgres'] as const)('openid-client against a default server (%s)', (dialect) => {
  let server: Server;
  let drop: (() => Promise<void>) | undefined;
  let admin: string;
  let tenantId: string;
  let tenantName: string;
  let key: { name: string; clientId: string; secret: string };
  const insecure = { execute: [oidc.allowInsecureRequests] };

  /** A confidential client: the API key, authenticating with HTTP Basic or in the body. */
  const keyClient = (auth: 'basic' | 'post', k = key) =>
    oidc.discovery(
      new URL(server.url),
      k.clientId,
      undefined,
      auth === 'basic' ? oidc.ClientSecretBasic(k.secret) : oidc.ClientSecretPost(k.secret),
      insecure,
    );
  /** The public client of password and refresh grants (the CLI's, a script's). */
  const publicClient = async () => {
    const c = await oidc.discovery(new URL(server.url), 'latch', undefined, oidc.None(), insecure);
    oidc.enableNonRepudiationChecks(c); // the ID token's signature is checked against the JWKS too
    return c;
  };
  const api = (method: string, path: string, token: string, body?: unknown) =>
    call(server.url, method, path, { token, tenant: tenantId, body });
  async function newKey(roles = ['Operator']) {
    const r = await api('POST', '/iam/api-keys', admin, { name: `k-${Math.random().toString(36).slice(2, 10)}`, roles });
    expect(r.status).toBe(201);
    return r.body as { name: string; clientId: string; secret: string };
  }
  async function newUser() {
    const username = `u-${Math.random().toString(36).slice(2, 10)}`;
    const password = 'a-long-enough-password';
    const r = await api('POST', '/iam/users', admin, {
      username,
      password,
      roles: ['Operator'],
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: `${username}@example.com`,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return { id: r.body.id as string, username, password };
  }

  beforeAll(async () => {
    let target: StoreTarget = { kind: 'sqlite', file: ':memory:' };
    if (dialect === 'postgres') {
      const s = pgSchema();
      drop = s.drop;
      target = { kind: 'postgres', url: PG_URL, schema: s.schema };
    }
    // no LATCH_ISSUER: the default is the URL printed on start, with the real port of LATCH_PORT=0
    server = await startServer(testConfig({ LATCH_PORT: '0' }), { target, log: silentLogger(), print: () => undefined });
    const login = await call(server.url, 'POST', '/iam/auth/token', { body: { username: 'admin', password: 'admin-password-1' } });
    admin = login.body.access_token as string;
    const me = await call(server.url, 'GET', '/iam/users/me', { token: admin });
    tenantId = me.body.tenant_id as string;
    tenantName = (me.body.roles as { tenant_name: string }[])[0]!.tenant_name;
    key = await newKey();
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  it('discovery: the issuer is the printed URL, and the metadata lists what exists', async () => {
    const c = await keyClient('basic');
    const m = c.serverMetadata();
    expect(m.issuer).toBe(server.url);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(m.issuer).not.toMatch(/:0$/);
    expect(m).toMatchObject({
      token_endpoint: `${server.url}/iam/auth/token`,
      jwks_uri: `${server.url}/iam/auth/certs`,
      introspection_endpoint: `${server.url}/iam/auth/token/introspect`,
      revocation_endpoint: `${server.url}/iam/auth/revoke`,
      userinfo_endpoint: `${server.url}/iam/auth/userinfo`,
      end_session_endpoint: `${server.url}/iam/auth/logout`,
      grant_types_supported: ['password', 'client_credentials', 'refresh_token'],
      scopes_supported: ['openid', 'profile', 'email'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
    // every endpoint listed answers (none is a 404)
    for (const u of [m.token_endpoint, m.introspection_endpoint, m.revocation_endpoint, m.end_session_endpoint!]) {
      expect((await fetch(u!, { method: 'POST' })).status).not.toBe(404);
    }
    expect((await fetch(m.jwks_uri!)).status).toBe(200);
    expect((await fetch(m.userinfo_endpoint!)).status).toBe(401);
    // the access tokens carry that issuer
    expect(decodeJwt(admin).iss).toBe(server.url);
  });

  it('client_credentials with client_secret_basic and client_secret_post; the access token introspects active', async () => {
    for (const auth of ['basic', 'post'] as const) {
      const c = await keyClient(auth);
      const t = await oidc.clientCredentialsGrant(c);
      expect(t.token_type).toBe('bearer');
      expect(t.expires_in).toBe(300);
      const i = await oidc.tokenIntrospection(c, t.access_token);
      expect(i).toMatchObject({ active: true, token_type: 'Bearer', client_id: key.clientId, sub: expect.any(String), iss: server.url });
      expect(i.username).toBe(`service-account-${key.name.toLowerCase()}`);
    }
  });

  it('password + refresh with scope=openid: ID tokens openid-client validates (iss, aud, exp, iat, signature)', async () => {
    const u = await newUser();
    const c = await publicClient();
    const t = await oidc.genericGrantRequest(c, 'password', { username: u.username, password: u.password, scope: 'openid' });
    expect(t.id_token).toBeDefined();
    expect(t.scope).toBe('openid profile email');
    const claims = t.claims()!;
    expect(claims).toMatchObject({
      iss: server.url,
      sub: u.id,
      aud: 'latch',
      preferred_username: u.username,
      name: 'Ada Lovelace',
      email: `${u.username}@example.com`,
    });
    expect(claims.exp - claims.iat).toBe(300);
    expect(typeof claims.auth_time).toBe('number');
    expect(claims.sid).toBe((t as unknown as { session_state: string }).session_state);
    // a fresh session: the whole idle lifetime, not a second less (issue 9: 1799 before)
    expect((t as unknown as { refresh_expires_in: number }).refresh_expires_in).toBe(1800);
    // the ID token is no access token
    expect((await call(server.url, 'GET', '/iam/users/me', { token: t.id_token! })).status).toBe(401);

    const r = await oidc.refreshTokenGrant(c, t.refresh_token!, { scope: 'openid' });
    expect(r.claims()).toMatchObject({ iss: server.url, sub: u.id, aud: 'latch', auth_time: claims.auth_time });
    expect(r.refresh_token).not.toBe(t.refresh_token);
    // without scope=openid: no ID token, as before
    const plain = await oidc.refreshTokenGrant(c, r.refresh_token!);
    expect(plain.id_token).toBeUndefined();
    expect(plain.scope).toBe('profile email');
  });

  it('an API key as the client of the password grant: the ID token is for that client', async () => {
    const u = await newUser();
    const c = await keyClient('basic');
    oidc.enableNonRepudiationChecks(c);
    const t = await oidc.genericGrantRequest(c, 'password', { username: u.username, password: u.password, scope: 'openid' });
    expect(t.claims()).toMatchObject({ aud: key.clientId, sub: u.id });
  });

  it('userinfo: sub and the profile claims, for users and API keys', async () => {
    const u = await newUser();
    const t = await oidc.genericGrantRequest(await publicClient(), 'password', {
      username: u.username,
      password: u.password,
      scope: 'openid',
    });
    const info = await oidc.fetchUserInfo(await publicClient(), t.access_token, u.id);
    expect(info).toMatchObject({
      sub: u.id,
      preferred_username: u.username,
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      email: `${u.username}@example.com`,
      tenant_id: tenantId,
    });
    const kc = await keyClient('post');
    const kt = await oidc.clientCredentialsGrant(kc);
    const sub = decodeJwt(kt.access_token).sub!;
    expect(await oidc.fetchUserInfo(kc, kt.access_token, sub)).toEqual({
      sub,
      preferred_username: `service-account-${key.name.toLowerCase()}`,
      tenant_id: tenantId,
    });
    // /iam/users/me stays as the EI clients know it
    expect((await call(server.url, 'GET', '/iam/users/me', { token: t.access_token })).body).toMatchObject({
      id: u.id,
      username: u.username,
    });
  });

  it('revocation: a refresh token ends its session; an access token too; both introspect inactive at once', async () => {
    const c = await keyClient('basic');
    const pub = await publicClient();
    for (const which of ['refresh_token', 'access_token'] as const) {
      const u = await newUser();
      const t = await oidc.genericGrantRequest(pub, 'password', { username: u.username, password: u.password });
      expect((await oidc.tokenIntrospection(c, t.access_token)).active).toBe(true);
      expect(await oidc.tokenIntrospection(c, t.refresh_token!)).toMatchObject({
        active: true,
        token_type: 'Refresh',
        sub: u.id,
        client_id: 'latch',
      });
      // a public client revokes with the token alone; the hint is optional
      await oidc.tokenRevocation(
        pub,
        which === 'refresh_token' ? t.refresh_token! : t.access_token,
        which === 'access_token' ? { token_type_hint: which } : undefined,
      );
      expect(await oidc.tokenIntrospection(c, t.access_token)).toEqual({ active: false });
      expect(await oidc.tokenIntrospection(c, t.refresh_token!)).toEqual({ active: false });
      expect((await call(server.url, 'GET', '/iam/users/me', { token: t.access_token })).status).toBe(401);
      await expect(oidc.refreshTokenGrant(pub, t.refresh_token!)).rejects.toThrow();
    }
    // unknown tokens answer 200 (openid-client resolves)
    await oidc.tokenRevocation(c, 'no-such-token');
    await oidc.tokenRevocation(c, 'latch_rt_thisisnotarealtoken');
  });

  it('deleting the API key or the user: its tokens introspect inactive at once', async () => {
    const c = await keyClient('post');
    const victim = await newKey();
    const kt = await oidc.clientCredentialsGrant(await keyClient('post', victim));
    expect((await oidc.tokenIntrospection(c, kt.access_token)).active).toBe(true);
    expect((await oidc.tokenIntrospection(c, kt.refresh_token!)).active).toBe(true);
    expect((await api('DELETE', `/iam/api-keys/${victim.name}`, admin)).status).toBe(204);
    expect(await oidc.tokenIntrospection(c, kt.access_token)).toEqual({ active: false });
    expect(await oidc.tokenIntrospection(c, kt.refresh_token!)).toEqual({ active: false });

    const u = await newUser();
    const ut = await oidc.genericGrantRequest(await publicClient(), 'password', { username: u.username, password: u.password });
    expect((await oidc.tokenIntrospection(c, ut.access_token)).active).toBe(true);
    expect((await api('DELETE', `/iam/users/${u.id}`, admin)).status).toBe(204);
    expect(await oidc.tokenIntrospection(c, ut.access_token)).toEqual({ active: false });
    expect(await oidc.tokenIntrospection(c, ut.refresh_token!)).toEqual({ active: false });
  });

  it("introspection: unknown, garbage and expired-format tokens are inactive; another tenant's tokens are inactive for this client", async () => {
    const c = await keyClient('basic');
    for (const tok of ['nonsense', 'a.b.c', 'latch_rt_notreal', admin.slice(0, -4) + 'AAAA']) {
      expect(await oidc.tokenIntrospection(c, tok)).toEqual({ active: false });
    }
    const other = await call(server.url, 'POST', '/iam/tenants', {
      token: admin,
      body: { name: `other-${Math.random().toString(36).slice(2, 8)}` },
    });
    expect(other.status).toBe(201);
    const otherKey = await call(server.url, 'POST', '/iam/api-keys', {
      token: admin,
      tenant: other.body.id,
      body: { name: 'intro', roles: ['Tenant Admin'] },
    });
    expect(otherKey.status).toBe(201);
    const oc = await keyClient('basic', otherKey.body as typeof key);
    // the admin's token (of the first tenant) is active for a client of that tenant only
    expect((await oidc.tokenIntrospection(c, admin)).active).toBe(true);
    expect(await oidc.tokenIntrospection(oc, admin)).toEqual({ active: false });
    expect(tenantName).toBeTruthy();
  });
});
