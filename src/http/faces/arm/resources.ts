import { Type } from '@sinclair/typebox';
import { NoBody } from '../../schemas/common.js';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import type { IotKind, IotResource } from '../../../domain/types.js';
import type { Permission } from '../../../domain/permissions.js';
import { IotResourceBodySchema } from '../../../schemas/arm.js';
import { access } from '../../route.js';
import { armErrorResponses } from './errors.js';
import { KeyRuleListSchema, KeyRuleSchema, keyView, listOf } from './views.js';

/** One ARM resource type of Microsoft.Devices: how its paths, permissions and views are spelled. */
export interface ArmResourceSpec {
  kind: IotKind;
  /** Path segment after providers/Microsoft.Devices/. */
  collection: 'IotHubs' | 'provisioningServices';
  /** Segment before {keyName}/listkeys: IotHubKeys (hub) or keys (DPS). */
  keysSegment: 'IotHubKeys' | 'keys';
  nameParam: string;
  apiVersions: readonly string[];
  permissions: { read: Permission; write: Permission; keys: Permission };
  schemaRef: string;
  view: (r: IotResource) => unknown;
  tag: string;
}

const ApiVersionQuery = Type.Object({
  'api-version': Type.Optional(Type.String({ description: 'Required; see the supported versions of this resource type' })),
});
const PageQuery = Type.Object({
  'api-version': Type.Optional(Type.String()),
  $skipToken: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$', description: 'Continuation from nextLink' })),
});

const actionOf = (spec: ArmResourceSpec, verb: string) =>
  `Microsoft.Devices/${spec.collection === 'IotHubs' ? 'IotHubs' : 'provisioningServices'}/${verb}`;

