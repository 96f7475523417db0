import { Type } from '@sinclair/typebox';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import { EI_PERMISSIONS, PERMISSIONS } from '../../../domain/permissions.js';
import type { Agent, AssetType } from '../../../domain/types.js';
import { AgentBodySchema, AssetTypeBodySchema } from '../../../schemas/ei.js';
import { access, errorResponses } from '../../route.js';
import { PageQuery, TenantHeader, Nullable, NoBody } from '../../schemas/common.js';
import { EiErrorSchema } from '../iam/errors.js';
import { whenReady } from '../../../util/when-ready.js';

// Permission matrix of the EI NB API (seed 004, spec/ei-iam.md §6.4), one declaration per route.
const anyEi = access({ tenantScoped: true, permission: { anyOf: EI_PERMISSIONS } });
const assetMgmt = access({ tenantScoped: true, permission: PERMISSIONS.ASSET_MANAGEMENT });
const register = access({ tenantScoped: true, permission: PERMISSIONS.EI_SYSTEM_MANAGEMENT });
const operate = access({ tenantScoped: true, permission: PERMISSIONS.OPERATIONS_MANAGEMENT });

const AgentSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  label: Nullable(Type.String()),
  hardwareModel: Nullable(Type.String()),
  hardwareSerial: Nullable(Type.String()),
  brokerVersion: Nullable(Type.String()),
  softwareVersion: Nullable(Type.String()),
  connectionState: Type.String(),
  dataPipelinesStatus: Type.String(),
  creationTime: Type.Number({ description: 'epoch ms' }),
  lastSeenTime: Nullable(Type.Number()),
});
const agentView = ({ tenantId: _t, ...a }: Agent) => a;

const AssetTypeSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  connectionType: Type.String(),
  dataModel: Type.Record(Type.String(), Type.Unknown()),
  config: Type.Record(Type.String(), Type.Unknown()),
  createdTime: Type.Number(),
  updatedTime: Type.Number(),
});
const assetTypeView = ({ tenantId: _t, ...a }: AssetType) => a;

const IdResponse = Type.Object({ id: Type.String(), name: Type.String() });
const AssetParams = Type.Object({ assetTypeId: Type.String({ maxLength: 64 }) });

