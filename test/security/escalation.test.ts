import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_ROLES, PERMISSIONS, type BuiltInRole } from '../../src/domain/permissions.js';
import { makeTestApp, type TestApp } from '../harness.js';

/**
 * No one grants what they do not hold (issue 19, DESIGN "No one grants what they do not hold"),
 * generated from the permission catalogue and the built-in roles: a granter holding a custom
 * role with only Access Control ("KeyManager") plus each built-in role in turn, as a user and as
 * an API key, tries to grant each built-in role on every grant path. A grant succeeds exactly when
 * the granted role's permissions are all held by the granter; a refusal is 403
 * PERMISSION_ESCALATION and leaves nothing written. Both dialects.
 */

type Path = 'api-key create' | 'user create' | 'role assign' | 'role unassign' | 'role create' | 'role update' | 'role delete';
const PATHS: Path[] = ['api-key create', 'user create', 'role assign', 'role unassign', 'role create', 'role update', 'role delete'];
const GRANTERS: { label: string; extra: BuiltInRole | null }[] = [
  { label: 'KeyManager', extra: null },
  ...BUILT_IN_ROLES.map((r) => ({ label: `KeyManager + ${r.name}`, extra: r })),
];
const AC = PERMISSIONS.ACCESS_CONTROL;
const uniq = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;

/** ✓ when the granter may grant the role, ✗ when not: the rule, spelled from the catalogue. */
function expected(extra: BuiltInRole | null, granted: BuiltInRole): string {
  const held = new Set<string>([AC, ...(extra?.permissions ?? [])]);
  return granted.permissions.every((p) => held.has(p)) ? '✓' : '✗';
}

