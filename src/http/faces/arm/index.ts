import type { FastifyRequest } from 'fastify';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import type { Metrics } from '../../plugins/metrics.js';
import { PERMISSIONS } from '../../../domain/permissions.js';
import { checkApiVersion } from '../../../domain/api-versions.js';
import { AppError } from '../../../errors/app-error.js';
import { authenticateHook } from '../../plugins/authenticate.js';
import { ArmErrorSchema, armErrors } from './errors.js';
import { registerArmResource } from './resources.js';
import { DpsSchema, IotHubSchema, KeyRuleSchema, dpsView, hubView } from './views.js';
import { registerIotCentralApps } from './iot-central.js';

/** api-versions accepted per resource type (spec §2); others answer 400 InvalidApiVersionParameter. */
export const HUB_API_VERSIONS = ['2018-04-01', '2023-06-30'] as const;
export const DPS_API_VERSIONS = ['2018-01-22', '2022-02-05'] as const;

/** Checked after authentication (ARM authenticates first), before validation and the handler. */
async function apiVersionHook(req: FastifyRequest): Promise<void> {
  const supported = req.routeOptions.config.armApiVersions;
  if (!supported) return;
  const v = checkApiVersion((req.query as Record<string, unknown> | undefined)?.['api-version'], supported);
  if (v.ok) return;
  if (v.missing) throw new AppError('ARM_API_VERSION_MISSING');
  throw new AppError('ARM_API_VERSION_INVALID', { version: v.version, supported: supported.join(',') });
}

/**
 * The ARM face: /subscriptions/{tenantId}/…/providers/Microsoft.Devices/{IotHubs|provisioningServices}.
 * Bearer JWT from the core token endpoint; the subscription id in the path is the tenant.
 *
 * Decisions where spec/arm-iothub-dps-keys.md leaves a choice:
 * - Every operation is synchronous: PUT 201/200 with provisioningState Succeeded, DELETE 200 with
 *   an empty body, never an async header; DELETE of a missing resource is 404 ResourceNotFound.
 * - api-version: exactly the versions in HUB_API_VERSIONS / DPS_API_VERSIONS; others 400.
 * - Resource groups are implicit: listing an unused one is empty, GET in it is ResourceNotFound.
 * - Names are global per kind (they are host names): a name held anywhere else, in another
 *   resource group or tenant, is 409 NameUnavailable.
 * - Every error uses the ARM envelope; another tenant's subscription is 403 AuthorizationFailed,
 *   decided before the resource is looked at. Policy errors carry Latch's own ARM-style codes
 *   (InvalidAccessRights, DuplicateKeyName, TooManyAuthorizationPolicies, InvalidKey, InvalidSku,
 *   LocationRequired), listed in faces/arm/errors.ts.
 * - listkeys pages hold LATCH_ARM_PAGE_SIZE policies; nextLink is followed with GET.
 */
export async function registerArmFace(app: App, s: Services, metrics: Metrics) {
  await app.register(
    async (face) => {
      for (const schema of [ArmErrorSchema, IotHubSchema, DpsSchema, KeyRuleSchema]) face.addSchema(schema);
      const errors = armErrors(s);
      face.setErrorHandler(errors.handler);
      face.setNotFoundHandler(errors.notFound);
      face.addHook('onSend', (req, reply, payload, done) => {
        reply.header('x-ms-request-id', req.id).header('x-ms-correlation-request-id', req.id);
        done(null, payload);
      });
      face.addHook(
        'onRequest',
        authenticateHook(s, metrics, { tenantFrom: (req) => (req.params as { subscriptionId?: string }).subscriptionId }),
      );
      face.addHook('onRequest', apiVersionHook);
      registerArmResource(face, s, {
        kind: 'hub',
        collection: 'IotHubs',
        keysSegment: 'IotHubKeys',
        nameParam: 'resourceName',
        apiVersions: HUB_API_VERSIONS,
        permissions: { read: PERMISSIONS.IOT_HUB_READ, write: PERMISSIONS.IOT_HUB_WRITE, keys: PERMISSIONS.IOT_HUB_KEYS },
        schemaRef: 'IotHubDescription',
        view: (r) => hubView(s.iot.hosts, r),
        tag: 'arm: IoT hubs',
      });
      registerArmResource(face, s, {
        kind: 'dps',
        collection: 'provisioningServices',
        keysSegment: 'keys',
        nameParam: 'provisioningServiceName',
        apiVersions: DPS_API_VERSIONS,
        permissions: { read: PERMISSIONS.DPS_READ, write: PERMISSIONS.DPS_WRITE, keys: PERMISSIONS.DPS_KEYS },
        schemaRef: 'ProvisioningServiceDescription',
        view: (r) => dpsView(s.iot.hosts, r),
        tag: 'arm: provisioning services',
      });
      registerIotCentralApps(face, s);
    },
    { prefix: '/subscriptions' },
  );
}
