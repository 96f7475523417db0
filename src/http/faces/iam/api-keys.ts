import { Type } from '@sinclair/typebox';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import { PERMISSIONS } from '../../../domain/permissions.js';
import { access, errorResponses } from '../../route.js';
import { TenantHeader, NoBody } from '../../schemas/common.js';
import { CreateApiKeySchema } from '../../../schemas/iam.js';
import { EiErrorSchema } from './errors.js';
import { ApiKeyCreatedSchema, ApiKeySchema, apiKeyView, valueOf } from './views.js';

const manage = access({ tenantScoped: true, permission: PERMISSIONS.ACCESS_CONTROL });
const Params = Type.Object({ key: Type.String({ description: 'API key id or name', maxLength: 64 }) });

/** /iam/api-keys: EI-style API keys of the tenant in x-tenant-id (spec/ei-iam.md §8). */
export function registerApiKeyRoutes(app: App, s: Services) {
  app.post(
    '/iam/api-keys',
    {
      config: { ...manage.config, noStore: true },
      schema: {
        ...manage.schemaExtras,
        tags: ['api-keys'],
        operationId: 'createApiKey',
        summary: 'Create an API key; the secret is in this response only',
        headers: TenantHeader,
        body: CreateApiKeySchema,
        response: {
          201: ApiKeyCreatedSchema,
          ...errorResponses(
            EiErrorSchema,
            'API_KEY_NAME_INVALID',
            'API_KEY_EXPIRY_INVALID',
            'API_KEY_ROLES_REQUIRED',
            'ROLE_NOT_FOUND',
            'API_KEY_NAME_TAKEN',
            'PERMISSION_ESCALATION',
          ),
        },
      },
    },
    async (req, reply) => {
      const { key, secret } = await s.apiKeys.create(req.ctx, req.tenantId!, req.body);
      return reply.code(201).send({ ...apiKeyView(key), secret });
    },
  );

  app.get(
    '/iam/api-keys',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['api-keys'],
        operationId: 'listApiKeys',
        summary: 'List API keys (never their secrets)',
        headers: TenantHeader,
        response: { 200: valueOf(ApiKeySchema) },
      },
    },
    async (req) => ({ value: (await s.apiKeys.list(req.tenantId!)).map(apiKeyView) }),
  );

  app.get(
    '/iam/api-keys/:key',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['api-keys'],
        operationId: 'getApiKey',
        summary: 'Show one API key',
        headers: TenantHeader,
        params: Params,
        response: { 200: ApiKeySchema, ...errorResponses(EiErrorSchema, 'API_KEY_NOT_FOUND') },
      },
    },
    async (req) => apiKeyView(await s.apiKeys.get(req.tenantId!, req.params.key)),
  );

  app.delete(
    '/iam/api-keys/:key',
    {
      config: manage.config,
      schema: {
        ...manage.schemaExtras,
        tags: ['api-keys'],
        operationId: 'deleteApiKey',
        summary: 'Delete an API key; its tokens stop working at once',
        headers: TenantHeader,
        params: Params,
        response: { 204: NoBody('Deleted'), ...errorResponses(EiErrorSchema, 'API_KEY_NOT_FOUND') },
      },
    },
    async (req, reply) => {
      await s.apiKeys.delete(req.ctx, req.tenantId!, req.params.key);
      return reply.code(204).send();
    },
  );
}