/** Registers the ARM operations of one resource type (spec/arm-iothub-dps-keys.md §3, §4). */
export function registerArmResource(app: App, s: Services, spec: ArmResourceSpec) {
  const route = (permission: Permission, verb: string) => {
    const a = access({ tenantScoped: true, permission });
    return {
      config: { ...a.config, armAction: actionOf(spec, verb), armApiVersions: spec.apiVersions, armKind: spec.kind },
      extras: a.schemaExtras,
    };
  };
  const read = route(spec.permissions.read, 'read');
  const write = route(spec.permissions.write, 'write');
  const del = route(spec.permissions.write, 'delete');
  const keys = route(spec.permissions.keys, 'listkeys/action');
  const base = `/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.Devices/${spec.collection}`;
  const one = `${base}/:${spec.nameParam}`;
  const Params = Type.Object({
    subscriptionId: Type.String(),
    resourceGroupName: Type.String({ maxLength: 90 }),
    [spec.nameParam]: Type.String({ maxLength: 64 }),
  });
  const KeyParams = Type.Object({ ...Params.properties, keyName: Type.String({ maxLength: 64 }) });
  type P = { subscriptionId: string; resourceGroupName: string; keyName?: string } & Record<string, string>;
  const name = (req: FastifyRequest) => (req.params as P)[spec.nameParam]!;
  const rg = (req: FastifyRequest) => (req.params as P).resourceGroupName;
  const tags = [spec.tag];
  const noun = spec.kind === 'hub' ? 'IotHub' : 'ProvisioningService';

  app.put(
    one,
    {
      config: write.config,
      schema: {
        ...write.extras,
        tags,
        operationId: `createOrUpdate${noun}`,
        summary: `Create or update (synchronous: 201 created, 200 updated); If-Match with a stale etag → 412`,
        params: Params,
        querystring: ApiVersionQuery,
        body: IotResourceBodySchema,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        response: {
          200: Type.Ref(spec.schemaRef),
          201: Type.Ref(spec.schemaRef),
          ...armErrorResponses(
            'IOT_BODY_INVALID',
            'IOT_SKU_INVALID',
            'IOT_LOCATION_REQUIRED',
            'IOT_RIGHTS_INVALID',
            'IOT_KEY_NAME_DUPLICATE',
            'IOT_TOO_MANY_POLICIES',
            'IOT_KEY_INVALID',
            'IOT_NAME_UNAVAILABLE',
            'IOT_PRECONDITION_FAILED',
          ),
        },
      },
    },
    async (req, reply) => {
      const ifMatch = req.headers['if-match'];
      const { resource, created } = await s.iot.createOrUpdate(
        req.ctx,
        req.tenantId!,
        spec.kind,
        rg(req),
        name(req),
        req.body,
        typeof ifMatch === 'string' ? ifMatch : undefined,
      );
      return reply.code(created ? 201 : 200).send(spec.view(resource));
    },
  );

  app.get(
    one,
    {
      config: read.config,
      schema: {
        ...read.extras,
        tags,
        operationId: `get${noun}`,
        summary: 'Get (no keys)',
        params: Params,
        querystring: ApiVersionQuery,
        response: { 200: Type.Ref(spec.schemaRef), ...armErrorResponses('IOT_RESOURCE_NOT_FOUND') },
      },
    },
    async (req) => spec.view(await s.iot.get(req.tenantId!, spec.kind, rg(req), name(req))),
  );

  app.delete(
    one,
    {
      config: del.config,
      schema: {
        ...del.extras,
        tags,
        operationId: `delete${noun}`,
        summary: 'Delete (synchronous, 200 with an empty body); missing → 404 ResourceNotFound',
        params: Params,
        querystring: ApiVersionQuery,
        response: { 200: NoBody('Deleted (empty body)'), ...armErrorResponses('IOT_RESOURCE_NOT_FOUND') },
      },
    },
    async (req, reply) => {
      await s.iot.delete(req.ctx, req.tenantId!, spec.kind, rg(req), name(req));
      return reply.code(200).send();
    },
  );

  app.get(
    base,
    {
      config: read.config,
      schema: {
        ...read.extras,
        tags,
        operationId: `list${noun}sByResourceGroup`,
        summary: 'List in a resource group (resource groups are implicit: an unknown one is empty)',
        params: Type.Omit(Params, [spec.nameParam]),
        querystring: ApiVersionQuery,
        response: { 200: listOf(spec.schemaRef), ...armErrorResponses() },
      },
    },
    async (req) => ({ value: (await s.iot.list(req.tenantId!, spec.kind, rg(req))).map(spec.view) }),
  );

  app.get(
    `/:subscriptionId/providers/Microsoft.Devices/${spec.collection}`,
    {
      config: read.config,
      schema: {
        ...read.extras,
        tags,
        operationId: `list${noun}sBySubscription`,
        summary: 'List in the subscription (tenant)',
        params: Type.Object({ subscriptionId: Type.String() }),
        querystring: ApiVersionQuery,
        response: { 200: listOf(spec.schemaRef), ...armErrorResponses() },
      },
    },
    async (req) => ({ value: (await s.iot.list(req.tenantId!, spec.kind)).map(spec.view) }),
  );

  const listKeys = async (req: FastifyRequest) => {
    const q = req.query as { 'api-version': string; $skipToken?: string };
    const offset = q.$skipToken ? Number(q.$skipToken) : 0;
    const limit = s.iot.keysPageSize;
    const { items, total } = await s.iot.listKeys(req.ctx, req.tenantId!, spec.kind, rg(req), name(req), { offset, limit });
    const out: { value: unknown[]; nextLink?: string } = { value: items.map(keyView) };
    if (offset + limit < total) {
      // The SDK GETs nextLink verbatim, so it carries api-version itself (spec §2, §7.2).
      const path = req.url.split('?')[0];
      out.nextLink = `${req.protocol}://${req.host}${path}?api-version=${encodeURIComponent(q['api-version'])}&%24skipToken=${offset + limit}`;
    }
    return out;
  };
  const listKeysSchema = {
    ...keys.extras,
    tags,
    params: Params,
    querystring: PageQuery,
    response: { 200: KeyRuleListSchema, ...armErrorResponses('IOT_RESOURCE_NOT_FOUND') },
  };
  app.post(
    `${one}/listkeys`,
    {
      config: { ...keys.config, noStore: true },
      schema: {
        ...listKeysSchema,
        operationId: `list${noun}Keys`,
        summary: 'List shared access policies with their keys (paged; every call is audited)',
      },
    },
    listKeys,
  );
  app.get(
    `${one}/listkeys`,
    {
      config: { ...keys.config, noStore: true },
      schema: {
        ...listKeysSchema,
        operationId: `list${noun}KeysNextPage`,
        summary: 'Next pages of listkeys (the nextLink is followed with GET)',
      },
    },
    listKeys,
  );

  app.post(
    `${one}/${spec.keysSegment}/:keyName/listkeys`,
    {
      config: { ...keys.config, noStore: true },
      schema: {
        ...keys.extras,
        tags,
        operationId: `get${noun}KeysForKeyName`,
        summary: 'One shared access policy with its keys (audited)',
        params: KeyParams,
        querystring: ApiVersionQuery,
        response: { 200: Type.Ref(KeyRuleSchema.$id!), ...armErrorResponses('IOT_RESOURCE_NOT_FOUND', 'IOT_KEY_NAME_NOT_FOUND') },
      },
    },
    async (req) => keyView(await s.iot.getKey(req.ctx, req.tenantId!, spec.kind, rg(req), name(req), (req.params as P).keyName!)),
  );
}
