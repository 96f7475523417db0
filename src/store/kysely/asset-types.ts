import type { AssetType, ConnectionType } from '../../domain/types.js';
import type { AssetTypeRepo } from '../port.js';
import { affected, guardUnique, key, num, type Db } from './util.js';
import type { DB } from './schema.js';

const toAssetType = (r: DB['asset_types']): AssetType => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  description: r.description,
  connectionType: r.connection_type as ConnectionType,
  dataModel: JSON.parse(r.data_model) as Record<string, unknown>,
  config: JSON.parse(r.config) as Record<string, unknown>,
  createdTime: num(r.created_time),
  updatedTime: num(r.updated_time),
});
const fromAssetType = (a: AssetType): DB['asset_types'] => ({
  id: a.id,
  tenant_id: a.tenantId,
  name: a.name,
  name_key: key(a.name),
  description: a.description,
  connection_type: a.connectionType,
  data_model: JSON.stringify(a.dataModel),
  config: JSON.stringify(a.config),
  created_time: a.createdTime,
  updated_time: a.updatedTime,
});

export const assetTypes = (db: Db): AssetTypeRepo => ({
  async insert(a) {
    await guardUnique('asset_types', db.insertInto('asset_types').values(fromAssetType(a)).execute());
  },
  async get(tenantId, id) {
    const r = await db.selectFrom('asset_types').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r && toAssetType(r);
  },
  async list(tenantId, page) {
    const base = db.selectFrom('asset_types').where('tenant_id', '=', tenantId);
    const [rows, c] = await Promise.all([
      base.selectAll().orderBy('created_time').orderBy('id').offset(page.offset).limit(page.limit).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toAssetType), total: num(c.n) };
  },
  async replace(tenantId, a) {
    const { id: _id, tenant_id: _t, created_time: _c, ...set } = fromAssetType(a);
    return (
      affected(
        await guardUnique(
          'asset_types',
          db.updateTable('asset_types').set(set).where('tenant_id', '=', tenantId).where('id', '=', a.id).execute(),
        ),
      ) > 0
    );
  },
  async delete(tenantId, id) {
    return affected(await db.deleteFrom('asset_types').where('tenant_id', '=', tenantId).where('id', '=', id).execute()) > 0;
  },
});
