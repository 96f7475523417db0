import type { Kysely } from 'kysely';
import type { SealedSecret, SealedSecretRepo } from '../sealed-port.js';
import { affected, key, type Db } from './util.js';
import type { DB } from './schema.js';
import type { IotTables } from './iot-resources.js';
import type { CentralTables } from './central.js';

type SDb = Kysely<DB & IotTables & CentralTables>;

export const sealed = (d: Db): SealedSecretRepo => {
  const db = d as unknown as SDb;
  return {
    async list() {
      const out: SealedSecret[] = [];
      const policies = await db
        .selectFrom('iot_policies')
        .select(['tenant_id', 'resource_id', 'key_name', 'primary_enc', 'secondary_enc'])
        .orderBy('resource_id')
        .orderBy('key_name_key')
        .execute();
      for (const p of policies) {
        const base = { kind: 'iot_policy', tenantId: p.tenant_id, resourceId: p.resource_id, keyName: p.key_name } as const;
        out.push({ ...base, slot: 'primary', sealed: p.primary_enc }, { ...base, slot: 'secondary', sealed: p.secondary_enc });
      }
      const apps = await db.selectFrom('central_apps').select(['tenant_id', 'id', 'key_enc']).orderBy('id').execute();
      for (const a of apps) out.push({ kind: 'central_app', tenantId: a.tenant_id, appId: a.id, sealed: a.key_enc });
      const keys = await db.selectFrom('signing_keys').select(['kid', 'private_enc']).orderBy('kid').execute();
      for (const k of keys) out.push({ kind: 'signing_key', kid: k.kid, sealed: k.private_enc });
      return out;
    },
    async replace(s, value) {
      switch (s.kind) {
        case 'iot_policy': {
          const col = s.slot === 'primary' ? 'primary_enc' : 'secondary_enc';
          const r = await db
            .updateTable('iot_policies')
            .set({ [col]: value })
            .where('resource_id', '=', s.resourceId)
            .where('key_name_key', '=', key(s.keyName))
            .where(col, '=', s.sealed)
            .execute();
          return affected(r) > 0;
        }
        case 'central_app':
          return (
            affected(
              await db
                .updateTable('central_apps')
                .set({ key_enc: value })
                .where('id', '=', s.appId)
                .where('key_enc', '=', s.sealed)
                .execute(),
            ) > 0
          );
        case 'signing_key':
          return (
            affected(
              await db
                .updateTable('signing_keys')
                .set({ private_enc: value })
                .where('kid', '=', s.kid)
                .where('private_enc', '=', s.sealed)
                .execute(),
            ) > 0
          );
      }
    },
  };
};
