import { Type } from '@sinclair/typebox';
import type { CentralPermission } from '../../../domain/central.js';
import type { ErrorCode } from '../../../errors/catalog.js';
import { errorResponses } from '../../route.js';
import { CentralErrorSchema } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The IoT Central permission a data-plane route needs in the app (app-wide or in some organization). */
    centralPermission?: CentralPermission;
  }
}

/** The access part of a Central route: enforced by the face's hook, shown in OpenAPI as x-central-permission. */
export function centralAccess(permission: CentralPermission) {
  return {
    config: { centralPermission: permission },
    extras: { 'x-central-permission': permission, security: [{ sas: [] }, { bearer: [] }] as Record<string, string[]>[] },
  };
}

export const ApiVersionQuery = Type.Object({
  'api-version': Type.Optional(Type.String({ description: 'Required; 2022-07-31 (what az sends) and the other data-plane versions' })),
});
export const AppParam = { appId: Type.String({ description: 'Subdomain or application id (GUID)' }) };

export const centralErrors = (...codes: ErrorCode[]) =>
  errorResponses(
    CentralErrorSchema,
    'CENTRAL_APP_NOT_FOUND',
    'CENTRAL_UNAUTHENTICATED',
    'CENTRAL_API_VERSION_INVALID',
    'CENTRAL_FORBIDDEN',
    ...codes,
  );
