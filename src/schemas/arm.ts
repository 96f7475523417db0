import { MAX_ID_TEXT, MAX_LOCATION, MAX_SHORT_TEXT } from '../domain/text.js';
import { Type, type Static } from '@sinclair/typebox';
import { MAX_SKU_CAPACITY, MAX_TAG_NAME, MAX_TAG_VALUE, MAX_TAGS, MIN_SKU_CAPACITY } from '../domain/iot.js';
import { Nullable } from './common.js';

/**
 * The ARM create-or-update body of an IoT hub or provisioning service. The schema checks shapes;
 * the service checks meaning (location present, SKU known, policy names, rights, keys, count).
 * Read-only fields (id, name, etag, properties.hostName …) are accepted and ignored, as az sends them back.
 */
/** ARM resource tags (every resource type): names and values of bounded length, at most MAX_TAGS. */
export const ArmTagsSchema = Type.Record(Type.String(), Type.String({ maxLength: MAX_TAG_VALUE }), {
  maxProperties: MAX_TAGS,
  propertyNames: { maxLength: MAX_TAG_NAME },
});

export const AuthorizationPolicySchema = Type.Object(
  {
    keyName: Type.String({ maxLength: MAX_ID_TEXT }),
    rights: Type.String({ maxLength: MAX_ID_TEXT, description: 'Comma-separated rights, e.g. "RegistryRead, ServiceConnect"' }),
    primaryKey: Type.Optional(
      Nullable(Type.String({ maxLength: MAX_ID_TEXT, description: 'Base64 of 16-64 bytes; generated when absent' })),
    ),
    secondaryKey: Type.Optional(
      Nullable(Type.String({ maxLength: MAX_ID_TEXT, description: 'Base64 of 16-64 bytes; generated when absent' })),
    ),
  },
  { additionalProperties: true },
);

export const IotResourceBodySchema = Type.Object(
  {
    location: Type.Optional(Type.String({ maxLength: MAX_LOCATION })),
    sku: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ maxLength: MAX_SHORT_TEXT })),
          capacity: Type.Optional(Nullable(Type.Integer({ minimum: MIN_SKU_CAPACITY, maximum: MAX_SKU_CAPACITY }))),
        },
        { additionalProperties: true },
      ),
    ),
    tags: Type.Optional(Nullable(ArmTagsSchema)),
    properties: Type.Optional(
      Nullable(
        Type.Object(
          {
            authorizationPolicies: Type.Optional(
              Nullable(
                Type.Array(AuthorizationPolicySchema, {
                  description: 'Absent or null on update: keep the policies; present: replace the whole set',
                }),
              ),
            ),
            eventHubEndpoints: Type.Optional(
              Type.Unknown({
                description: 'Hub only: events.partitionCount (2-32) and events.retentionTimeInDays (1-7) are kept on create',
              }),
            ),
          },
          { additionalProperties: true },
        ),
      ),
    ),
  },
  {
    additionalProperties: true,
    description: 'Read-only fields (id, name, etag, properties.hostName …) are accepted and ignored, as az sends them back',
  },
);
export type IotResourceInput = Static<typeof IotResourceBodySchema>;