describe.each(['sqlite', 'postgres'] as const)('no one grants what they do not hold (%s)', (dialect) => {
  let t: TestApp;
  let tenant: string;
  let admin: string;
  let target: string;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    t = await makeTestApp({ dialect });
    tenant = (await t.createTenant(undefined, { ei: true })).id;
    admin = await t.adminToken();
    await t.createRole(tenant, [AC], 'KeyManager');
    target = (await t.createUser(tenant, [])).id;
  }, 60_000);
  afterAll(async () => t?.close());

  /** The granter's access token: a user or an API key holding KeyManager plus `extra`. */
  async function granter(extra: BuiltInRole | null, type: 'user' | 'api_key'): Promise<string> {
    const k = `${extra?.name ?? '-'}|${type}`;
    const known = tokens.get(k);
    if (known) return known;
    const roles = ['KeyManager', ...(extra ? [extra.name] : [])];
    let tok: string;
    if (type === 'user') {
      const u = await t.createUser(tenant, roles);
      tok = (await t.login(u.username, u.password)).access_token;
    } else {
      const key = await t.createApiKey(tenant, roles);
      tok = (await t.keyLogin(key.clientId, key.secret)).access_token;
    }
    tokens.set(k, tok);
    return tok;
  }

  const as = (token: string) => ({ token, tenant });
  const targetRoles = async () => ((await t.req('GET', `/iam/users/${target}`, as(admin))).json() as { roles: string[] }).roles;

  /** One grant on one path: '✓' when it succeeded, '✗' when refused with nothing written. */
  async function attempt(path: Path, tok: string, g: BuiltInRole): Promise<string> {
    const refused = (res: { statusCode: number; json: () => unknown }) => {
      if (res.statusCode === 403) {
        expect(res.json()).toMatchObject({ code: 'PERMISSION_ESCALATION' });
        return true;
      }
      return false;
    };
    const enc = encodeURIComponent(g.name);
    switch (path) {
      case 'api-key create': {
        const name = uniq('k');
        const res = await t.req('POST', '/iam/api-keys', { ...as(tok), body: { name, roles: [g.name], expiresInDays: 30 } });
        if (!refused(res)) return (expect(res.statusCode).toBe(201), '✓');
        expect((await t.req('GET', `/iam/api-keys/${name}`, as(admin))).statusCode).toBe(404);
        return '✗';
      }
      case 'user create': {
        const username = uniq('u');
        const res = await t.req('POST', '/iam/users', { ...as(tok), body: { username, password: 'long-password-1', roles: [g.name] } });
        if (!refused(res)) return (expect(res.statusCode).toBe(201), '✓');
        const users = (await t.req('GET', '/iam/users', as(admin))).json() as { value: { username: string }[] };
        expect(users.value.map((u) => u.username)).not.toContain(username);
        return '✗';
      }
      case 'role assign': {
        const res = await t.req('PUT', `/iam/users/${target}/roles/${enc}`, as(tok));
        if (!refused(res)) {
          expect(res.statusCode).toBe(200);
          expect((await t.req('DELETE', `/iam/users/${target}/roles/${enc}`, as(admin))).statusCode).toBe(204);
          return '✓';
        }
        expect(await targetRoles()).not.toContain(g.name);
        return '✗';
      }
      case 'role unassign': {
        expect((await t.req('PUT', `/iam/users/${target}/roles/${enc}`, as(admin))).statusCode).toBe(200);
        const res = await t.req('DELETE', `/iam/users/${target}/roles/${enc}`, as(tok));
        if (!refused(res)) return (expect(res.statusCode).toBe(204), '✓');
        expect(await targetRoles()).toContain(g.name);
        expect((await t.req('DELETE', `/iam/users/${target}/roles/${enc}`, as(admin))).statusCode).toBe(204);
        return '✗';
      }
      case 'role create': {
        const name = uniq('r');
        const res = await t.req('POST', '/iam/roles', { ...as(tok), body: { name, permissions: g.permissions } });
        if (!refused(res)) return (expect(res.statusCode).toBe(201), '✓');
        expect((await t.req('GET', `/iam/roles/${name}`, as(admin))).statusCode).toBe(404);
        return '✗';
      }
      case 'role update': {
        const r = await t.createRole(tenant, [AC]);
        const res = await t.req('PATCH', `/iam/roles/${r.id}`, { ...as(tok), body: { permissions: g.permissions } });
        if (!refused(res)) return (expect(res.statusCode).toBe(200), '✓');
        expect((await t.req('GET', `/iam/roles/${r.id}`, as(admin))).json()).toMatchObject({ permissions: [AC] });
        return '✗';
      }
      case 'role delete': {
        const r = await t.createRole(tenant, [...g.permissions]);
        const res = await t.req('DELETE', `/iam/roles/${r.id}`, as(tok));
        if (!refused(res)) return (expect(res.statusCode).toBe(204), '✓');
        expect((await t.req('GET', `/iam/roles/${r.id}`, as(admin))).statusCode).toBe(200);
        return '✗';
      }
    }
  }

  for (const type of ['user', 'api_key'] as const)
    for (const { label, extra } of GRANTERS)
      it.each(PATHS)(`${label} (${type}) on %s: each built-in role granted exactly when held`, async (path) => {
        const tok = await granter(extra, type);
        const got: Record<string, string> = {};
        const want: Record<string, string> = {};
        for (const g of BUILT_IN_ROLES) {
          got[g.name] = await attempt(path, tok, g);
          want[g.name] = expected(extra, g);
        }
        expect(got).toEqual(want);
      });

  it('the platform administrator grants anything in a tenant it belongs to (the one exception)', async () => {
    for (const path of PATHS) for (const g of BUILT_IN_ROLES) expect(await attempt(path, admin, g)).toBe('✓');
  });

  it("the issue's reproduction: a KeyManager key mints no stronger key, grants no stronger role", async () => {
    const hub = `/subscriptions/${tenant}/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/esc-${dialect}`;
    const put = await t.req('PUT', `${hub}?api-version=2023-06-30`, {
      token: admin,
      body: { location: 'westus', sku: { name: 'S1', capacity: 1 } },
    });
    expect(put.statusCode).toBe(201);
    const km = await granter(null, 'api_key');
    expect((await t.req('POST', `${hub}/listkeys?api-version=2023-06-30`, { token: km })).statusCode).toBe(403);
    const child = await t.req('POST', '/iam/api-keys', {
      ...as(km),
      body: { name: 'km-child', roles: ['Tenant Admin', 'EI Admin', 'IoT Contributor'], expiresInDays: 30 },
    });
    expect(child.statusCode).toBe(403);
    expect(child.json()).toMatchObject({ code: 'PERMISSION_ESCALATION' });
    expect(child.json().message).toContain("role 'Tenant Admin'");
    expect((await t.req('GET', '/iam/api-keys/km-child', as(admin))).statusCode).toBe(404);
    const alice = await t.createUser(tenant, []);
    const up = await t.req('PUT', `/iam/users/${alice.id}/roles/Tenant%20Admin`, as(km));
    expect([up.statusCode, up.json().code]).toEqual([403, 'PERMISSION_ESCALATION']);
    expect(((await t.req('GET', `/iam/users/${alice.id}`, as(admin))).json() as { roles: string[] }).roles).toEqual([]);
    // The refusal is audited as a denial, with what was missing.
    const audit = (await t.req('GET', '/iam/audit?action=access.denied', as(admin))).json() as { value: { detail: unknown }[] };
    expect(audit.value.map((e) => e.detail)).toContainEqual(
      expect.objectContaining({ code: 'PERMISSION_ESCALATION', grant: "role 'Tenant Admin'" }),
    );
  });

  it('a Tenant Admin of another tenant cannot give itself EI Admin there', async () => {
    const b = (await t.createTenant()).id;
    const ta = await t.createUser(b, ['Tenant Admin']);
    const tok = (await t.login(ta.username, ta.password)).access_token;
    const res = await t.req('PUT', `/iam/users/${ta.id}/roles/EI%20Admin`, { token: tok, tenant: b });
    expect([res.statusCode, res.json().code]).toEqual([403, 'PERMISSION_ESCALATION']);
    const me = await t.req('GET', `/iam/users/${ta.id}`, { token: admin, tenant: b });
    expect(me.json().roles).toEqual(['Tenant Admin']);
  });

  it('a custom role holding the exception cannot be made by one who lacks it, and works when the platform admin grants it', async () => {
    const km = await granter(null, 'user');
    const make = await t.req('POST', '/iam/roles', {
      ...as(km),
      body: { name: uniq('granter'), permissions: [AC, PERMISSIONS.GRANT_ANY] },
    });
    expect([make.statusCode, make.json().code]).toEqual([403, 'PERMISSION_ESCALATION']);
    const role = await t.createRole(tenant, [AC, PERMISSIONS.GRANT_ANY]);
    const holder = await t.createUser(tenant, [role.name]);
    const tok = (await t.login(holder.username, holder.password)).access_token;
    const alice = await t.createUser(tenant, []);
    expect((await t.req('PUT', `/iam/users/${alice.id}/roles/EI%20Admin`, { token: tok, tenant })).statusCode).toBe(200);
  });

  it('sub-organizations: what a parent role holds reaches the child, and nothing more', async () => {
    const org = (await t.createOrg(tenant)).id;
    const parentTa = await t.createUser(tenant, ['Tenant Admin']);
    const tok = (await t.login(parentTa.username, parentTa.password)).access_token;
    const bob = await t.createUser(org, []);
    // Tenant Admin in the parent reaches the child: IoT Contributor is within it, EI Admin is not.
    expect((await t.req('PUT', `/iam/users/${bob.id}/roles/IoT%20Contributor`, { token: tok, tenant: org })).statusCode).toBe(200);
    const ei = await t.req('PUT', `/iam/users/${bob.id}/roles/EI%20Admin`, { token: tok, tenant: org });
    expect([ei.statusCode, ei.json().code]).toEqual([403, 'PERMISSION_ESCALATION']);
    // A custom role of the parent carrying EI permissions cannot be created by that admin either.
    const r = await t.req('POST', '/iam/roles', {
      token: tok,
      tenant: org,
      body: { name: uniq('ei'), permissions: [PERMISSIONS.OPERATIONS_MANAGEMENT] },
    });
    expect([r.statusCode, r.json().code]).toEqual([403, 'PERMISSION_ESCALATION']);
    // A role held in the child only does not reach the parent.
    const childOnly = await t.createUser(org, ['Tenant Admin', 'EI Admin']);
    const ctok = (await t.login(childOnly.username, childOnly.password)).access_token;
    expect((await t.req('PUT', `/iam/users/${bob.id}/roles/EI%20Admin`, { token: ctok, tenant: org })).statusCode).toBe(200);
    const up = await t.req('PUT', `/iam/users/${parentTa.id}/roles/EI%20Admin`, { token: ctok, tenant });
    expect(up.statusCode).toBe(403);
  });
});
