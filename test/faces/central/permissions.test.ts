import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../../../src/http/route.js';
import { makeTestApp, type TestApp } from '../../harness.js';
import { central, createCentralApp, createToken, ROLES, type CentralTestApp } from './helpers.js';

/**
 * The Central permission matrix, generated from the route table: every data-plane route (a route
 * declaring `centralPermission`) must have a column here, and is called by every built-in role's
 * token and by Bearer callers. ✓ = 2xx, ✗ = 403 Forbidden.
 */
const ROUTES = [
  'GET /apiTokens',
  'PUT /apiTokens/:tokenId',
  'GET /apiTokens/:tokenId',
  'DELETE /apiTokens/:tokenId',
  'GET /roles',
  'GET /roles/:roleId',
  'PUT /roles/:roleId',
  'GET /organizations',
  'GET /organizations/:organizationId',
  'PUT /organizations/:organizationId',
  'DELETE /organizations/:organizationId',
] as const;
type Route = (typeof ROUTES)[number];

const MATRIX: Record<string, string> = {
  //                         tokens     roles  organizations
  Administrator: '✓✓✓✓' + '✓✓✓' + '✓✓✓✓',
  Builder: '✗✗✗✗' + '✓✓✗' + '✓✓✗✗',
  Operator: '✗✗✗✗' + '✓✓✗' + '✓✓✗✗',
  'Org Admin': '✗✗✗✗' + '✓✓✗' + '✓✓✓✓',
  'Org Operator': '✗✗✗✗' + '✓✓✗' + '✓✓✗✗',
  'Org Viewer': '✗✗✗✗' + '✓✓✗' + '✓✓✗✗',
  'Bearer: Tenant Admin': '✓✓✓✓' + '✓✓✓' + '✓✓✓✓',
  'Bearer: IoT Contributor': '✓✓✓✓' + '✓✓✓' + '✓✓✓✓',
  'Bearer: IoT Reader': '✗✗✗✗' + '✗✗✗' + '✗✗✗✗',
};
const TOKEN_ROLES: Record<string, { role: string; organization?: string }> = {
  Administrator: { role: ROLES.admin },
  Builder: { role: ROLES.builder },
  Operator: { role: ROLES.operator },
  'Org Admin': { role: ROLES.orgAdmin, organization: 'm-org' },
  'Org Operator': { role: ROLES.orgOperator, organization: 'm-org' },
  'Org Viewer': { role: ROLES.orgViewer, organization: 'm-org' },
};

let t: TestApp;
let app: CentralTestApp;
let admin: string;
let n = 0;

beforeAll(async () => {
  t = await makeTestApp();
  app = await createCentralApp(t);
  admin = await createToken(t, app.id, 'matrix-admin', [{ role: ROLES.admin }]);
  for (const [id, parent] of [
    ['m-org', undefined],
    ['m-org-child', 'm-org'],
  ] as const) {
    expect((await central(t, 'PUT', app.id, `organizations/${id}`, { auth: admin, body: parent ? { parent } : {} })).statusCode).toBe(200);
  }
});
afterAll(async () => t?.close());

async function perform(route: Route, auth: string) {
  const i = ++n;
  switch (route) {
    case 'GET /apiTokens':
      return central(t, 'GET', app.id, 'apiTokens', { auth });
    case 'PUT /apiTokens/:tokenId':
      return central(t, 'PUT', app.id, `apiTokens/new-${i}`, { auth, body: { roles: [{ role: ROLES.orgViewer, organization: 'm-org' }] } });
    case 'GET /apiTokens/:tokenId':
      return central(t, 'GET', app.id, 'apiTokens/matrix-admin', { auth });
    case 'DELETE /apiTokens/:tokenId': {
      await createToken(t, app.id, `doomed-${i}`, [{ role: ROLES.operator }], admin);
      return central(t, 'DELETE', app.id, `apiTokens/doomed-${i}`, { auth });
    }
    case 'GET /roles':
      return central(t, 'GET', app.id, 'roles', { auth });
    case 'GET /roles/:roleId':
      return central(t, 'GET', app.id, `roles/${ROLES.builder}`, { auth });
    case 'PUT /roles/:roleId':
      return central(t, 'PUT', app.id, `roles/${randomUUID()}`, { auth, body: { displayName: `r${i}`, permissions: ['roles.read'] } });
    case 'GET /organizations':
      return central(t, 'GET', app.id, 'organizations', { auth });
    case 'GET /organizations/:organizationId':
      return central(t, 'GET', app.id, 'organizations/m-org-child', { auth });
    case 'PUT /organizations/:organizationId':
      return central(t, 'PUT', app.id, `organizations/new-${i}`, { auth, body: { parent: 'm-org' } });
    case 'DELETE /organizations/:organizationId': {
      expect((await central(t, 'PUT', app.id, `organizations/leaf-${i}`, { auth: admin, body: { parent: 'm-org' } })).statusCode).toBe(200);
      return central(t, 'DELETE', app.id, `organizations/leaf-${i}`, { auth });
    }
  }
}

describe('IoT Central permission matrix, generated from the route table', () => {
  it('has a column for every Central data-plane route', () => {
    const found = routeTable(t.app)
      .filter((r) => (r.config as { centralPermission?: string }).centralPermission)
      .map((r) => `${r.method} ${r.url.replace('/central/:appId/api', '')}`);
    expect(found.sort()).toEqual([...ROUTES].sort());
  });

  for (const [label, row] of Object.entries(MATRIX)) {
    it(`${label}: ${row}`, async () => {
      let auth: string;
      if (label.startsWith('Bearer: ')) {
        const u = await t.createUser(app.tenantId, [label.slice(8)]);
        auth = `Bearer ${(await t.login(u.username, u.password)).access_token}`;
      } else {
        auth = await createToken(t, app.id, `as-${label.replace(/ /g, '-')}-${++n}`, [TOKEN_ROLES[label]!], admin);
      }
      const got: string[] = [];
      for (const route of ROUTES) {
        const res = await perform(route, auth);
        if (res.statusCode >= 200 && res.statusCode < 300) got.push('✓');
        else {
          expect(res.statusCode, `${route}: ${res.body}`).toBe(403);
          expect(res.json().error.code).toBe('Forbidden');
          got.push('✗');
        }
      }
      expect(got.join('')).toBe(row);
    });
  }
});
