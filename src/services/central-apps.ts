import { randomUUID } from 'node:crypto';
import type { Ctx, Deps } from '../deps.js';
import { AppError } from '../errors/app-error.js';
import { AUDIT, type AuditAction } from '../domain/audit-events.js';
import {
  APP_NAME,
  CENTRAL_IDENTITY_RULE,
  CENTRAL_SKUS,
  DEFAULT_TEMPLATE,
  centralKeyContext,
  findCentralIdentityType,
  findCentralSku,
  isValidSubdomain,
  type CentralApp,
  type SealedCentralApp,
} from '../domain/central.js';
import type { AvailabilityInput, CentralAppInput } from '../schemas/central.js';
import { generateSasKey } from '../domain/sas.js';
import { UniqueViolation, type Store } from '../store/port.js';
import { auditEvent } from './audit.js';
import { isResourceGroupName } from '../domain/iot.js';
import { nameKey, sameLocation, sameName } from '../domain/names.js';
import { stripKey } from './central-state.js';

export const CENTRAL_APP_TYPE = 'Microsoft.IoTCentral/IoTApps';
const NAME_RULE = '3-100 letters, digits or hyphens, not all digits, not starting with a hyphen, ending with a letter or digit';

function bad(detail: string): AppError {
  return new AppError('IOT_BODY_INVALID', { detail });
}

interface Parsed {
  location: string;
  sku: CentralApp['sku'];
  tags: Record<string, string>;
  identityType?: CentralApp['identityType'];
  displayName?: string;
  subdomain?: string;
  template?: string;
}

/** The meaning of an ARM App body whose shape the schema (schemas/central.ts) checked; null means absent. */
function parse(body: CentralAppInput): Parsed {
  const location = body.location?.trim();
  if (!location) throw new AppError('IOT_LOCATION_REQUIRED');
  const sku = findCentralSku(body.sku?.name ?? '');
  if (!sku) throw new AppError('IOT_SKU_INVALID', { allowed: CENTRAL_SKUS.join(', '), sku: body.sku?.name ?? '' });
  const identityType = body.identity ? findCentralIdentityType(body.identity.type) : undefined;
  if (body.identity && !identityType) throw bad(CENTRAL_IDENTITY_RULE);
  const props = body.properties ?? {};
  const subdomain = props.subdomain ?? undefined;
  if (subdomain !== undefined && !isValidSubdomain(subdomain)) throw new AppError('CENTRAL_SUBDOMAIN_INVALID', { subdomain });
  return {
    location,
    sku,
    tags: body.tags ?? {},
    identityType,
    displayName: props.displayName ?? undefined,
    subdomain,
    template: props.template ?? undefined,
  };
}

/**
 * IoT Central applications through ARM (Microsoft.IoTCentral/iotApps): names, SKUs, subdomains,
 * templates, the per-app signing key (generated once, sealed), audit and invalidation. Every
 * operation is synchronous. Deleting an app deletes its tokens, organizations and roles.
 */
