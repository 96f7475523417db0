import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniqueViolation, type Store } from '../../src/store/port.js';
import type { ApiKeyWithSecret } from '../../src/domain/types.js';
import { T0, sessionRow, tenant, type Open } from './fixtures.js';

const keyRow = (tenantId: string, name = `key-${randomUUID().slice(0, 8)}`): ApiKeyWithSecret => ({
  id: randomUUID(),
  tenantId,
  name,
  start: 'latch_ak_abcd',
  expiresAt: T0 + 86_400_000,
  createdAt: T0,
  createdBy: null,
  lastUsedAt: null,
  secretHash: randomUUID(),
});

export function apiKeysContract(open: Open) {
  describe('apiKeys', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it('inserts, gets (without digest), finds by name, lists, finds for login (with digest), touches, deletes', async () => {
      const t = await tenant(s);
      const k = keyRow(t.id, 'CI-Key');
      await s.apiKeys.insert(k);
      const { secretHash, ...view } = k;
      expect(await s.apiKeys.get(t.id, k.id)).toEqual(view);
      expect(await s.apiKeys.getAny(k.id)).toEqual(view);
      expect(await s.apiKeys.findByName(t.id, 'ci-key')).toEqual(view);
      expect(await s.apiKeys.list(t.id)).toEqual([view]);
      expect(await s.apiKeys.findForClient({ id: k.id })).toEqual({ key: k, tenant: t });
      expect(secretHash).toBeTruthy();
      await s.apiKeys.touch(k.id, T0 + 9);
      expect((await s.apiKeys.get(t.id, k.id))?.lastUsedAt).toBe(T0 + 9);
      await s.apiKeys.touch(k.id, T0 + 3); // a node flushing an older use late: ignored
      expect((await s.apiKeys.get(t.id, k.id))?.lastUsedAt).toBe(T0 + 9);
      expect(await s.apiKeys.delete(t.id, k.id)).toBe(true);
      expect(await s.apiKeys.getAny(k.id)).toBeUndefined();
      expect(await s.apiKeys.findForClient({ id: k.id })).toBeUndefined();
    });

    it('findForClient: by id, by tenant and name, by a bare name only while it is unique; any case; a miss is undefined', async () => {
      const a = await tenant(s, `Tenant-${randomUUID().slice(0, 8)}`);
      const b = await tenant(s);
      const name = `Same-${randomUUID().slice(0, 8)}`;
      const k = keyRow(a.id, name);
      await s.apiKeys.insert(k);
      const found = { key: k, tenant: a };
      expect(await s.apiKeys.findForClient({ id: k.id })).toEqual(found);
      expect(await s.apiKeys.findForClient({ tenantName: a.name.toUpperCase(), keyName: name.toLowerCase() })).toEqual(found);
      expect(await s.apiKeys.findForClient({ keyName: name.toUpperCase() })).toEqual(found);
      expect(await s.apiKeys.findForClient({ tenantName: b.name, keyName: name })).toBeUndefined();
      expect(await s.apiKeys.findForClient({ tenantName: 'no-such-tenant', keyName: name })).toBeUndefined();
      expect(await s.apiKeys.findForClient({ id: randomUUID() })).toBeUndefined();
      await s.apiKeys.insert(keyRow(b.id, name));
      // two tenants hold the name: a bare name no longer names one key
      expect(await s.apiKeys.findForClient({ keyName: name })).toBeUndefined();
      expect(await s.apiKeys.findForClient({ tenantName: a.name, keyName: name })).toEqual(found);
    });

    it('case=tenant-isolation: a key of another tenant is not found, listed or deleted', async () => {
      const a = await tenant(s);
      const b = await tenant(s);
      const k = keyRow(a.id);
      await s.apiKeys.insert(k);
      expect(await s.apiKeys.get(b.id, k.id)).toBeUndefined();
      expect(await s.apiKeys.findByName(b.id, k.name)).toBeUndefined();
      expect(await s.apiKeys.list(b.id)).toEqual([]);
      expect(await s.apiKeys.delete(b.id, k.id)).toBe(false);
      expect(await s.apiKeys.get(a.id, k.id)).toBeDefined();
    });

    it('case=unique: names are unique per tenant (case-insensitively), digests globally', async () => {
      const t = await tenant(s);
      const k = keyRow(t.id, 'Unique-Name');
      await s.apiKeys.insert(k);
      await expect(s.apiKeys.insert(keyRow(t.id, 'unique-name'))).rejects.toBeInstanceOf(UniqueViolation);
      await expect(s.apiKeys.insert({ ...keyRow(t.id), secretHash: k.secretHash })).rejects.toBeInstanceOf(UniqueViolation);
      const other = await tenant(s);
      await s.apiKeys.insert(keyRow(other.id, 'Unique-Name'));
    });
  });
}

