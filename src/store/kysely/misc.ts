import type { Agent, AssetType, AuditEvent, ConnectionType, SigningKey } from '../../domain/types.js';
import type { AgentRepo, AssetTypeRepo, AuditRepo, MetaRepo, SigningKeyRepo } from '../port.js';
import { affected, guardUnique, json, key, num, numOrNull, type Db } from './util.js';
import type { DB } from './schema.js';

const toSigningKey = (r: DB['signing_keys']): SigningKey => ({
  kid: r.kid, alg: r.alg, publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>, privateEnc: r.private_enc,
  createdAt: num(r.created_at), retiredAt: numOrNull(r.retired_at), verifyUntil: numOrNull(r.verify_until),
});

export const signingKeys = (db: Db): SigningKeyRepo => ({
  async insert(k) {
    await guardUnique('signing_keys', db.insertInto('signing_keys').values({
      kid: k.kid, alg: k.alg, public_jwk: JSON.stringify(k.publicJwk), private_enc: k.privateEnc, created_at: k.createdAt,
      retired_at: k.retiredAt, verify_until: k.verifyUntil,
    }).execute());
  },
  async list() {
    return (await db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute()).map(toSigningKey);
  },
  async retire(kid, at, verifyUntil) {
    await db.updateTable('signing_keys').set({ retired_at: at, verify_until: verifyUntil }).where('kid', '=', kid).where('retired_at', 'is', null).execute();
  },
  async deleteExpired(now) {
    return affected(await db.deleteFrom('signing_keys').where('verify_until', 'is not', null).where('verify_until', '<', now).execute());
  },
});

const toEvent = (r: DB['audit_events']): AuditEvent => ({
  id: r.id, tenantId: r.tenant_id, at: num(r.at), actorType: r.actor_type, actorId: r.actor_id, action: r.action,
  targetType: r.target_type, targetId: r.target_id, requestId: r.request_id, clientAddress: r.client_address,
  detail: json<Record<string, unknown>>(r.detail),
});
const fromEvent = (e: AuditEvent): DB['audit_events'] => ({
  id: e.id, tenant_id: e.tenantId, at: e.at, actor_type: e.actorType, actor_id: e.actorId, action: e.action,
  target_type: e.targetType, target_id: e.targetId, request_id: e.requestId, client_address: e.clientAddress,
  detail: e.detail === null ? null : JSON.stringify(e.detail),
});

export const audit = (db: Db): AuditRepo => ({
  async append(e) {
    await db.insertInto('audit_events').values(fromEvent(e)).execute();
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

const toAgent = (r: DB['agents']): Agent => ({
  id: r.id, tenantId: r.tenant_id, name: r.name, label: r.label, hardwareModel: r.hardware_model, hardwareSerial: r.hardware_serial,
  brokerVersion: r.broker_version, softwareVersion: r.software_version, connectionState: r.connection_state,
  dataPipelinesStatus: r.data_pipelines_status, creationTime: num(r.creation_time), lastSeenTime: numOrNull(r.last_seen_time),
});

export const agents = (db: Db): AgentRepo => ({
  async insert(a) {
    await guardUnique('agents', db.insertInto('agents').values({
      id: a.id, tenant_id: a.tenantId, name: a.name, name_key: key(a.name), label: a.label, hardware_model: a.hardwareModel,
      hardware_serial: a.hardwareSerial, broker_version: a.brokerVersion, software_version: a.softwareVersion,
      connection_state: a.connectionState, data_pipelines_status: a.dataPipelinesStatus, creation_time: a.creationTime, last_seen_time: a.lastSeenTime,
    }).execute());
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

const toAssetType = (r: DB['asset_types']): AssetType => ({
  id: r.id, tenantId: r.tenant_id, name: r.name, description: r.description, connectionType: r.connection_type as ConnectionType,
  dataModel: JSON.parse(r.data_model) as Record<string, unknown>, config: JSON.parse(r.config) as Record<string, unknown>,
  createdTime: num(r.created_time), updatedTime: num(r.updated_time),
});
const fromAssetType = (a: AssetType): DB['asset_types'] => ({
  id: a.id, tenant_id: a.tenantId, name: a.name, name_key: key(a.name), description: a.description, connection_type: a.connectionType,
  data_model: JSON.stringify(a.dataModel), config: JSON.stringify(a.config), created_time: a.createdTime, updated_time: a.updatedTime,
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
    return affected(await guardUnique('asset_types', db.updateTable('asset_types').set(set).where('tenant_id', '=', tenantId).where('id', '=', a.id).execute())) > 0;
  },
  async delete(tenantId, id) {
    return affected(await db.deleteFrom('asset_types').where('tenant_id', '=', tenantId).where('id', '=', id).execute()) > 0;
  },
});

export const meta = (db: Db): MetaRepo => ({
  async get(k) {
    return (await db.selectFrom('meta').select('value').where('key', '=', k).executeTakeFirst())?.value;
  },
  async putIfAbsent(k, value) {
    await db.insertInto('meta').values({ key: k, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
    return (await db.selectFrom('meta').select('value').where('key', '=', k).executeTakeFirstOrThrow()).value;
  },
});
