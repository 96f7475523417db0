import type { AuditEvent } from '../../domain/types.js';
import type { AuditRepo } from '../port.js';
import { insertRow, json, num, type Db } from './util.js';
import type { DB } from './schema.js';

const toEvent = (r: DB['audit_events']): AuditEvent => ({
  id: r.id,
  tenantId: r.tenant_id,
  at: num(r.at),
  actorType: r.actor_type,
  actorId: r.actor_id,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  requestId: r.request_id,
  clientAddress: r.client_address,
  detail: json<Record<string, unknown>>(r.detail),
});
const fromEvent = (e: AuditEvent): DB['audit_events'] => ({
  id: e.id,
  tenant_id: e.tenantId,
  at: e.at,
  actor_type: e.actorType,
  actor_id: e.actorId,
  action: e.action,
  target_type: e.targetType,
  target_id: e.targetId,
  request_id: e.requestId,
  client_address: e.clientAddress,
  detail: e.detail === null ? null : JSON.stringify(e.detail),
});

export const audit = (db: Db): AuditRepo => ({
  async append(e) {
    await insertRow(db, 'audit_events', fromEvent(e));
  },
  async appendMany(events) {
    if (events.length) await db.insertInto('audit_events').values(events.map(fromEvent)).execute();
  },
  async query(tenantId, q) {
    let base = db.selectFrom('audit_events').where('tenant_id', '=', tenantId);
    if (q.from !== undefined) base = base.where('at', '>=', q.from);
    if (q.to !== undefined) base = base.where('at', '<', q.to);
    if (q.actorId !== undefined) base = base.where('actor_id', '=', q.actorId);
    if (q.action !== undefined) base = base.where('action', '=', q.action);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('at', 'desc').orderBy('id', 'desc').offset(q.offset).limit(q.limit).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toEvent), total: num(count.n) };
  },
});
