import { Type, type Static } from '@sinclair/typebox';
import { CONNECTION_TYPES } from '../domain/types.js';
import { Nullable } from './common.js';

export const AgentBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    label: Type.Optional(Type.String({ maxLength: 128 })),
    hardwareModel: Type.Optional(Type.String({ maxLength: 128 })),
    hardwareSerial: Type.Optional(Type.String({ maxLength: 128 })),
    brokerVersion: Type.Optional(Type.String({ maxLength: 64 })),
    softwareVersion: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type AgentInput = Static<typeof AgentBodySchema>;

export const AssetTypeBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 1024 }))),
    connectionType: Type.Union(CONNECTION_TYPES.map((c) => Type.Literal(c))),
    dataModel: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type AssetTypeInput = Static<typeof AssetTypeBodySchema>;
