import { describe, expect, it } from 'vitest';
import { call, twoNodes, within } from './two-nodes.js';

/**
 * IoT Central API tokens across two server processes on one PostgreSQL (node B is a separate
 * `node` process, test/ops/cluster-node.ts): create on A → use on B → delete on A → refused on B.
 */
const nodes = twoNodes();

const V = '?api-version=2022-07-31';
const OPERATOR = 'ae2c9854-393b-4f97-8c42-479d70ce626e';

describe('IoT Central API tokens on two server processes sharing PostgreSQL', () => {
  it('an Operator token made on A reads on B, gets 403 on apiTokens there, and is refused on B right after its delete on A', async () => {
    const admin = `Bearer ${(await call(nodes.a.url, 'POST', '/iam/auth/token', { body: { username: 'admin', password: 'admin-password-1' } })).body.access_token as string}`;
    const tenant = (await call(nodes.a.url, 'GET', '/iam/users/me', { auth: admin })).body.tenant_id as string;
    const created = await call(
      nodes.a.url,
      'PUT',
      `/subscriptions/${tenant}/resourceGroups/rg/providers/Microsoft.IoTCentral/iotApps/cluster-app?api-version=2021-06-01`,
      { auth: admin, body: { location: 'westus', sku: { name: 'ST1' } } },
    );
    expect(created.status).toBe(201);
    const appId = created.body.properties.applicationId as string;

    const made = await call(nodes.a.url, 'PUT', `/central/${appId}/api/apiTokens/cluster-operator${V}`, {
      auth: admin,
      body: { roles: [{ role: OPERATOR }] },
    });
    expect(made.status).toBe(200);
    const token = made.body.token as string;
    // B verifies and caches it (twice: the second from memory)
    for (let i = 0; i < 2; i++)
      expect((await call(nodes.bUrl, 'GET', `/central/cluster-app/api/roles${V}`, { auth: token })).status).toBe(200);
    expect((await call(nodes.bUrl, 'GET', `/central/cluster-app/api/organizations${V}`, { auth: token })).status).toBe(200);
    const denied = await call(nodes.bUrl, 'GET', `/central/cluster-app/api/apiTokens${V}`, { auth: token });
    expect([denied.status, denied.body.error?.code]).toEqual([403, 'Forbidden']);

    expect((await call(nodes.a.url, 'DELETE', `/central/${appId}/api/apiTokens/cluster-operator${V}`, { auth: admin })).status).toBe(204);
    expect((await call(nodes.a.url, 'GET', `/central/cluster-app/api/roles${V}`, { auth: token })).status).toBe(401);
    const started = Date.now();
    expect(
      await within(1000, async () => (await call(nodes.bUrl, 'GET', `/central/cluster-app/api/roles${V}`, { auth: token })).status === 401),
    ).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    const refused = await call(nodes.bUrl, 'GET', `/central/cluster-app/api/roles${V}`, { auth: token });
    expect(refused.body.error.code).toBe('Unauthenticated');
  });
});
