import type { Agent } from '../../domain/types.js';
import type { AgentRepo } from '../port.js';
import { affected, guardUnique, key, num, numOrNull, type Db } from './util.js';
import type { DB } from './schema.js';

const toAgent = (r: DB['agents']): Agent => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  label: r.label,
  hardwareModel: r.hardware_model,
  hardwareSerial: r.hardware_serial,
  brokerVersion: r.broker_version,
  softwareVersion: r.software_version,
  connectionState: r.connection_state,
  dataPipelinesStatus: r.data_pipelines_status,
  creationTime: num(r.creation_time),
  lastSeenTime: numOrNull(r.last_seen_time),
});

export const agents = (db: Db): AgentRepo => ({
  async insert(a) {
    await guardUnique(
      'agents',
      db
        .insertInto('agents')
        .values({
          id: a.id,
          tenant_id: a.tenantId,
          name: a.name,
          name_key: key(a.name),
          label: a.label,
          hardware_model: a.hardwareModel,
          hardware_serial: a.hardwareSerial,
          broker_version: a.brokerVersion,
          software_version: a.softwareVersion,
          connection_state: a.connectionState,
          data_pipelines_status: a.dataPipelinesStatus,
          creation_time: a.creationTime,
          last_seen_time: a.lastSeenTime,
        })
        .execute(),
    );
  },
  async get(tenantId, id) {
    const r = await db.selectFrom('agents').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    return r && toAgent(r);
  },
  async list(tenantId, page) {
    const base = db.selectFrom('agents').where('tenant_id', '=', tenantId);
    const [rows, c] = await Promise.all([
      base.selectAll().orderBy('creation_time').orderBy('id').offset(page.offset).limit(page.limit).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toAgent), total: num(c.n) };
  },
  async delete(tenantId, id) {
    return affected(await db.deleteFrom('agents').where('tenant_id', '=', tenantId).where('id', '=', id).execute()) > 0;
  },
});
