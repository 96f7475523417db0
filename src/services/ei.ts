import { randomUUID } from 'node:crypto';
import type { Ctx, Deps } from '../deps.js';
import type { Agent, AssetType, Page } from '../domain/types.js';
import { AppError } from '../errors/app-error.js';
import { unique } from './unique.js';
import { CacheMap, onInvalidation } from '../cache/auth-cache.js';
import { isUuid } from '../domain/ids.js';
import { pageOf, pageWindow, type Paging } from '../domain/paging.js';
import type { AgentInput, AssetTypeInput } from '../schemas/ei.js';
import type { PageQuery } from '../schemas/common.js';

/** Edge Intelligence northbound objects: agents and asset types, per tenant. */
export function eiService(deps: Deps) {
  const { store, clock, bus } = deps;
  // List pages are read far more often than written: served from memory, dropped on any write
  // in the tenant (on every node, through the bus).
  const pages = new CacheMap<string, Page<Agent> | Page<AssetType>>(20_000, async (k) => {
    const [tenantId, kind, page, size] = k.split('|') as [string, string, string, string];
    const w = pageWindow({ page: Number(page), size: Number(size) });
    return kind === 'agents' ? store.agents.list(tenantId, w) : store.assetTypes.list(tenantId, w);
  });
  onInvalidation(bus, { ei_objects: (e) => pages.deleteWhere((k) => k.startsWith(e.tenantId + '|')), all: () => pages.clear() });
  const changed = (tenantId: string) => bus.publish({ t: 'ei_objects', tenantId });
  /** A page, answered at once when it is in memory (the hot path: no promise), else once loaded. */
  const cached = <T>(tenantId: string, kind: string, q: PageQuery): (Page<T> & Paging) | Promise<Page<T> & Paging> => {
    const p = pageOf(q);
    const k = `${tenantId}|${kind}|${p.page}|${p.size}`;
    const hit = pages.peek(k) as Page<T> | undefined;
    // Spelled out: `{ ...hit, ...p }` took 1.3 µs a request (V8 copies a second spread slowly), this 0.25 µs.
    const withPaging = (v: Page<T>) => ({ items: v.items, total: v.total, page: p.page, size: p.size });
    return hit ? withPaging(hit) : (pages.get(k) as Promise<Page<T>>).then(withPaging);
  };

  return {
    listAgents: (tenantId: string, q: PageQuery) => cached<Agent>(tenantId, 'agents', q),

    async registerAgent(_ctx: Ctx, tenantId: string, input: AgentInput): Promise<Agent> {
      const a: Agent = {
        id: randomUUID(),
        tenantId,
        name: input.name,
        label: input.label ?? input.name,
        hardwareModel: input.hardwareModel ?? null,
        hardwareSerial: input.hardwareSerial ?? null,
        brokerVersion: input.brokerVersion ?? null,
        softwareVersion: input.softwareVersion ?? null,
        connectionState: 'DISCONNECTED',
        dataPipelinesStatus: 'NONE',
        creationTime: clock.now(),
        lastSeenTime: null,
      };
      await unique(store.agents.insert(a), () => new AppError('AGENT_NAME_TAKEN', { name: input.name }));
      await changed(tenantId);
      return a;
    },

    async deleteAgent(_ctx: Ctx, tenantId: string, id: string): Promise<void> {
      if (!isUuid(id) || !(await store.agents.delete(tenantId, id))) throw new AppError('AGENT_NOT_FOUND', { id });
      await changed(tenantId);
    },

    listAssetTypes: (tenantId: string, q: PageQuery) => cached<AssetType>(tenantId, 'assetTypes', q),

    async getAssetType(tenantId: string, id: string): Promise<AssetType> {
      const a = isUuid(id) ? await store.assetTypes.get(tenantId, id) : undefined;
      if (!a) throw new AppError('ASSET_TYPE_NOT_FOUND', { id });
      return a;
    },

    async createAssetType(_ctx: Ctx, tenantId: string, input: AssetTypeInput): Promise<AssetType> {
      const t = clock.now();
      const a: AssetType = {
        id: randomUUID(),
        tenantId,
        name: input.name,
        description: input.description ?? null,
        connectionType: input.connectionType,
        dataModel: input.dataModel ?? {},
        config: input.config ?? {},
        createdTime: t,
        updatedTime: t,
      };
      await unique(store.assetTypes.insert(a), () => new AppError('ASSET_TYPE_NAME_TAKEN', { name: input.name }));
      await changed(tenantId);
      return a;
    },

    async replaceAssetType(_ctx: Ctx, tenantId: string, id: string, input: AssetTypeInput): Promise<AssetType> {
      const old = await this.getAssetType(tenantId, id);
      const a: AssetType = {
        ...old,
        name: input.name,
        description: input.description ?? null,
        connectionType: input.connectionType,
        dataModel: input.dataModel ?? {},
        config: input.config ?? {},
        updatedTime: clock.now(),
      };
      const ok = await unique(store.assetTypes.replace(tenantId, a), () => new AppError('ASSET_TYPE_NAME_TAKEN', { name: input.name }));
      if (!ok) throw new AppError('ASSET_TYPE_NOT_FOUND', { id });
      await changed(tenantId);
      return a;
    },

    async deleteAssetType(_ctx: Ctx, tenantId: string, id: string): Promise<void> {
      if (!isUuid(id) || !(await store.assetTypes.delete(tenantId, id))) throw new AppError('ASSET_TYPE_NOT_FOUND', { id });
      await changed(tenantId);
    },
  };
}
