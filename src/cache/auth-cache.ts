import type { Bus, Invalidation } from './bus.js';
import { Lru } from '../util/lru.js';

/**
 * In-memory state the hot path reads instead of the store. Each map is filled on a miss by its
 * loader and emptied by invalidation events (this process directly, other nodes via the bus).
 * Loads in flight are shared, and a load that raced with an invalidation is not cached.
 */
export class CacheMap<K, V> {
  private readonly lru: Lru<K, V>;
  private readonly inflight = new Map<K, Promise<V>>();
  private generation = 0;

  constructor(
    max: number,
    private readonly load: (k: K) => Promise<V>,
  ) {
    this.lru = new Lru(max);
  }

  peek(k: K): V | undefined {
    return this.lru.get(k);
  }

  async get(k: K): Promise<V> {
    const hit = this.lru.get(k);
    if (hit !== undefined) return hit;
    const pending = this.inflight.get(k);
    if (pending) return pending;
    const gen = this.generation;
    const p = this.load(k).then(
      (v) => {
        this.inflight.delete(k);
        if (gen === this.generation) this.lru.set(k, v);
        return v;
      },
      (e) => {
        this.inflight.delete(k);
        throw e;
      },
    );
    this.inflight.set(k, p);
    return p;
  }

  delete(k: K): void {
    this.generation++;
    this.inflight.delete(k);
    this.lru.delete(k);
  }

  deleteWhere(pred: (k: K) => boolean): void {
    this.generation++;
    for (const k of [...this.lru.keys()]) if (pred(k)) this.lru.delete(k);
    for (const k of [...this.inflight.keys()]) if (pred(k)) this.inflight.delete(k);
  }

  clear(): void {
    this.generation++;
    this.lru.clear();
    this.inflight.clear();
  }
}

export function onInvalidation(
  bus: Bus,
  handlers: Partial<{ [T in Invalidation['t']]: (e: Extract<Invalidation, { t: T }>) => void }> & { all: () => void },
): void {
  bus.subscribe((e) => {
    if (e.t === 'all') return handlers.all();
    const h = handlers[e.t] as ((e: Invalidation) => void) | undefined;
    h?.(e);
  });
}
