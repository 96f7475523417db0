import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueViolation, type Store } from '../../src/store/port.js';
import { T0, tenant, userRow, type Open } from './fixtures.js';

export function tenantsContract(open: Open) {
  describe('tenants', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it('inserts, gets, finds by name case-insensitively, lists children and all, counts, deletes', async () => {
      const before = await s.tenants.count();
      const parent = await tenant(s, `Acme-${randomUUID()}`);
      const child = await tenant(s, `Child-${randomUUID()}`, parent.id);
      expect(await s.tenants.get(parent.id)).toEqual(parent);
      expect(await s.tenants.findByName(parent.name.toUpperCase())).toEqual(parent);
      expect(await s.tenants.findByName('nope-' + randomUUID())).toBeUndefined();
      expect(await s.tenants.listChildren(parent.id)).toEqual([child]);
      expect((await s.tenants.listAll()).map((t) => t.id)).toEqual(expect.arrayContaining([parent.id, child.id]));
      expect(await s.tenants.count()).toBe(before + 2);
      expect(await s.tenants.delete(parent.id)).toBe(true);
      expect(await s.tenants.get(child.id)).toBeUndefined();
      expect(await s.tenants.delete(parent.id)).toBe(false);
      expect(await s.tenants.count()).toBe(before);
    });

    it('case=unique: a name differing only in case is a UniqueViolation', async () => {
      const t = await tenant(s, `Dup-${randomUUID()}`);
      await expect(s.tenants.insert({ ...t, id: randomUUID(), name: t.name.toLowerCase() })).rejects.toBeInstanceOf(UniqueViolation);
    });

    it('case=cascade: deleting a tenant deletes what it owns', async () => {
      const t = await tenant(s);
      const u = userRow(t.id);
      await s.users.insert(u);
      await s.apiKeys.insert({
        id: randomUUID(),
        tenantId: t.id,
        name: 'k',
        start: 'latch_ak_x',
        expiresAt: T0 + 1,
        createdAt: T0,
        createdBy: null,
        lastUsedAt: null,
        secretHash: randomUUID(),
      });
      await s.tenants.delete(t.id);
      expect(await s.users.get(u.id)).toBeUndefined();
      expect(await s.apiKeys.list(t.id)).toEqual([]);
    });
  });
}

export function usersContract(open: Open) {
  describe('users', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it('inserts, gets without the hash, finds for login with the hash, touches, deletes', async () => {
      const t = await tenant(s);
      const u = userRow(t.id, `Alice-${randomUUID()}`);
      await s.users.insert(u);
      const { passwordHash, ...view } = u;
      expect(await s.users.get(u.id)).toEqual(view);
      expect(await s.users.get(u.id)).not.toHaveProperty('passwordHash');
      expect(await s.users.findForLogin(u.username.toUpperCase())).toEqual(u);
      await s.users.touch(u.id, T0 + 5);
      expect((await s.users.get(u.id))?.lastUsedAt).toBe(T0 + 5);
      await s.users.touch(u.id, T0 + 2); // a node flushing an older use late: ignored
      expect((await s.users.get(u.id))?.lastUsedAt).toBe(T0 + 5);
      expect(await s.users.delete(u.id)).toBe(true);
      expect(await s.users.get(u.id)).toBeUndefined();
      expect(await s.users.delete(u.id)).toBe(false);
      expect(passwordHash).toBeTruthy();
    });

    it('keeps booleans as booleans', async () => {
      const t = await tenant(s);
      const u = { ...userRow(t.id), platformAdmin: true, disabled: true };
      await s.users.insert(u);
      expect(await s.users.get(u.id)).toMatchObject({ platformAdmin: true, disabled: true });
    });

    it("case=tenant-isolation: listByTenant lists only that tenant's users", async () => {
      const a = await tenant(s);
      const b = await tenant(s);
      const ua = userRow(a.id);
      const ub = userRow(b.id);
      await s.users.insert(ua);
      await s.users.insert(ub);
      expect((await s.users.listByTenant(a.id)).map((u) => u.id)).toEqual([ua.id]);
      expect((await s.users.listByTenant(b.id)).map((u) => u.id)).toEqual([ub.id]);
    });

    it('case=unique: usernames are unique case-insensitively', async () => {
      const t = await tenant(s);
      const u = userRow(t.id, `Bob-${randomUUID()}`);
      await s.users.insert(u);
      await expect(s.users.insert({ ...userRow(t.id), username: u.username.toLowerCase() })).rejects.toBeInstanceOf(UniqueViolation);
    });
  });
}