export function sessionsContract(open: Open) {
  describe('sessions', () => {
    let s: Store;
    beforeAll(async () => void (s = await open()));
    afterAll(async () => s?.close());

    it('inserts, gets, lists per tenant and principal, revokes idempotently', async () => {
      const t = await tenant(s);
      const x = sessionRow(t.id);
      const y = { ...sessionRow(t.id, x.principalId), createdAt: T0 + 1 };
      await s.sessions.insert(x);
      await s.sessions.insert(y);
      expect(await s.sessions.get(x.id)).toEqual(x);
      expect((await s.sessions.listForTenant(t.id)).map((r) => r.id)).toEqual([y.id, x.id]);
      expect((await s.sessions.listForPrincipal('user', x.principalId)).map((r) => r.id)).toEqual([y.id, x.id]);
      expect(await s.sessions.listForPrincipal('api_key', x.principalId)).toEqual([]);
      expect(await s.sessions.revoke(x.id, T0 + 2)).toBe(true);
      expect(await s.sessions.revoke(x.id, T0 + 3)).toBe(false);
      expect((await s.sessions.get(x.id))?.revokedAt).toBe(T0 + 2);
      expect(await s.sessions.revokeForPrincipal('user', x.principalId, T0 + 4)).toEqual([y.id]);
      expect(await s.sessions.revokeForPrincipal('user', x.principalId, T0 + 5)).toEqual([]);
    });

    it("case=tenant-isolation: listForTenant lists only that tenant's sessions", async () => {
      const a = await tenant(s);
      const b = await tenant(s);
      const x = sessionRow(a.id);
      await s.sessions.insert(x);
      expect(await s.sessions.listForTenant(b.id)).toEqual([]);
      expect((await s.sessions.listForTenant(a.id)).map((r) => r.id)).toEqual([x.id]);
    });

    /** A refresh token's key as the service makes one: a time-ordered row id and a digest. */
    const rtKey = () => ({ id: randomUUID(), hash: randomUUID() });

    it('consumeRefreshToken: ok once, then reused; unknown; expired', async () => {
      const t = await tenant(s);
      const x = sessionRow(t.id);
      await s.sessions.insert(x);
      const key = rtKey();
      await s.sessions.addRefreshToken({ ...key, sessionId: x.id, createdAt: T0, expiresAt: T0 + 1000, usedAt: null });
      const r = await s.sessions.consumeRefreshToken(key, T0 + 10);
      expect(r).toEqual({
        status: 'ok',
        session: x,
        token: { ...key, sessionId: x.id, createdAt: T0, expiresAt: T0 + 1000, usedAt: T0 + 10 },
      });
      expect(await s.sessions.consumeRefreshToken(key, T0 + 11)).toEqual({ status: 'reused', sessionId: x.id });
      expect(await s.sessions.consumeRefreshToken(rtKey(), T0)).toEqual({ status: 'unknown' });
      const old = rtKey();
      await s.sessions.addRefreshToken({ ...old, sessionId: x.id, createdAt: T0, expiresAt: T0 + 1000, usedAt: null });
      expect(await s.sessions.consumeRefreshToken(old, T0 + 1000)).toEqual({ status: 'expired', sessionId: x.id });
      // An expired token is not spent by the failed attempt.
      expect(await s.sessions.consumeRefreshToken(old, T0 + 2000)).toEqual({ status: 'expired', sessionId: x.id });
    });

    it('case=row-id: a row id with another digest is not that token, for consume and find, and spends nothing', async () => {
      const t = await tenant(s);
      const x = sessionRow(t.id);
      await s.sessions.insert(x);
      const key = rtKey();
      await s.sessions.addRefreshToken({ ...key, sessionId: x.id, createdAt: T0, expiresAt: T0 + 1000, usedAt: null });
      const forged = { id: key.id, hash: randomUUID() };
      expect(await s.sessions.consumeRefreshToken(forged, T0 + 1)).toEqual({ status: 'unknown' });
      expect(await s.sessions.findRefreshToken(forged)).toBeUndefined();
      // Nor does a digest under another row id find it.
      expect(await s.sessions.consumeRefreshToken({ id: randomUUID(), hash: key.hash }, T0 + 1)).toEqual({ status: 'unknown' });
      expect((await s.sessions.consumeRefreshToken(key, T0 + 2)).status).toBe('ok');
    });

    it('findRefreshToken: the row and its session, without spending it; unknown is undefined', async () => {
      const t = await tenant(s);
      const x = sessionRow(t.id);
      await s.sessions.insert(x);
      const key = rtKey();
      await s.sessions.addRefreshToken({ ...key, sessionId: x.id, createdAt: T0, expiresAt: T0 + 1000, usedAt: null });
      const row = { ...key, sessionId: x.id, createdAt: T0, expiresAt: T0 + 1000, usedAt: null };
      expect(await s.sessions.findRefreshToken(key)).toEqual({ token: row, session: x });
      expect(await s.sessions.findRefreshToken(key)).toEqual({ token: row, session: x });
      expect((await s.sessions.consumeRefreshToken(key, T0 + 5)).status).toBe('ok');
      expect(await s.sessions.findRefreshToken(key)).toEqual({ token: { ...row, usedAt: T0 + 5 }, session: x });
      expect(await s.sessions.findRefreshToken(rtKey())).toBeUndefined();
    });

    it('case=unique: a refresh token row id and a session id are unique', async () => {
      const t = await tenant(s);
      const x = sessionRow(t.id);
      await s.sessions.insert(x);
      await expect(s.sessions.insert(x)).rejects.toBeInstanceOf(UniqueViolation);
      const key = rtKey();
      await s.sessions.addRefreshToken({ ...key, sessionId: x.id, createdAt: T0, expiresAt: T0 + 1000, usedAt: null });
      await expect(
        s.sessions.addRefreshToken({ ...key, sessionId: x.id, createdAt: T0, expiresAt: T0 + 1000, usedAt: null }),
      ).rejects.toBeInstanceOf(UniqueViolation);
    });

    it('case=concurrency: 16 parallel consumeRefreshToken of one token, exactly one ok', async () => {
      const t = await tenant(s);
      for (let round = 0; round < 5; round++) {
        const x = sessionRow(t.id);
        await s.sessions.insert(x);
        const key = rtKey();
        await s.sessions.addRefreshToken({ ...key, sessionId: x.id, createdAt: T0, expiresAt: T0 + 1000, usedAt: null });
        const results = await Promise.all(Array.from({ length: 16 }, () => s.sessions.consumeRefreshToken(key, T0 + 1)));
        expect(results.filter((r) => r.status === 'ok')).toHaveLength(1);
        expect(results.filter((r) => r.status === 'reused')).toHaveLength(15);
      }
    });
  });
}