/** /nbapi/ei/v1: agents and asset types (spec/ei-iam.md §7). */
export function registerEiRoutes(app: App, s: Services) {
  const ei = s.ei;
  app.get(
    '/nbapi/ei/v1/agents',
    {
      config: anyEi.config,
      schema: {
        ...anyEi.schemaExtras,
        tags: ['AgentConfig'],
        operationId: 'listAgents',
        summary: 'Get Agents',
        headers: TenantHeader,
        querystring: PageQuery,
        response: {
          200: Type.Object({ agents: Type.Array(AgentSchema), page: Type.Integer(), size: Type.Integer(), total: Type.Integer() }),
        },
      },
    },
    (req) =>
      whenReady(ei.listAgents(req.tenantId!, req.query), (r) => ({
        agents: r.items.map(agentView),
        page: r.page,
        size: r.size,
        total: r.total,
      })),
  );

  app.post(
    '/nbapi/ei/v1/agents',
    {
      config: register.config,
      schema: {
        ...register.schemaExtras,
        tags: ['AgentConfig'],
        operationId: 'createAgent',
        summary: 'Register an agent',
        headers: TenantHeader,
        body: AgentBodySchema,
        response: { 201: AgentSchema, ...errorResponses(EiErrorSchema, 'AGENT_NAME_TAKEN') },
      },
    },
    async (req, reply) => reply.code(201).send(agentView(await ei.registerAgent(req.ctx, req.tenantId!, req.body))),
  );

  app.delete(
    '/nbapi/ei/v1/agents/:agentId',
    {
      config: operate.config,
      schema: {
        ...operate.schemaExtras,
        tags: ['AgentConfig'],
        operationId: 'deleteAgent',
        summary: 'Remove an agent',
        headers: TenantHeader,
        params: Type.Object({ agentId: Type.String({ maxLength: 64 }) }),
        response: { 204: NoBody('Deleted'), ...errorResponses(EiErrorSchema, 'AGENT_NOT_FOUND') },
      },
    },
    async (req, reply) => {
      await ei.deleteAgent(req.ctx, req.tenantId!, req.params.agentId);
      return reply.code(204).send();
    },
  );

  app.get(
    '/nbapi/ei/v1/assetTypes',
    {
      config: anyEi.config,
      schema: {
        ...anyEi.schemaExtras,
        tags: ['AssetTypeConfig'],
        operationId: 'listAssetTypes',
        summary: 'Get Asset Types',
        headers: TenantHeader,
        querystring: PageQuery,
        response: {
          200: Type.Object({ assetTypes: Type.Array(AssetTypeSchema), page: Type.Integer(), size: Type.Integer(), total: Type.Integer() }),
        },
      },
    },
    (req) =>
      whenReady(ei.listAssetTypes(req.tenantId!, req.query), (r) => ({
        assetTypes: r.items.map(assetTypeView),
        page: r.page,
        size: r.size,
        total: r.total,
      })),
  );

  app.post(
    '/nbapi/ei/v1/assetTypes',
    {
      config: assetMgmt.config,
      schema: {
        ...assetMgmt.schemaExtras,
        tags: ['AssetTypeConfig'],
        operationId: 'createAssetType',
        summary: 'Post Asset Types',
        headers: TenantHeader,
        body: AssetTypeBodySchema,
        response: { 201: IdResponse, ...errorResponses(EiErrorSchema, 'ASSET_TYPE_NAME_TAKEN') },
      },
    },
    async (req, reply) => {
      const a = await ei.createAssetType(req.ctx, req.tenantId!, req.body);
      return reply.code(201).send({ id: a.id, name: a.name });
    },
  );

  app.get(
    '/nbapi/ei/v1/assetTypes/:assetTypeId',
    {
      config: anyEi.config,
      schema: {
        ...anyEi.schemaExtras,
        tags: ['AssetTypeConfig'],
        operationId: 'getAssetType',
        summary: 'Get Asset Type',
        headers: TenantHeader,
        params: AssetParams,
        response: { 200: AssetTypeSchema, ...errorResponses(EiErrorSchema, 'ASSET_TYPE_NOT_FOUND') },
      },
    },
    async (req) => assetTypeView(await ei.getAssetType(req.tenantId!, req.params.assetTypeId)),
  );

  app.put(
    '/nbapi/ei/v1/assetTypes/:assetTypeId',
    {
      config: assetMgmt.config,
      schema: {
        ...assetMgmt.schemaExtras,
        tags: ['AssetTypeConfig'],
        operationId: 'updateAssetType',
        summary: 'Update Asset Type (full replace)',
        headers: TenantHeader,
        params: AssetParams,
        body: AssetTypeBodySchema,
        response: { 200: IdResponse, ...errorResponses(EiErrorSchema, 'ASSET_TYPE_NOT_FOUND', 'ASSET_TYPE_NAME_TAKEN') },
      },
    },
    async (req) => {
      const a = await ei.replaceAssetType(req.ctx, req.tenantId!, req.params.assetTypeId, req.body);
      return { id: a.id, name: a.name };
    },
  );

  app.delete(
    '/nbapi/ei/v1/assetTypes/:assetTypeId',
    {
      config: assetMgmt.config,
      schema: {
        ...assetMgmt.schemaExtras,
        tags: ['AssetTypeConfig'],
        operationId: 'deleteAssetType',
        summary: 'Delete Asset Type',
        headers: TenantHeader,
        params: AssetParams,
        response: { 204: NoBody('Deleted'), ...errorResponses(EiErrorSchema, 'ASSET_TYPE_NOT_FOUND') },
      },
    },
    async (req, reply) => {
      await ei.deleteAssetType(req.ctx, req.tenantId!, req.params.assetTypeId);
      return reply.code(204).send();
    },
  );
}
