import { MAX_ID_TEXT, MAX_SHORT_TEXT } from '../domain/text.js';
import { Type, type Static } from '@sinclair/typebox';
import { API_KEY_EXPIRY_DAYS, API_KEY_NAME_PATTERN, DEFAULT_API_KEY_EXPIRY_DAYS } from '../domain/api-keys.js';
import { TENANT_NAME_MAX, TENANT_NAME_PATTERN } from '../domain/tenants.js';
import { PageQuerySchema } from './common.js';

// Request bodies and queries of the iam face: the routes validate with these, the services take their Static types.

export const CreateApiKeySchema = Type.Object(
  {
    // Bounded by the name rule (1-40 characters), which the service checks before anything is stored: it answers API_KEY_NAME_INVALID.
    name: Type.String({ description: `${API_KEY_NAME_PATTERN}, unique in the tenant` }),
    roles: Type.Array(Type.String({ maxLength: MAX_ID_TEXT, description: 'Role id or name' }), { maxItems: 50 }),
    expiresInDays: Type.Optional(
      Type.Integer({ description: `${API_KEY_EXPIRY_DAYS.join(', ')} (default ${DEFAULT_API_KEY_EXPIRY_DAYS})` }),
    ),
    expiry: Type.Optional(Type.String({ maxLength: MAX_SHORT_TEXT, description: 'Explicit expiry, ISO 8601' })),
  },
  { additionalProperties: false },
);
export type CreateApiKey = Static<typeof CreateApiKeySchema>;

export const CreateUserSchema = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ maxLength: 1024 }),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    firstName: Type.Optional(Type.String({ maxLength: 128 })),
    lastName: Type.Optional(Type.String({ maxLength: 128 })),
    roles: Type.Optional(Type.Array(Type.String({ maxLength: MAX_ID_TEXT }), { maxItems: 50 })),
  },
  { additionalProperties: false },
);
export type CreateUser = Static<typeof CreateUserSchema>;

const RoleName = Type.String({ minLength: 1, maxLength: 128 });
const Permissions = Type.Array(Type.String({ maxLength: MAX_ID_TEXT }), { maxItems: 64 });

export const CreateRoleSchema = Type.Object(
  {
    name: RoleName,
    description: Type.Optional(Type.String({ maxLength: 512 })),
    permissions: Permissions,
  },
  { additionalProperties: false },
);
export type CreateRole = Static<typeof CreateRoleSchema>;

export const UpdateRoleSchema = Type.Object(
  {
    name: Type.Optional(RoleName),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 512 }), Type.Null()])),
    permissions: Type.Optional(Permissions),
  },
  { additionalProperties: false },
);
export type UpdateRole = Static<typeof UpdateRoleSchema>;

/** A tenant or sub-organization to create. */
export const CreateTenantSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: TENANT_NAME_MAX,
      pattern: TENANT_NAME_PATTERN,
      description: 'Unique (case-insensitive); must not contain "->"',
    }),
  },
  { additionalProperties: false },
);
export type CreateTenant = Static<typeof CreateTenantSchema>;

export const AuditQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: MAX_SHORT_TEXT, description: 'ISO 8601 or epoch ms, inclusive' })),
    to: Type.Optional(Type.String({ maxLength: MAX_SHORT_TEXT, description: 'exclusive' })),
    actor: Type.Optional(Type.String({ maxLength: 64 })),
    action: Type.Optional(Type.String({ maxLength: 64 })),
    ...PageQuerySchema.properties,
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuerySchema>;
