import { Type, type Static } from '@sinclair/typebox';
import { ALL_CENTRAL_PERMISSIONS, APP_ONLY_PERMISSIONS, DISPLAY_NAME_MAX } from '../domain/central.js';

// IoT Central service inputs (spec/iot-central-api-tokens.md, @azure/arm-iotcentral): the faces
// validate with these, the services take their Static types. The rules they name live in domain/central.ts.

export const RoleAssignmentSchema = Type.Object({
  role: Type.String({ minLength: 1, maxLength: 100, description: 'Role id (GUID): a built-in role or a custom role of the app' }),
  organization: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Organization id; required for organization roles, refused for app roles' })),
}, { additionalProperties: false });

export const ApiTokenCreateSchema = Type.Object({
  roles: Type.Array(RoleAssignmentSchema, { minItems: 1, maxItems: 20 }),
  expiry: Type.Optional(Type.String({ description: 'ISO 8601 date-time in the future; default now + 365 days' })),
  id: Type.Optional(Type.Unknown({ description: 'read-only, ignored' })),
  token: Type.Optional(Type.Unknown({ description: 'read-only, ignored' })),
}, { additionalProperties: false });
export type ApiTokenCreate = Static<typeof ApiTokenCreateSchema>;

export const OrganizationCreateSchema = Type.Object({
  displayName: Type.Optional(Type.String({ maxLength: DISPLAY_NAME_MAX, description: 'Default: the id' })),
  parent: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Parent organization id; absent = top level' })),
  id: Type.Optional(Type.Unknown({ description: 'read-only, ignored' })),
}, { additionalProperties: false });
export type OrganizationCreate = Static<typeof OrganizationCreateSchema>;

export const CustomRoleCreateSchema = Type.Object({
  displayName: Type.String({ minLength: 1, maxLength: DISPLAY_NAME_MAX }),
  scope: Type.Optional(Type.Union([Type.Literal('app'), Type.Literal('organization')], { default: 'app' })),
  permissions: Type.Array(Type.String(), { maxItems: 20, description: `Any of ${ALL_CENTRAL_PERMISSIONS.join(', ')}; organization roles cannot hold ${APP_ONLY_PERMISSIONS.join(', ')}` }),
  id: Type.Optional(Type.Unknown({ description: 'read-only, ignored' })),
}, { additionalProperties: false });
export type CustomRoleCreate = Static<typeof CustomRoleCreateSchema>;

/** ARM PUT body of Microsoft.IoTCentral/iotApps (the SDK's `App`); read-only fields are accepted and ignored. */
export const CentralAppInputSchema = Type.Object({
  location: Type.Optional(Type.Unknown()),
  sku: Type.Optional(Type.Unknown()),
  tags: Type.Optional(Type.Unknown()),
  identity: Type.Optional(Type.Unknown()),
  properties: Type.Optional(Type.Unknown()),
}, { additionalProperties: true });
export type CentralAppInput = Static<typeof CentralAppInputSchema>;

/** checkNameAvailability / checkSubdomainAvailability body (the SDK's `OperationInputs`). */
export const AvailabilityInputSchema = Type.Object({
  name: Type.String({ description: 'The app name or subdomain to check' }),
  type: Type.Optional(Type.String({ description: 'IoTApps (the only type)' })),
}, { additionalProperties: false });
export type AvailabilityInput = Static<typeof AvailabilityInputSchema>;
