import { Type } from '@sinclair/typebox';
import { NoBody } from '../../schemas/common.js';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import { PERMISSIONS, type Permission } from '../../../domain/permissions.js';
import { CENTRAL_ARM_API_VERSIONS, type CentralApp } from '../../../domain/central.js';
import { AvailabilityInputSchema, CentralAppInputSchema } from '../../../schemas/central.js';
import { CENTRAL_APP_TYPE } from '../../../services/central-apps.js';
import { access } from '../../route.js';
import { armErrorResponses } from './errors.js';

const Str = Type.String();
/** The SDK's `App` as GET/PUT/PATCH answer it (properties.provisioningState: the LRO poller is done on the first answer). */
export const CentralAppSchema = Type.Object(
  {
    id: Str,
    name: Str,
    type: Str,
    location: Str,
    tags: Type.Record(Str, Str),
    sku: Type.Object({ name: Str }),
    identity: Type.Object({ type: Str }),
    properties: Type.Object({ provisioningState: Str, applicationId: Str, displayName: Str, subdomain: Str, template: Str, state: Str }),
    systemData: Type.Object({ createdAt: Str, lastModifiedAt: Str }),
  },
  { $id: 'IoTCentralApp' },
);
const AvailabilitySchema = Type.Object({ nameAvailable: Type.Boolean(), reason: Type.Optional(Str), message: Type.Optional(Str) });

export const centralAppView = (a: CentralApp) => ({
  id: `/subscriptions/${a.tenantId}/resourceGroups/${a.resourceGroup}/providers/Microsoft.IoTCentral/iotApps/${a.name}`,
  name: a.name,
  type: CENTRAL_APP_TYPE,
  location: a.location,
  tags: a.tags,
  sku: { name: a.sku },
  identity: { type: a.identityType },
  properties: {
    provisioningState: 'Succeeded',
    applicationId: a.id,
    displayName: a.displayName,
    subdomain: a.subdomain,
    template: a.template,
    state: 'created',
  },
  systemData: { createdAt: new Date(a.createdAt).toISOString(), lastModifiedAt: new Date(a.updatedAt).toISOString() },
});

const ApiVersionQuery = Type.Object({
  'api-version': Type.Optional(Type.String({ description: `Required: ${CENTRAL_ARM_API_VERSIONS.join(', ')}` })),
});
type P = { subscriptionId: string; resourceGroupName: string; resourceName: string };

/**
 * Microsoft.IoTCentral/iotApps in the ARM face (same context: TLS, Bearer, ARM envelope,
 * api-version hook, subscription = tenant). Shapes: @azure/arm-iotcentral 6.0.0. Synchronous:
 * PUT 201/200 with provisioningState Succeeded, DELETE 200 with an empty body.
 */
