import { MAX_ID_TEXT, MAX_LOCATION, MAX_SHORT_TEXT } from '../domain/text.js';
import { Type, type Static } from '@sinclair/typebox';
import {
  ALL_CENTRAL_PERMISSIONS,
  APP_ONLY_PERMISSIONS,
  CENTRAL_IDENTITY_TYPES,
  CENTRAL_SKUS,
  DISPLAY_NAME_MAX,
  TEMPLATE_MAX,
} from '../domain/central.js';
import { ArmTagsSchema } from './arm.js';
import { Nullable } from './common.js';

// IoT Central service inputs (spec/iot-central-api-tokens.md, @azure/arm-iotcentral): the faces
// validate with these, the services take their Static types. The rules they name live in domain/central.ts.

export const RoleAssignmentSchema = Type.Object(
  {
    role: Type.String({ minLength: 1, maxLength: 100, description: 'Role id (GUID): a built-in role or a custom role of the app' }),
    organization: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Organization id; required for organization roles, refused for app roles' }),
    ),
  },
  { additionalProperties: false },
);

export const ApiTokenCreateSchema = Type.Object(
  {
    roles: Type.Array(RoleAssignmentSchema, { minItems: 1, maxItems: 20 }),
    expiry: Type.Optional(
      Type.String({ maxLength: MAX_SHORT_TEXT, description: 'ISO 8601 date-time in the future; default now + 365 days' }),
    ),
    id: Type.Optional(Type.Unknown({ description: 'read-only, ignored' })),
    token: Type.Optional(Type.Unknown({ description: 'read-only, ignored' })),
  },
  { additionalProperties: false },
);
export type ApiTokenCreate = Static<typeof ApiTokenCreateSchema>;

export const OrganizationCreateSchema = Type.Object(
  {
    displayName: Type.Optional(Type.String({ maxLength: DISPLAY_NAME_MAX, description: 'Default: the id' })),
    parent: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Parent organization id; absent = top level' })),
    id: Type.Optional(Type.Unknown({ description: 'read-only, ignored' })),
  },
  { additionalProperties: false },
);
export type OrganizationCreate = Static<typeof OrganizationCreateSchema>;

export const CustomRoleCreateSchema = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: DISPLAY_NAME_MAX }),
    scope: Type.Optional(Type.Union([Type.Literal('app'), Type.Literal('organization')], { default: 'app' })),
    permissions: Type.Array(Type.String({ maxLength: MAX_ID_TEXT }), {
      maxItems: 20,
      description: `Any of ${ALL_CENTRAL_PERMISSIONS.join(', ')}; organization roles cannot hold ${APP_ONLY_PERMISSIONS.join(', ')}`,
    }),
    id: Type.Optional(Type.Unknown({ description: 'read-only, ignored' })),
  },
  { additionalProperties: false },
);
export type CustomRoleCreate = Static<typeof CustomRoleCreateSchema>;

/** A non-blank string of at most `max` characters. */
const Text = (max: number, description?: string) =>
  Type.String({ minLength: 1, maxLength: max, pattern: '\\S', ...(description ? { description } : {}) });

/**
 * The ARM PUT and PATCH body of Microsoft.IoTCentral/iotApps (the SDK's `App` / `AppPatch`). The
 * schema checks shapes; the service checks meaning (location present, SKU known, identity type,
 * subdomain rule, template unchanged). Read-only fields (id, name, type, systemData,
 * properties.applicationId, state …) are accepted and ignored, as ARM clients send back what they read.
 */
export const CentralAppInputSchema = Type.Object(
  {
    location: Type.Optional(Type.String({ maxLength: MAX_LOCATION, description: 'Required on PUT; ignored on PATCH (it cannot change)' })),
    sku: Type.Optional(
      Type.Object(
        {
          name: Type.String({ maxLength: MAX_SHORT_TEXT, description: `${CENTRAL_SKUS.join(', ')} (case-insensitive)` }),
        },
        { additionalProperties: true },
      ),
    ),
    tags: Type.Optional(Nullable(ArmTagsSchema)),
    identity: Type.Optional(
      Nullable(
        Type.Object(
          {
            type: Type.String({ maxLength: MAX_SHORT_TEXT, description: `${CENTRAL_IDENTITY_TYPES.join(' or ')} (case-insensitive)` }),
          },
          { additionalProperties: true, description: 'principalId and tenantId are read-only, ignored' },
        ),
      ),
    ),
    properties: Type.Optional(
      Nullable(
        Type.Object(
          {
            displayName: Type.Optional(Nullable(Text(DISPLAY_NAME_MAX, 'Absent or null: kept (create: the name)'))),
            subdomain: Type.Optional(
              Nullable(
                Type.String({
                  maxLength: MAX_ID_TEXT,
                  description: 'A DNS label (up to 63), not GUID-shaped, globally unique; absent or null: kept (create: the name)',
                }),
              ),
            ),
            template: Type.Optional(Nullable(Text(TEMPLATE_MAX, 'Absent or null: kept (create: iotc-pnp-preview); cannot change'))),
          },
          { additionalProperties: true },
        ),
      ),
    ),
  },
  {
    additionalProperties: true,
    description:
      'Read-only fields (id, name, type, systemData, properties.applicationId, state …) are accepted and ignored, as ARM clients send them back',
  },
);
export type CentralAppInput = Static<typeof CentralAppInputSchema>;

/** checkNameAvailability / checkSubdomainAvailability body (the SDK's `OperationInputs`). */
export const AvailabilityInputSchema = Type.Object(
  {
    name: Type.String({ maxLength: MAX_ID_TEXT, description: 'The app name or subdomain to check' }),
    type: Type.Optional(Type.String({ maxLength: MAX_SHORT_TEXT, description: 'IoTApps (the only type)' })),
  },
  { additionalProperties: false },
);
export type AvailabilityInput = Static<typeof AvailabilityInputSchema>;
