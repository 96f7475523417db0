import type { Deps } from '../deps.js';
import { AppError } from '../errors/app-error.js';
import { AUDIT } from '../domain/audit-events.js';
import { unheld } from '../domain/permissions.js';
import { isUuid } from '../domain/ids.js';
import { nameKey, sameName } from '../domain/names.js';
import {
  ALL_CENTRAL_PERMISSIONS,
  APP_ONLY_PERMISSIONS,
  CENTRAL_BUILT_IN_ROLES,
  CENTRAL_PERMISSIONS,
  ORGANIZATION_ID,
  allowsInOrg,
  findCentralBuiltInRole,
  type CentralCustomRole,
  type CentralOrganization,
  type CentralPermission,
} from '../domain/central.js';
import type { CustomRoleCreate, OrganizationCreate } from '../schemas/central.js';
import { UniqueViolation, type Store } from '../store/port.js';
import type { CentralState } from './central-state.js';
import { centralAuditEvent, type CentralCaller } from './central-tokens.js';

export interface CentralRoleView {
  id: string;
  displayName: string;
}

/**
 * Roles (the six built-ins of every app plus the app's custom roles) and organizations (a tree
 * per app). An organization-scoped caller sees and manages only its organizations' subtrees; an
 * organization outside them answers 404, as one that does not exist.
 */
