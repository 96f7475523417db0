import type { Deps } from '../deps.js';
import { accessService } from './access.js';
import { roleService } from './roles.js';
import { userService } from './users.js';
import { tenantService } from './tenants.js';
import { apiKeyService } from './api-keys.js';
import { sessionService } from './sessions.js';
import { oauthService } from './oauth.js';
import { auditService } from './audit.js';
import { eiService } from './ei.js';
import { UsageRecorder } from './usage.js';
import { AuditBuffer } from './audit-buffer.js';
import { Housekeeping } from './housekeeping.js';
import { iotResourceService } from './iot-resources.js';
import { iotSasService } from './iot-sas.js';
import { signingKeyService } from './signing-keys.js';
import { systemService } from './system.js';
import { centralState } from './central-state.js';
import { centralAppService } from './central-apps.js';
import { centralTokenService } from './central-tokens.js';
import { centralDirectoryService } from './central-directory.js';
import { admissionService } from './credentials/index.js';

export interface ServiceHooks {
  onTokenIssued?: (grant: string) => void;
}

/** The core, wired once per process. The faces see only this, never Deps. */
export function buildServices(deps: Deps) {
  const hooks: ServiceHooks = {};
  const usage = new UsageRecorder(deps.store, deps.log);
  const auditBuffer = new AuditBuffer(deps.store, deps.log);
  const housekeeping = new Housekeeping(deps.store, deps.clock, deps.log);
  const access = accessService(deps, auditBuffer);
  const roles = roleService(deps, access);
  const users = userService(deps, roles);
  const tenants = tenantService(deps, roles, users);
  const apiKeys = apiKeyService(deps, roles);
  const sessions = sessionService(deps, roles, usage, auditBuffer, (grant) => hooks.onTokenIssued?.(grant));
  const iot = iotResourceService(deps, auditBuffer);
  const iotSas = iotSasService(deps, iot, usage);
  const central = centralState(deps);
  const centralApps = centralAppService(deps);
  const centralTokens = centralTokenService(deps, central, auditBuffer);
  const centralDirectory = centralDirectoryService(deps, central);
  const credentials = admissionService(deps, { access, iotSas, centralTokens, usage, auditBuffer });
  return {
    hooks,
    usage,
    auditBuffer,
    housekeeping,
    /** `access.admit` is the one admission call of every face (credentials/index.ts). */
    access: Object.assign(access, { admit: credentials.admit }),
    credentials,
    tenants,
    users,
    roles,
    apiKeys,
    sessions,
    oauth: oauthService(deps, access, sessions),
    iot,
    iotSas,
    audit: auditService(deps),
    ei: eiService(deps),
    signingKeys: signingKeyService(deps),
    system: systemService(deps),
    centralApps,
    centralTokens,
    centralDirectory,
  };
}

export async function startServices(s: Services): Promise<void> {
  s.usage.start();
  s.auditBuffer.start();
  s.housekeeping.start();
}

export async function stopServices(s: Services): Promise<void> {
  await s.usage.close();
  await s.auditBuffer.close();
  await s.housekeeping.close();
}

export type Services = ReturnType<typeof buildServices>;