export function registerIotCentralApps(app: App, s: Services) {
  const route = (permission: Permission, verb: string) => {
    const a = access({ tenantScoped: true, permission });
    return {
      config: {
        ...a.config,
        armAction: `Microsoft.IoTCentral/IoTApps/${verb}`,
        armApiVersions: CENTRAL_ARM_API_VERSIONS,
        armKind: 'central' as const,
      },
      extras: a.schemaExtras,
    };
  };
  const read = route(PERMISSIONS.CENTRAL_APP_READ, 'read');
  const write = route(PERMISSIONS.CENTRAL_APP_WRITE, 'write');
  const del = route(PERMISSIONS.CENTRAL_APP_WRITE, 'delete');
  const check = route(PERMISSIONS.CENTRAL_APP_READ, 'checkNameAvailability/action');
  const sub = '/:subscriptionId/providers/Microsoft.IoTCentral';
  const base = '/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.IoTCentral/iotApps';
  const one = `${base}/:resourceName`;
  const Params = Type.Object({
    subscriptionId: Str,
    resourceGroupName: Type.String({ maxLength: 90 }),
    resourceName: Type.String({ maxLength: 101 }),
  });
  const p = (req: FastifyRequest) => req.params as P;
  const tags = ['arm: IoT Central apps'];
  const AppRef = Type.Ref(CentralAppSchema.$id!);
  app.addSchema(CentralAppSchema);

  app.put(
    one,
    {
      config: write.config,
      schema: {
        ...write.extras,
        tags,
        operationId: 'createOrUpdateCentralApp',
        summary: 'Create or update an IoT Central app (synchronous: 201 created, 200 updated)',
        params: Params,
        querystring: ApiVersionQuery,
        body: CentralAppInputSchema,
        response: {
          200: AppRef,
          201: AppRef,
          ...armErrorResponses(
            'IOT_BODY_INVALID',
            'IOT_SKU_INVALID',
            'IOT_LOCATION_REQUIRED',
            'IOT_NAME_UNAVAILABLE',
            'CENTRAL_SUBDOMAIN_INVALID',
            'CENTRAL_SUBDOMAIN_UNAVAILABLE',
            'CENTRAL_TEMPLATE_CHANGED',
          ),
        },
      },
    },
    async (req, reply) => {
      const { app: a, created } = await s.centralApps.createOrUpdate(
        req.ctx,
        req.tenantId!,
        p(req).resourceGroupName,
        p(req).resourceName,
        req.body,
      );
      return reply.code(created ? 201 : 200).send(centralAppView(a));
    },
  );

  app.patch(
    one,
    {
      config: write.config,
      schema: {
        ...write.extras,
        tags,
        operationId: 'updateCentralApp',
        summary: 'Update an IoT Central app (AppPatch: tags, sku, identity, displayName, subdomain)',
        params: Params,
        querystring: ApiVersionQuery,
        body: CentralAppInputSchema,
        response: {
          200: AppRef,
          ...armErrorResponses(
            'IOT_BODY_INVALID',
            'IOT_SKU_INVALID',
            'IOT_RESOURCE_NOT_FOUND',
            'CENTRAL_SUBDOMAIN_INVALID',
            'CENTRAL_SUBDOMAIN_UNAVAILABLE',
            'CENTRAL_TEMPLATE_CHANGED',
          ),
        },
      },
    },
    async (req) =>
      centralAppView(await s.centralApps.patch(req.ctx, req.tenantId!, p(req).resourceGroupName, p(req).resourceName, req.body)),
  );

  app.get(
    one,
    {
      config: read.config,
      schema: {
        ...read.extras,
        tags,
        operationId: 'getCentralApp',
        summary: 'Get an IoT Central app',
        params: Params,
        querystring: ApiVersionQuery,
        response: { 200: AppRef, ...armErrorResponses('IOT_RESOURCE_NOT_FOUND') },
      },
    },
    async (req) => centralAppView(await s.centralApps.get(req.tenantId!, p(req).resourceGroupName, p(req).resourceName)),
  );

  app.delete(
    one,
    {
      config: del.config,
      schema: {
        ...del.extras,
        tags,
        operationId: 'deleteCentralApp',
        summary: 'Delete an IoT Central app with its API tokens, organizations and roles (200, empty body)',
        params: Params,
        querystring: ApiVersionQuery,
        response: { 200: NoBody('Deleted (empty body)'), ...armErrorResponses('IOT_RESOURCE_NOT_FOUND') },
      },
    },
    async (req, reply) => {
      await s.centralApps.delete(req.ctx, req.tenantId!, p(req).resourceGroupName, p(req).resourceName);
      return reply.code(200).send();
    },
  );

  const list = Type.Object({ value: Type.Array(AppRef), nextLink: Type.Optional(Str) });
  app.get(
    base,
    {
      config: read.config,
      schema: {
        ...read.extras,
        tags,
        operationId: 'listCentralAppsByResourceGroup',
        summary: 'List the IoT Central apps of a resource group',
        params: Type.Omit(Params, ['resourceName']),
        querystring: ApiVersionQuery,
        response: { 200: list, ...armErrorResponses() },
      },
    },
    async (req) => ({ value: (await s.centralApps.list(req.tenantId!, p(req).resourceGroupName)).map(centralAppView) }),
  );

  app.get(
    `${sub}/iotApps`,
    {
      config: read.config,
      schema: {
        ...read.extras,
        tags,
        operationId: 'listCentralAppsBySubscription',
        summary: 'List the IoT Central apps of the subscription (tenant)',
        params: Type.Object({ subscriptionId: Str }),
        querystring: ApiVersionQuery,
        response: { 200: list, ...armErrorResponses() },
      },
    },
    async (req) => ({ value: (await s.centralApps.list(req.tenantId!)).map(centralAppView) }),
  );

  for (const [path, fn, what] of [
    ['checkNameAvailability', s.centralApps.nameAvailability, 'an app name (global)'],
    ['checkSubdomainAvailability', s.centralApps.subdomainAvailability, 'a subdomain (global host label)'],
  ] as const) {
    app.post(
      `${sub}/${path}`,
      {
        config: check.config,
        schema: {
          ...check.extras,
          tags,
          operationId: path,
          summary: `Whether ${what} is free`,
          params: Type.Object({ subscriptionId: Str }),
          querystring: ApiVersionQuery,
          body: AvailabilityInputSchema,
          response: { 200: AvailabilitySchema, ...armErrorResponses('IOT_BODY_INVALID') },
        },
      },
      async (req) => fn(req.body),
    );
  }
}
