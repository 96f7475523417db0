import { Type } from '@sinclair/typebox';
import type { CentralApiToken, CentralOrganization } from '../../../domain/central.js';

const Str = Type.String();
const RoleAssignment = Type.Object({ role: Str, organization: Type.Optional(Str) });

/** `ApiToken` as show/list answer it: exactly id, roles, expiry (spec §4). */
export const ApiTokenSchema = Type.Object({ id: Str, roles: Type.Array(RoleAssignment), expiry: Str }, { $id: 'CentralApiToken' });
/** The create answer: the only one carrying `token`. */
export const ApiTokenCreatedSchema = Type.Object({
  ...ApiTokenSchema.properties,
  token: Type.String({ description: 'SharedAccessSignature sr=<appId>&sig=…&skn=<id>&se=<ms>; shown once' }),
});
export const ApiTokenListSchema = Type.Object({ value: Type.Array(Type.Ref('CentralApiToken')), nextLink: Type.Optional(Str) });
export const RoleSchema = Type.Object({ id: Str, displayName: Str }, { $id: 'CentralRole' });
export const RoleListSchema = Type.Object({ value: Type.Array(Type.Ref('CentralRole')), nextLink: Type.Optional(Str) });
export const OrganizationSchema = Type.Object({ id: Str, displayName: Str, parent: Type.Optional(Str) }, { $id: 'CentralOrganization' });
export const OrganizationListSchema = Type.Object({ value: Type.Array(Type.Ref('CentralOrganization')), nextLink: Type.Optional(Str) });

type TokenView = { id: string; roles: { role: string; organization?: string }[]; expiry: string };
const tokenViews = new WeakMap<CentralApiToken, TokenView>();
/**
 * A token as the API shows it, made once per token entry: the list is answered from memory on
 * every call, and the ISO expiry and role objects were remade each time. A token entry is never
 * changed in place (the store and its cache hand out new objects), so its view never goes stale.
 */
export const tokenView = (t: CentralApiToken): TokenView => {
  let v = tokenViews.get(t);
  if (v === undefined) {
    v = {
      id: t.id,
      roles: t.roles.map((r) => (r.organization === undefined ? { role: r.role } : { role: r.role, organization: r.organization })),
      expiry: new Date(t.expiry).toISOString(),
    };
    tokenViews.set(t, v);
  }
  return v;
};
export const orgView = (o: CentralOrganization) =>
  o.parent === null ? { id: o.id, displayName: o.displayName } : { id: o.id, displayName: o.displayName, parent: o.parent };
