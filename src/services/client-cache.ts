import type { Bus } from '../cache/bus.js';
import { onInvalidation } from '../cache/auth-cache.js';
import type { ApiKeyWithSecret, Tenant } from '../domain/types.js';
import { Lru } from '../util/lru.js';
import type { RoleView } from './roles.js';

/** What issuing a token for an API key needs: the key, its tenant, its roles there. */
export interface OpenedClient {
  key: ApiKeyWithSecret;
  tenant: Tenant | undefined;
  roles: RoleView[];
}

/**
 * API keys that have verified, by (client id as sent, digest of the secret): a repeated
 * `client_credentials` login with the same credentials reads nothing from the store. Only a
 * verified login fills it, and a lookup needs the secret's digest, so a wrong secret or an unknown
 * client always takes the full path (the same reads for a known and an unknown client: no timing
 * tells whether a key exists). Emptied, on this node at once and on others through the bus, when
 * any API key is created or deleted, its roles change (`access`), a role's permissions change
 * (`roles`) or a tenant changes (its name is part of the client id): all rare, so all of it.
 */
export class ClientCache {
  private readonly lru = new Lru<string, OpenedClient>(10_000);
  private generation = 0;

  constructor(bus: Bus) {
    const clear = () => this.clear();
    onInvalidation(bus, {
      principal: (e) => e.type === 'api_key' && clear(),
      access: (e) => e.type === 'api_key' && clear(),
      roles: clear,
      tenants: clear,
      all: clear,
    });
  }

  private static k(clientId: string, secretDigest: string): string {
    return `${secretDigest} ${clientId}`;
  }

  get(clientId: string, secretDigest: string): OpenedClient | undefined {
    return this.lru.get(ClientCache.k(clientId, secretDigest));
  }

  /** The generation to pass to `set`: a fill that raced with an invalidation is dropped. */
  get stamp(): number {
    return this.generation;
  }

  set(stamp: number, clientId: string, secretDigest: string, c: OpenedClient): void {
    if (stamp === this.generation) this.lru.set(ClientCache.k(clientId, secretDigest), c);
  }

  clear(): void {
    this.generation++;
    this.lru.clear();
  }
}
