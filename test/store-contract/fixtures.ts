import { randomUUID } from 'node:crypto';
import type { Store } from '../../src/store/port.js';
import type { AuditEvent, Session, Tenant, UserWithSecret } from '../../src/domain/types.js';

export type Open = () => Promise<Store>;

export const T0 = Date.UTC(2030, 0, 1);

export async function tenant(s: Store, name = `tenant-${randomUUID()}`, parentId: string | null = null): Promise<Tenant> {
  const t: Tenant = { id: randomUUID(), name, parentId, createdAt: T0 };
  await s.tenants.insert(t);
  return t;
}

export function userRow(tenantId: string, username = `user-${randomUUID()}`): UserWithSecret {
  return {
    id: randomUUID(),
    tenantId,
    username,
    email: 'a@example.com',
    firstName: 'A',
    lastName: 'B',
    platformAdmin: false,
    disabled: false,
    createdAt: T0,
    lastUsedAt: null,
    passwordHash: '$argon2id$fake',
  };
}

export function sessionRow(tenantId: string, principalId: string = randomUUID(), type: 'user' | 'api_key' = 'user'): Session {
  return {
    id: randomUUID(),
    tenantId,
    principalType: type,
    principalId,
    createdAt: T0,
    expiresAt: T0 + 3_600_000,
    revokedAt: null,
    clientAddress: '10.0.0.1',
  };
}

export function event(tenantId: string, at: number, action = 'user.created', actorId: string | null = 'actor-1'): AuditEvent {
  return {
    id: randomUUID(),
    tenantId,
    at,
    actorType: 'user',
    actorId,
    action,
    targetType: 'user',
    targetId: randomUUID(),
    requestId: 'req-1',
    clientAddress: '10.0.0.1',
    detail: { n: at },
  };
}

/** Opens a fresh store per test and closes it afterwards. */
export function withStore(open: Open) {
  return async (fn: (s: Store) => Promise<void>) => {
    const s = await open();
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  };
}