export function rolesContract(open: Open) {
  describe('roles and assignments', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    const role = (tenantId: string, name = `role-${randomUUID()}`) => ({
      id: randomUUID(),
      tenantId,
      name,
      description: 'd',
      permissions: ['Asset Management'],
      createdAt: T0,
    });

    it('roles: insert, get, getAny, findByName, list, update, delete', async () => {
      const t = await tenant(s);
      const r = role(t.id, 'Viewer');
      await s.roles.insert(r);
      expect(await s.roles.get(t.id, r.id)).toEqual(r);
      expect(await s.roles.getAny(r.id)).toEqual(r);
      expect(await s.roles.findByName(t.id, 'VIEWER')).toEqual(r);
      expect(await s.roles.list(t.id)).toEqual([r]);
      expect(
        await s.roles.update(t.id, r.id, { name: 'Watcher', description: null, permissions: ['Data Management', 'Asset Management'] }),
      ).toBe(true);
      expect(await s.roles.get(t.id, r.id)).toEqual({
        ...r,
        name: 'Watcher',
        description: null,
        permissions: ['Data Management', 'Asset Management'],
      });
      expect(await s.roles.update(t.id, r.id, {})).toBe(true);
      expect(await s.roles.update(t.id, randomUUID(), { name: 'x' })).toBe(false);
      expect(await s.roles.delete(t.id, r.id)).toBe(true);
      expect(await s.roles.get(t.id, r.id)).toBeUndefined();
    });

    it('case=tenant-isolation: roles of another tenant are not found, listed, updated or deleted', async () => {
      const a = await tenant(s);
      const b = await tenant(s);
      const r = role(a.id, 'Shared-Name');
      await s.roles.insert(r);
      await s.roles.insert(role(b.id, 'Shared-Name'));
      expect(await s.roles.get(b.id, r.id)).toBeUndefined();
      expect((await s.roles.findByName(b.id, 'shared-name'))?.id).not.toBe(r.id);
      expect((await s.roles.list(b.id)).map((x) => x.id)).not.toContain(r.id);
      expect(await s.roles.update(b.id, r.id, { name: 'hijack' })).toBe(false);
      expect(await s.roles.update(b.id, r.id, {})).toBe(false);
      expect(await s.roles.delete(b.id, r.id)).toBe(false);
      expect(await s.roles.get(a.id, r.id)).toEqual(r);
    });

    it('case=unique: role names are unique per tenant, also on rename', async () => {
      const t = await tenant(s);
      await s.roles.insert(role(t.id, 'One'));
      const two = role(t.id, 'Two');
      await s.roles.insert(two);
      await expect(s.roles.insert(role(t.id, 'one'))).rejects.toBeInstanceOf(UniqueViolation);
      await expect(s.roles.update(t.id, two.id, { name: 'ONE' })).rejects.toBeInstanceOf(UniqueViolation);
    });

    it('assignments: insert, list per principal and tenant, count per role, delete, delete for principal', async () => {
      const t = await tenant(s);
      const r = role(t.id);
      await s.roles.insert(r);
      const pid = randomUUID();
      const a1 = { id: randomUUID(), tenantId: t.id, principalType: 'user' as const, principalId: pid, roleId: r.id, createdAt: T0 };
      const a2 = { ...a1, id: randomUUID(), roleId: 'builtin-ei-admin', createdAt: T0 + 1 };
      await s.assignments.insert(a1);
      await s.assignments.insert(a2);
      expect(await s.assignments.listForPrincipal('user', pid)).toEqual([a1, a2]);
      expect(await s.assignments.listForPrincipal('api_key', pid)).toEqual([]);
      expect(await s.assignments.listForTenant(t.id)).toEqual([a1, a2]);
      expect(await s.assignments.countForRole(r.id)).toBe(1);
      expect(await s.assignments.delete(t.id, 'user', pid, r.id)).toBe(true);
      expect(await s.assignments.delete(t.id, 'user', pid, r.id)).toBe(false);
      expect(await s.assignments.deleteForPrincipal('user', pid)).toBe(1);
      expect(await s.assignments.listForPrincipal('user', pid)).toEqual([]);
    });

    it('case=tenant-isolation: assignments are listed and deleted per tenant', async () => {
      const a = await tenant(s);
      const b = await tenant(s);
      const pid = randomUUID();
      const inA = {
        id: randomUUID(),
        tenantId: a.id,
        principalType: 'user' as const,
        principalId: pid,
        roleId: 'builtin-operator',
        createdAt: T0,
      };
      await s.assignments.insert(inA);
      expect(await s.assignments.listForTenant(b.id)).toEqual([]);
      expect(await s.assignments.delete(b.id, 'user', pid, 'builtin-operator')).toBe(false);
      expect(await s.assignments.listForTenant(a.id)).toEqual([inA]);
    });

    it('case=unique: the same role twice for one principal in one tenant', async () => {
      const t = await tenant(s);
      const a = {
        id: randomUUID(),
        tenantId: t.id,
        principalType: 'api_key' as const,
        principalId: randomUUID(),
        roleId: 'builtin-operator',
        createdAt: T0,
      };
      await s.assignments.insert(a);
      await expect(s.assignments.insert({ ...a, id: randomUUID() })).rejects.toBeInstanceOf(UniqueViolation);
    });
  });
}
