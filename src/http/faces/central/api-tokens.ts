import { Type } from '@sinclair/typebox';
import { NoBody } from '../../schemas/common.js';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import { CENTRAL_PERMISSIONS, type CentralApiToken } from '../../../domain/central.js';
import { ApiTokenCreateSchema, type ApiTokenCreate } from '../../../schemas/central.js';
import { AppParam, ApiVersionQuery, centralAccess, centralErrors } from './route.js';
import { ApiTokenCreatedSchema, ApiTokenListSchema, ApiTokenSchema, tokenView } from './views.js';
import { whenReady } from '../../../util/when-ready.js';

const TokenParams = Type.Object({ ...AppParam, tokenId: Type.String({ description: '^[0-9a-zA-Z-]{1,40}$ (case-sensitive)' }) });
const ListQuery = Type.Object({
  ...ApiVersionQuery.properties,
  maxpagesize: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Tokens per page; further pages via nextLink' }),
  ),
  $skiptoken: Type.Optional(Type.String({ pattern: '^[0-9]{1,7}$', description: 'Continuation from nextLink' })),
});
const tags = ['central: API tokens'];
const caller = (req: FastifyRequest) => req.central!;
const tokenId = (req: FastifyRequest) => (req.params as { tokenId: string }).tokenId;

/** /api/apiTokens (spec §2–§8): list, create (200, token once), show, delete (204). Administrator only. */
export function registerApiTokenRoutes(app: App, s: Services) {
  const read = centralAccess(CENTRAL_PERMISSIONS.API_TOKENS_READ);
  const write = centralAccess(CENTRAL_PERMISSIONS.API_TOKENS_WRITE);

  app.get(
    '/apiTokens',
    {
      config: read.config,
      schema: {
        ...read.extras,
        tags,
        operationId: 'listCentralApiTokens',
        summary: 'List API tokens (no token values)',
        params: Type.Object(AppParam),
        querystring: ListQuery,
        response: { 200: ApiTokenListSchema, ...centralErrors() },
      },
    },
    // Not async: a list in memory (the hot path) is answered without a promise.
    (req) => {
      const q = req.query as { 'api-version': string; maxpagesize: number; $skiptoken?: string };
      const offset = q.$skiptoken ? Number(q.$skiptoken) : 0;
      const page = ({ items, total }: { items: CentralApiToken[]; total: number }) => {
        const out: { value: unknown[]; nextLink?: string } = { value: items.map(tokenView) };
        if (offset + q.maxpagesize < total) {
          // Addressed as the client addressed us (host label or /central/{app}), carrying api-version.
          const path = req.originalUrl.split('?')[0];
          out.nextLink = `${req.protocol}://${req.host}${path}?api-version=${encodeURIComponent(q['api-version'])}&maxpagesize=${q.maxpagesize}&%24skiptoken=${offset + q.maxpagesize}`;
        }
        return out;
      };
      return whenReady(s.centralTokens.list(caller(req), { offset, limit: q.maxpagesize }), page);
    },
  );

  app.put(
    '/apiTokens/:tokenId',
    {
      config: { ...write.config, noStore: true },
      schema: {
        ...write.extras,
        tags,
        operationId: 'createCentralApiToken',
        summary: 'Create an API token: 200 with the token, shown once (never 201: az would drop it)',
        params: TokenParams,
        querystring: ApiVersionQuery,
        body: ApiTokenCreateSchema,
        response: {
          200: ApiTokenCreatedSchema,
          ...centralErrors(
            'CENTRAL_TOKEN_ID_INVALID',
            'CENTRAL_ROLE_UNKNOWN',
            'CENTRAL_ROLE_NEEDS_ORG',
            'CENTRAL_ROLE_APP_SCOPED',
            'CENTRAL_ORG_UNKNOWN',
            'CENTRAL_EXPIRY_INVALID',
            'CENTRAL_TOKEN_EXISTS',
            'CENTRAL_ROLE_ESCALATION',
          ),
        },
      },
    },
    async (req) => {
      const { token, sas } = await s.centralTokens.create(caller(req), tokenId(req), req.body as ApiTokenCreate);
      return { ...tokenView(token), token: sas };
    },
  );

  app.get(
    '/apiTokens/:tokenId',
    {
      config: read.config,
      schema: {
        ...read.extras,
        tags,
        operationId: 'getCentralApiToken',
        summary: 'Show an API token (no token value)',
        params: TokenParams,
        querystring: ApiVersionQuery,
        response: { 200: ApiTokenSchema, ...centralErrors('CENTRAL_TOKEN_ID_INVALID', 'CENTRAL_TOKEN_NOT_FOUND') },
      },
    },
    async (req) => tokenView(await s.centralTokens.get(caller(req), tokenId(req))),
  );

  app.delete(
    '/apiTokens/:tokenId',
    {
      config: write.config,
      schema: {
        ...write.extras,
        tags,
        operationId: 'deleteCentralApiToken',
        summary: 'Delete (revoke) an API token: 204; it fails at once on every node',
        params: TokenParams,
        querystring: ApiVersionQuery,
        response: { 204: NoBody('Deleted'), ...centralErrors('CENTRAL_TOKEN_ID_INVALID', 'CENTRAL_TOKEN_NOT_FOUND') },
      },
    },
    async (req, reply) => {
      await s.centralTokens.delete(caller(req), tokenId(req));
      return reply.code(204).send();
    },
  );
}