export function centralDirectoryService(deps: Deps, state: CentralState) {
  const { store, clock } = deps;
  const changed = (appId: string) => deps.bus.publish({ t: 'central_directory', appId });

  async function visible(
    c: CentralCaller,
    perm: CentralPermission,
  ): Promise<{ orgs: CentralOrganization[]; parentOf: ReadonlyMap<string, string | null> }> {
    const d = await state.directory(c.app.id);
    const parent = (id: string) => d.parentOf.get(id);
    return { orgs: d.orgs.filter((o) => allowsInOrg(c.grants, perm, o.id, parent)), parentOf: d.parentOf };
  }

  return {
    async listRoles(c: CentralCaller): Promise<CentralRoleView[]> {
      const d = await state.directory(c.app.id);
      return [...CENTRAL_BUILT_IN_ROLES, ...d.roles].map((r) => ({ id: r.id, displayName: r.displayName }));
    },

    async getRole(c: CentralCaller, id: string): Promise<CentralRoleView> {
      const d = await state.directory(c.app.id);
      const r = findCentralBuiltInRole(id) ?? d.roles.find((x) => sameName(x.id, id));
      if (!r) throw new AppError('CENTRAL_ROLE_NOT_FOUND', { id });
      return { id: r.id, displayName: r.displayName };
    },

    /** Latch extension: a custom role of this app (GUID id, not a built-in; permissions from the Central catalogue). */
    async createRole(c: CentralCaller, id: string, input: CustomRoleCreate): Promise<CentralRoleView> {
      if (!isUuid(id) || findCentralBuiltInRole(id)) throw new AppError('CENTRAL_ROLE_ID_INVALID', { id });
      const scope = input.scope ?? 'app';
      const permissions = [...new Set(input.permissions)];
      for (const p of permissions) {
        const ok =
          (ALL_CENTRAL_PERMISSIONS as readonly string[]).includes(p) &&
          !(scope === 'organization' && (APP_ONLY_PERMISSIONS as readonly string[]).includes(p));
        if (!ok) throw new AppError('CENTRAL_ROLE_PERMISSION_INVALID', { permission: p, scope });
      }
      // No one grants what they do not hold, here as on every face.
      if (unheld(c.grants.app, permissions).length > 0) throw new AppError('CENTRAL_ROLE_ESCALATION', { role: id });
      const role: CentralCustomRole = {
        appId: c.app.id,
        id: nameKey(id),
        displayName: input.displayName,
        scope,
        permissions: permissions as CentralPermission[],
        createdAt: clock.now(),
      };
      try {
        await store.transaction(async (tx: Store) => {
          await tx.central.insertRole(c.app.tenantId, role);
          await tx.audit.append(
            centralAuditEvent(
              deps,
              c,
              AUDIT.CENTRAL_ROLE_CREATED,
              { type: 'central_role', id: `${c.app.id}/${role.id}` },
              { displayName: role.displayName, scope, permissions },
            ),
          );
        });
      } catch (e) {
        if (e instanceof UniqueViolation) throw new AppError('CENTRAL_ROLE_EXISTS', { id });
        throw e;
      }
      await changed(c.app.id);
      return { id: role.id, displayName: role.displayName };
    },

    async listOrgs(c: CentralCaller): Promise<CentralOrganization[]> {
      return (await visible(c, CENTRAL_PERMISSIONS.ORGS_READ)).orgs;
    },

    async getOrg(c: CentralCaller, id: string): Promise<CentralOrganization> {
      const o = (await visible(c, CENTRAL_PERMISSIONS.ORGS_READ)).orgs.find((x) => x.id === id);
      if (!o) throw new AppError('CENTRAL_ORG_NOT_FOUND', { id });
      return o;
    },

    /**
     * Creates an organization (PUT). A top-level one needs organizations.write app-wide; a child
     * needs it on the parent (org roles: their subtree). An existing id is 409.
     */
    async createOrg(c: CentralCaller, id: string, input: OrganizationCreate): Promise<CentralOrganization> {
      if (!ORGANIZATION_ID.test(id)) throw new AppError('CENTRAL_ORG_ID_INVALID', { id });
      const d = await state.directory(c.app.id);
      const parent = input.parent ?? null;
      const parentOf = (x: string) => d.parentOf.get(x);
      if (parent !== null) {
        if (!d.parentOf.has(parent) || !allowsInOrg(c.grants, CENTRAL_PERMISSIONS.ORGS_READ, parent, parentOf))
          throw new AppError('CENTRAL_ORG_PARENT_UNKNOWN', { parent });
        if (!allowsInOrg(c.grants, CENTRAL_PERMISSIONS.ORGS_WRITE, parent, parentOf))
          throw new AppError('CENTRAL_FORBIDDEN', { permission: CENTRAL_PERMISSIONS.ORGS_WRITE });
      } else if (!c.grants.app.has(CENTRAL_PERMISSIONS.ORGS_WRITE))
        throw new AppError('CENTRAL_FORBIDDEN', { permission: CENTRAL_PERMISSIONS.ORGS_WRITE });
      const org: CentralOrganization = { appId: c.app.id, id, displayName: input.displayName ?? id, parent, createdAt: clock.now() };
      try {
        await store.transaction(async (tx: Store) => {
          // The parent is re-read inside the transaction: a concurrent delete of it refuses this insert.
          if (parent !== null && !(await tx.central.listOrgs(c.app.tenantId, c.app.id)).some((o) => o.id === parent))
            throw new AppError('CENTRAL_ORG_PARENT_UNKNOWN', { parent });
          await tx.central.insertOrg(c.app.tenantId, org);
          await tx.audit.append(
            centralAuditEvent(
              deps,
              c,
              AUDIT.CENTRAL_ORG_CREATED,
              { type: 'central_org', id: `${c.app.id}/${id}` },
              { displayName: org.displayName, parent },
            ),
          );
        });
      } catch (e) {
        if (e instanceof UniqueViolation) throw new AppError('CENTRAL_ORG_EXISTS', { id });
        throw e;
      }
      await changed(c.app.id);
      return org;
    },

    /** Deletes a leaf organization no token is assigned in; org roles may delete below their own organization only. */
    async deleteOrg(c: CentralCaller, id: string): Promise<void> {
      const d = await state.directory(c.app.id);
      const parentOf = (x: string) => d.parentOf.get(x);
      if (!d.parentOf.has(id) || !allowsInOrg(c.grants, CENTRAL_PERMISSIONS.ORGS_READ, id, parentOf))
        throw new AppError('CENTRAL_ORG_NOT_FOUND', { id });
      const allowed =
        c.grants.app.has(CENTRAL_PERMISSIONS.ORGS_WRITE) ||
        (() => {
          const p = d.parentOf.get(id);
          return p !== null && p !== undefined && allowsInOrg(c.grants, CENTRAL_PERMISSIONS.ORGS_WRITE, p, parentOf);
        })();
      if (!allowed) throw new AppError('CENTRAL_FORBIDDEN', { permission: CENTRAL_PERMISSIONS.ORGS_WRITE });
      await store.transaction(async (tx: Store) => {
        const used = await tx.central.countTokensInOrg(c.app.tenantId, c.app.id, id);
        if (used > 0) throw new AppError('CENTRAL_ORG_IN_USE', { id, count: used });
        const r = await tx.central.deleteOrgIfLeaf(c.app.tenantId, c.app.id, id);
        if (r === 'missing') throw new AppError('CENTRAL_ORG_NOT_FOUND', { id });
        if (r === 'has_children') throw new AppError('CENTRAL_ORG_HAS_CHILDREN', { id });
        await tx.audit.append(centralAuditEvent(deps, c, AUDIT.CENTRAL_ORG_DELETED, { type: 'central_org', id: `${c.app.id}/${id}` }, {}));
      });
      await changed(c.app.id);
    },
  };
}

export type CentralDirectoryService = ReturnType<typeof centralDirectoryService>;