export function centralAppService(deps: Deps) {
  const { store, clock, envelope } = deps;
  const changed = (id: string) => deps.bus.publish({ t: 'central_app', id });
  const audit = (tx: Store, ctx: Ctx, a: CentralApp, action: AuditAction, detail: Record<string, unknown> = {}) =>
    tx.audit.append(
      auditEvent(
        deps,
        ctx,
        a.tenantId,
        action,
        { type: 'central_app', id: a.id },
        { name: a.name, resourceGroup: a.resourceGroup, subdomain: a.subdomain, ...detail },
      ),
    );

  function checkNames(resourceGroup: string, name: string): void {
    if (!isResourceGroupName(resourceGroup)) throw new AppError('IOT_RESOURCE_GROUP_INVALID', { resourceGroup });
    if (!APP_NAME.test(name)) throw new AppError('IOT_NAME_INVALID', { name, rule: NAME_RULE });
  }

  async function find(tenantId: string, resourceGroup: string, name: string): Promise<SealedCentralApp> {
    const a = await store.central.getApp(tenantId, resourceGroup, name);
    if (!a) throw new AppError('IOT_RESOURCE_NOT_FOUND', { type: CENTRAL_APP_TYPE, name, resourceGroup });
    return a;
  }

  /** Which unique field a lost insert/update collided on. */
  async function conflict(name: string, subdomain: string, selfId?: string): Promise<AppError> {
    const byName = await store.central.findAppByName(name);
    if (byName && byName.id !== selfId) return new AppError('IOT_NAME_UNAVAILABLE', { name, type: CENTRAL_APP_TYPE });
    return new AppError('CENTRAL_SUBDOMAIN_UNAVAILABLE', { subdomain });
  }

  return {
    /** Host names `{subdomain or app id}.{hostSuffix}` address an app's data plane. */
    hostSuffix: deps.config.centralHostSuffix,

    /** ARM PUT: create (201) or update (200). Absent displayName / subdomain / template keep their values (create: the name / the name / iotc-pnp-preview). */
    async createOrUpdate(
      ctx: Ctx,
      tenantId: string,
      resourceGroup: string,
      name: string,
      body: CentralAppInput,
    ): Promise<{ app: CentralApp; created: boolean }> {
      checkNames(resourceGroup, name);
      const input = parse(body);
      const now = clock.now();
      const byName = await store.central.findAppByName(name);
      const existing = byName && byName.tenantId === tenantId && sameName(byName.resourceGroup, resourceGroup) ? byName : undefined;
      if (byName && !existing) throw new AppError('IOT_NAME_UNAVAILABLE', { name, type: CENTRAL_APP_TYPE });
      if (!existing) {
        const subdomain = input.subdomain ?? nameKey(name);
        if (!isValidSubdomain(subdomain)) throw new AppError('CENTRAL_SUBDOMAIN_INVALID', { subdomain });
        const id = randomUUID();
        const app: SealedCentralApp = {
          id,
          tenantId,
          resourceGroup,
          name,
          subdomain,
          displayName: input.displayName ?? name,
          sku: input.sku,
          location: input.location,
          template: input.template ?? DEFAULT_TEMPLATE,
          tags: input.tags,
          identityType: input.identityType ?? 'None',
          createdAt: now,
          updatedAt: now,
          keyEnc: envelope.seal(generateSasKey(), centralKeyContext(tenantId, id)),
        };
        try {
          await store.transaction(async (tx) => {
            await tx.central.insertApp(app);
            await audit(tx, ctx, app, AUDIT.CENTRAL_APP_CREATED, { sku: app.sku });
          });
        } catch (e) {
          if (e instanceof UniqueViolation) throw await conflict(name, subdomain);
          throw e;
        }
        await changed(id);
        return { app: stripKey(app), created: true };
      }
      if (!sameLocation(existing.location, input.location)) {
        throw new AppError('IOT_LOCATION_CHANGED', { name: existing.name, location: existing.location });
      }
      if (input.template !== undefined && !sameName(input.template, existing.template)) {
        throw new AppError('CENTRAL_TEMPLATE_CHANGED', { name: existing.name, template: existing.template });
      }
      const app: SealedCentralApp = {
        ...existing,
        sku: input.sku,
        tags: input.tags,
        identityType: input.identityType ?? existing.identityType,
        displayName: input.displayName ?? existing.displayName,
        subdomain: input.subdomain ?? existing.subdomain,
        updatedAt: now,
      };
      try {
        await store.transaction(async (tx) => {
          if (!(await tx.central.updateApp(tenantId, app)))
            throw new AppError('IOT_RESOURCE_NOT_FOUND', { type: CENTRAL_APP_TYPE, name, resourceGroup });
          await audit(tx, ctx, app, AUDIT.CENTRAL_APP_UPDATED, {
            sku: app.sku,
            ...(app.subdomain !== existing.subdomain ? { previousSubdomain: existing.subdomain } : {}),
          });
        });
      } catch (e) {
        if (e instanceof UniqueViolation) throw await conflict(name, app.subdomain, app.id);
        throw e;
      }
      await changed(app.id);
      return { app: stripKey(app), created: false };
    },

    /** ARM PATCH (AppPatch): the given fields on top of the current app, then the PUT rules. */
    async patch(ctx: Ctx, tenantId: string, resourceGroup: string, name: string, body: CentralAppInput): Promise<CentralApp> {
      checkNames(resourceGroup, name);
      const a = await find(tenantId, resourceGroup, name);
      const merged: CentralAppInput = {
        location: a.location,
        sku: body.sku ?? { name: a.sku },
        tags: body.tags ?? a.tags,
        identity: body.identity ?? { type: a.identityType },
        properties: { displayName: a.displayName, subdomain: a.subdomain, template: a.template, ...body.properties },
      };
      return (await this.createOrUpdate(ctx, tenantId, resourceGroup, name, merged)).app;
    },

    async get(tenantId: string, resourceGroup: string, name: string): Promise<CentralApp> {
      return stripKey(await find(tenantId, resourceGroup, name));
    },

    async list(tenantId: string, resourceGroup?: string): Promise<CentralApp[]> {
      if (resourceGroup !== undefined && !isResourceGroupName(resourceGroup))
        throw new AppError('IOT_RESOURCE_GROUP_INVALID', { resourceGroup });
      return (await store.central.listApps(tenantId, resourceGroup)).map(stripKey);
    },

    /** Deletes the app with its tokens, organizations and roles; its tokens fail at once on every node. */
    async delete(ctx: Ctx, tenantId: string, resourceGroup: string, name: string): Promise<void> {
      const a = await find(tenantId, resourceGroup, name);
      await store.transaction(async (tx) => {
        if (!(await tx.central.deleteApp(tenantId, a.id)))
          throw new AppError('IOT_RESOURCE_NOT_FOUND', { type: CENTRAL_APP_TYPE, name, resourceGroup });
        await audit(tx, ctx, a, AUDIT.CENTRAL_APP_DELETED);
      });
      await changed(a.id);
    },

    /** checkNameAvailability: ARM names are global. An invalid name is unavailable with reason Invalid. */
    async nameAvailability(input: AvailabilityInput) {
      checkType(input);
      if (!APP_NAME.test(input.name))
        return { nameAvailable: false, reason: 'Invalid', message: `The name '${input.name}' is invalid: ${NAME_RULE}.` };
      if (await store.central.findAppByName(input.name))
        return {
          nameAvailable: false,
          reason: 'AlreadyExists',
          message: `An IoT Central application named '${input.name}' already exists.`,
        };
      return { nameAvailable: true };
    },

    /** checkSubdomainAvailability: subdomains are global host labels. */
    async subdomainAvailability(input: AvailabilityInput) {
      checkType(input);
      if (!isValidSubdomain(input.name))
        return { nameAvailable: false, reason: 'Invalid', message: `The subdomain '${input.name}' is invalid.` };
      if (await store.central.findApp(input.name))
        return { nameAvailable: false, reason: 'AlreadyExists', message: `The subdomain '${input.name}' is already in use.` };
      return { nameAvailable: true };
    },
  };
}

function checkType(input: AvailabilityInput): void {
  if (input.type !== undefined && !sameName(input.type, 'IoTApps')) throw bad("type must be 'IoTApps'");
}

export type CentralAppService = ReturnType<typeof centralAppService>;
