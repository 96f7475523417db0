import { randomUUID } from 'node:crypto';
import type { Ctx, Deps } from '../deps.js';
import type { ApiKey } from '../domain/types.js';
import { AUDIT } from '../domain/audit-events.js';
import { AppError } from '../errors/app-error.js';
import { unique } from './unique.js';
import { digest, generateSecret, secretStart } from '../crypto/secrets.js';
import { auditEvent } from './audit.js';
import type { RoleService, RoleView } from './roles.js';
import { apiKeyClientId, isUuid } from '../domain/ids.js';
import {
  API_KEY_EXPIRY_DAYS,
  DEFAULT_API_KEY_EXPIRY_DAYS,
  MAX_API_KEY_EXPIRY_YEARS,
  isApiKeyExpiryDays,
  isApiKeyName,
} from '../domain/api-keys.js';
import type { CreateApiKey } from '../schemas/iam.js';

const DAY = 86_400_000;

export interface ApiKeyView extends ApiKey {
  roles: RoleView[];
  /** `<tenant name>-><key name>`, lower-cased, as EI clients send it. */
  clientId: string;
}

/** EI-style API keys: name, roles, expiry; the secret is shown once and stored as SHA-256. */
export function apiKeyService(deps: Deps, roleService: RoleService) {
  const { store, clock, bus } = deps;

  async function view(k: ApiKey): Promise<ApiKeyView> {
    const tenant = await store.tenants.get(k.tenantId);
    return { ...k, roles: await roleService.rolesOf('api_key', k.id, k.tenantId), clientId: apiKeyClientId(tenant?.name ?? '', k.name) };
  }

  /** By id or (case-insensitive) name, within the tenant only. */
  async function find(tenantId: string, ref: string): Promise<ApiKey> {
    const k = (isUuid(ref) ? await store.apiKeys.get(tenantId, ref) : undefined) ?? (await store.apiKeys.findByName(tenantId, ref));
    if (!k) throw new AppError('API_KEY_NOT_FOUND', { id: ref });
    return k;
  }

  function expiry(input: Pick<CreateApiKey, 'expiresInDays' | 'expiry'>, now: number): number {
    if (input.expiresInDays !== undefined && input.expiry !== undefined) {
      throw new AppError('API_KEY_EXPIRY_INVALID', { detail: 'Give expiresInDays or expiry, not both' });
    }
    if (input.expiry !== undefined) {
      const t = Date.parse(input.expiry);
      if (!Number.isFinite(t) || !/^\d{4}-\d{2}-\d{2}T/.test(input.expiry))
        throw new AppError('API_KEY_EXPIRY_INVALID', { detail: 'expiry must be an ISO 8601 date-time' });
      if (t <= now) throw new AppError('API_KEY_EXPIRY_INVALID', { detail: 'expiry must be in the future' });
      if (t > now + MAX_API_KEY_EXPIRY_YEARS * 365 * DAY)
        throw new AppError('API_KEY_EXPIRY_INVALID', { detail: `expiry must be within ${MAX_API_KEY_EXPIRY_YEARS} years` });
      return t;
    }
    const days = input.expiresInDays ?? DEFAULT_API_KEY_EXPIRY_DAYS;
    if (!isApiKeyExpiryDays(days)) {
      throw new AppError('API_KEY_EXPIRY_INVALID', { detail: `expiresInDays must be one of ${API_KEY_EXPIRY_DAYS.join(', ')}` });
    }
    return now + days * DAY;
  }

  return {
    find,
    view,

    async create(ctx: Ctx, tenantId: string, input: CreateApiKey): Promise<{ key: ApiKeyView; secret: string }> {
      if (!isApiKeyName(input.name)) throw new AppError('API_KEY_NAME_INVALID');
      if (input.roles.length === 0) throw new AppError('API_KEY_ROLES_REQUIRED');
      const createdAt = clock.now();
      const expiresAt = expiry(input, createdAt);
      const roles = await Promise.all(input.roles.map((r) => roleService.resolveRole(tenantId, r)));
      await roleService.requireGrantable(ctx, tenantId, roles);
      const secret = generateSecret('ak');
      const key: ApiKey = {
        id: randomUUID(),
        tenantId,
        name: input.name,
        start: secretStart(secret),
        expiresAt,
        createdAt,
        createdBy: ctx.principal?.id ?? null,
        lastUsedAt: null,
      };
      await store.transaction(async (tx) => {
        await unique(
          tx.apiKeys.insert({ ...key, secretHash: digest(secret) }),
          () => new AppError('API_KEY_NAME_TAKEN', { name: input.name }),
        );
        const seen = new Set<string>();
        for (const r of roles) {
          if (seen.has(r.id)) continue;
          seen.add(r.id);
          await roleService.assign(ctx, tx, tenantId, 'api_key', key.id, r);
        }
        await tx.audit.append(
          auditEvent(
            deps,
            ctx,
            tenantId,
            AUDIT.API_KEY_CREATED,
            { type: 'api_key', id: key.id },
            { name: key.name, roles: roles.map((r) => r.name), expiresAt },
          ),
        );
        await tx.audit.append(auditEvent(deps, ctx, tenantId, AUDIT.API_KEY_SHOWN, { type: 'api_key', id: key.id }));
      });
      return { key: await view(key), secret };
    },

    async list(tenantId: string): Promise<ApiKeyView[]> {
      return Promise.all((await store.apiKeys.list(tenantId)).map(view));
    },

    async get(tenantId: string, ref: string): Promise<ApiKeyView> {
      return view(await find(tenantId, ref));
    },

    async delete(ctx: Ctx, tenantId: string, ref: string): Promise<void> {
      const k = await find(tenantId, ref);
      await store.transaction(async (tx) => {
        await tx.sessions.revokeForPrincipal('api_key', k.id, clock.now());
        await tx.assignments.deleteForPrincipal('api_key', k.id);
        await tx.apiKeys.delete(tenantId, k.id);
        await tx.audit.append(auditEvent(deps, ctx, tenantId, AUDIT.API_KEY_DELETED, { type: 'api_key', id: k.id }, { name: k.name }));
      });
      await bus.publish({ t: 'principal', type: 'api_key', id: k.id });
    },
  };
}

export type ApiKeyService = ReturnType<typeof apiKeyService>;
