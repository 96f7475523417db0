import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import { CLUSTER_ISSUER, call, twoNodes, within } from './two-nodes.js';

/**
 * Issue 9 on a PostgreSQL cluster: the nodes share LATCH_ISSUER, so discovery on either names the
 * same issuer; a token revoked, or whose API key or user is deleted, on node A introspects
 * `active: false` on node B within 1 s (the revocation machinery's bus, not token expiry).
 */
const nodes = twoNodes();

describe('OpenID introspection and revocation across two nodes', () => {
  async function setup() {
    const admin = (await call(nodes.a.url, 'POST', '/iam/auth/token', { body: { username: 'admin', password: 'admin-password-1' } })).body
      .access_token as string;
    const tenant = (await call(nodes.a.url, 'GET', '/iam/users/me', { token: admin })).body.tenant_id as string;
    const newKey = async () => {
      const r = await call(nodes.a.url, 'POST', '/iam/api-keys', {
        token: admin,
        tenant,
        body: { name: `k-${Math.random().toString(36).slice(2, 10)}`, roles: ['Operator'] },
      });
      expect(r.status).toBe(201);
      return r.body as { name: string; clientId: string; secret: string };
    };
    const introspector = await newKey();
    // discovery answers the shared issuer on both nodes; the endpoints it lists are under that issuer
    // (a load balancer's address), so the client here is pointed at each node by hand
    const metaA = (await call(nodes.a.url, 'GET', '/.well-known/openid-configuration')).body;
    const metaB = (await call(nodes.bUrl, 'GET', '/.well-known/openid-configuration')).body;
    expect(metaA).toEqual(metaB);
    expect(metaA.issuer).toBe(CLUSTER_ISSUER);
    const onNode = (base: string, k: { clientId: string; secret: string }) => {
      const c = new oidc.Configuration(
        {
          ...(metaA as oidc.ServerMetadata),
          token_endpoint: `${base}/iam/auth/token`,
          introspection_endpoint: `${base}/iam/auth/token/introspect`,
          revocation_endpoint: `${base}/iam/auth/revoke`,
        },
        k.clientId,
        undefined,
        oidc.ClientSecretBasic(k.secret),
      );
      oidc.allowInsecureRequests(c);
      return c;
    };
    const inactiveOnB = (token: string) =>
      within(1000, async () => !(await oidc.tokenIntrospection(onNode(nodes.bUrl, introspector), token)).active);
    return { admin, tenant, newKey, introspector, onNode, inactiveOnB };
  }

  it('a token revoked on A is inactive on B within 1 s; refresh and access tokens alike', async () => {
    const { newKey, introspector, onNode, inactiveOnB } = await setup();
    for (const which of ['access', 'refresh'] as const) {
      const k = await newKey();
      const t = await oidc.clientCredentialsGrant(onNode(nodes.a.url, k));
      const b = onNode(nodes.bUrl, introspector);
      // B has verified and cached the token
      expect((await oidc.tokenIntrospection(b, t.access_token)).active).toBe(true);
      expect((await oidc.tokenIntrospection(b, t.refresh_token!)).active).toBe(true);
      await oidc.tokenRevocation(onNode(nodes.a.url, k), which === 'access' ? t.access_token : t.refresh_token!);
      expect(await inactiveOnB(t.access_token)).toBe(true);
      expect(await inactiveOnB(t.refresh_token!)).toBe(true);
    }
  });

  it('an API key or a user deleted on A: their tokens are inactive on B within 1 s', async () => {
    const { admin, tenant, newKey, introspector, onNode, inactiveOnB } = await setup();
    const k = await newKey();
    const kt = await oidc.clientCredentialsGrant(onNode(nodes.a.url, k));
    expect((await oidc.tokenIntrospection(onNode(nodes.bUrl, introspector), kt.access_token)).active).toBe(true);
    expect((await call(nodes.a.url, 'DELETE', `/iam/api-keys/${k.name}`, { token: admin, tenant })).status).toBe(204);
    expect(await inactiveOnB(kt.access_token)).toBe(true);
    expect(await inactiveOnB(kt.refresh_token!)).toBe(true);

    const u = await call(nodes.a.url, 'POST', '/iam/users', {
      token: admin,
      tenant,
      body: { username: `u-${Math.random().toString(36).slice(2, 10)}`, password: 'cluster-password', roles: ['Operator'] },
    });
    expect(u.status).toBe(201);
    const login = await call(nodes.a.url, 'POST', '/iam/auth/token', { body: { username: u.body.username, password: 'cluster-password' } });
    const at = login.body.access_token as string;
    expect((await oidc.tokenIntrospection(onNode(nodes.bUrl, introspector), at)).active).toBe(true);
    expect((await call(nodes.a.url, 'DELETE', `/iam/users/${u.body.id}`, { token: admin, tenant })).status).toBe(204);
    expect(await inactiveOnB(at)).toBe(true);
    expect(await inactiveOnB(login.body.refresh_token as string)).toBe(true);
  });
});
