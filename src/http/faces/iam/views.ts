import { Type, type TSchema } from '@sinclair/typebox';
import { IsoTime, Nullable, iso, isoOrNull } from '../../schemas/common.js';
import type { ApiKeyView } from '../../../services/api-keys.js';
import type { RoleView } from '../../../services/roles.js';
import type { Session, Tenant, User } from '../../../domain/types.js';

// View schemas: serialization writes only these properties, so no digest or hash can leak.

export const ApiKeySchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    roles: Type.Array(Type.String()),
    tenantId: Type.String(),
    clientId: Type.String(),
    start: Type.String({ description: 'First characters of the secret, to recognise it' }),
    createdAt: IsoTime,
    expiry: IsoTime,
    lastUsedAt: Nullable(IsoTime),
    createdBy: Nullable(Type.String()),
  },
  { $id: 'ApiKey' },
);
export const ApiKeyCreatedSchema = Type.Composite([
  Type.Omit(ApiKeySchema, []),
  Type.Object({ secret: Type.String({ description: 'Shown once; never again' }) }),
]);

export const apiKeyView = (k: ApiKeyView) => ({
  id: k.id,
  name: k.name,
  roles: k.roles.map((r) => r.name),
  tenantId: k.tenantId,
  clientId: k.clientId,
  start: k.start,
  createdAt: iso(k.createdAt),
  expiry: iso(k.expiresAt),
  lastUsedAt: isoOrNull(k.lastUsedAt),
  createdBy: k.createdBy,
});

export const RoleSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    builtIn: Type.Boolean(),
    permissions: Type.Array(Type.String()),
    tenantId: Nullable(Type.String()),
  },
  { $id: 'Role' },
);
export const roleView = (r: RoleView) => r;

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    email: Nullable(Type.String()),
    firstName: Nullable(Type.String()),
    lastName: Nullable(Type.String()),
    tenantId: Type.String(),
    roles: Type.Array(Type.String()),
    createdAt: IsoTime,
    lastUsedAt: Nullable(IsoTime),
  },
  { $id: 'User' },
);
export const userView = (u: User, roles: RoleView[]) => ({
  id: u.id,
  username: u.username,
  email: u.email,
  firstName: u.firstName,
  lastName: u.lastName,
  tenantId: u.tenantId,
  roles: roles.map((r) => r.name),
  createdAt: iso(u.createdAt),
  lastUsedAt: isoOrNull(u.lastUsedAt),
});

export const OrgSchema = Type.Object(
  { id: Type.String(), name: Type.String(), parentId: Nullable(Type.String()), createdAt: IsoTime },
  { $id: 'Org' },
);
export const orgView = (t: Tenant) => ({ id: t.id, name: t.name, parentId: t.parentId, createdAt: iso(t.createdAt) });

export const SessionSchema = Type.Object(
  {
    id: Type.String(),
    principalType: Type.String(),
    principalId: Type.String(),
    createdAt: IsoTime,
    expiresAt: IsoTime,
    clientAddress: Nullable(Type.String()),
  },
  { $id: 'Session' },
);
export const sessionView = (s: Session) => ({
  id: s.id,
  principalType: s.principalType,
  principalId: s.principalId,
  createdAt: iso(s.createdAt),
  expiresAt: iso(s.expiresAt),
  clientAddress: s.clientAddress,
});

export const valueOf = <T extends TSchema>(item: T) => Type.Object({ value: Type.Array(item) });
