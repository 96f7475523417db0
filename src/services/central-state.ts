import type { Deps } from '../deps.js';
import { CacheMap, onInvalidation } from '../cache/auth-cache.js';
import { Lru } from '../util/lru.js';
import {
  centralKeyContext,
  findCentralBuiltInRole,
  type CentralApiToken,
  type CentralApp,
  type CentralCustomRole,
  type CentralOrganization,
  type ResolvedCentralRole,
  type SealedCentralApp,
} from '../domain/central.js';
import { centralTokenKey } from '../domain/sas.js';
import { nameKey } from '../domain/names.js';

/** An app with its signing key opened: what the data plane resolves a host label / path id to. */
export interface OpenedCentralApp {
  app: CentralApp;
  key: string;
}

/** A token as the verifier holds it: the row, its derived signing key, the headers that verified. */
export interface TokenEntry {
  token: CentralApiToken;
  key: string;
  /** Authorization headers that verified with this token (a hit only re-checks expiry). */
  verified: Lru<string, true>;
}

/** Organizations and custom roles of one app, indexed for permission checks. */
export interface CentralDirectory {
  orgs: CentralOrganization[];
  parentOf: ReadonlyMap<string, string | null>;
  roles: CentralCustomRole[];
  roleOf(id: string): ResolvedCentralRole | undefined;
}

export const stripKey = ({ keyEnc: _k, ...app }: SealedCentralApp): CentralApp => app;

/**
 * The in-memory view of IoT Central the data plane runs on: apps by label (id or subdomain) with
 * their key opened, tokens with their derived keys and verified headers, and each app's
 * organizations and custom roles. Filled on a miss; emptied by invalidations (this node at once,
 * other nodes through the bus), so a deleted token fails everywhere right after its delete.
 */
export function centralState(deps: Deps) {
  const { store, envelope } = deps;
  const apps = new CacheMap<string, OpenedCentralApp | null>(10_000, async (label) => {
    const a = await store.central.findApp(label);
    return a ? { app: stripKey(a), key: envelope.open(a.keyEnc, centralKeyContext(a.tenantId, a.id)) } : null;
  });
  const app = (label: string): Promise<OpenedCentralApp | null> | OpenedCentralApp | null => {
    const k = nameKey(label);
    return apps.peek(k) ?? apps.get(k);
  };

  const tokenKey = (appId: string, tokenId: string) => `${appId}\n${tokenId}`;
  const tokens = new CacheMap<string, TokenEntry | null>(100_000, async (k) => {
    const [appId, tokenId] = k.split('\n') as [string, string];
    const a = await app(appId);
    if (!a) return null;
    const t = await store.central.getToken(a.app.tenantId, a.app.id, tokenId);
    return t ? { token: t, key: centralTokenKey(a.key, t.id, t.salt), verified: new Lru(256) } : null;
  });

  // Every token of an app in id order: the list route pages from memory (EI lists do the same).
  const tokenLists = new CacheMap<string, CentralApiToken[] | null>(10_000, async (appId) => {
    const a = await app(appId);
    if (!a) return null;
    const { items } = await store.central.listTokens(a.app.tenantId, a.app.id, { offset: 0, limit: 1_000_000 });
    return items;
  });

  const directories = new CacheMap<string, CentralDirectory | null>(10_000, async (appId) => {
    const a = await app(appId);
    if (!a) return null;
    const [orgs, roles] = await Promise.all([
      store.central.listOrgs(a.app.tenantId, a.app.id),
      store.central.listRoles(a.app.tenantId, a.app.id),
    ]);
    const parentOf = new Map(orgs.map((o) => [o.id, o.parent]));
    const custom = new Map(roles.map((r) => [nameKey(r.id), r]));
    return { orgs, parentOf, roles, roleOf: (id: string) => findCentralBuiltInRole(id) ?? custom.get(nameKey(id)) };
  });

  const clearAll = () => {
    apps.clear();
    tokens.clear();
    tokenLists.clear();
    directories.clear();
  };
  onInvalidation(deps.bus, {
    central_app: (e) => {
      // An app is cached under its id and its subdomain: drop every label (rare: app writes only).
      apps.clear();
      tokens.deleteWhere((k) => k.startsWith(e.id + '\n'));
      tokenLists.delete(e.id);
      directories.delete(e.id);
    },
    central_token: (e) => {
      tokens.delete(tokenKey(e.appId, e.tokenId));
      tokenLists.delete(e.appId);
    },
    central_directory: (e) => directories.delete(e.appId),
    // a deleted tenant takes its apps with it (cascade), without per-app events
    tenants: clearAll,
    all: clearAll,
  });

  return {
    app,
    /** What is in memory now, without loading (undefined: not cached): the hot path's identity checks. */
    cached: {
      app: (label: string) => apps.peek(nameKey(label)),
      token: (appId: string, tokenId: string) => tokens.peek(tokenKey(appId, tokenId)),
      directory: (appId: string) => directories.peek(appId),
      tokenList: (appId: string) => tokenLists.peek(appId),
    },
    token(appId: string, tokenId: string): Promise<TokenEntry | null> | TokenEntry | null {
      const k = tokenKey(appId, tokenId);
      return tokens.peek(k) ?? tokens.get(k);
    },
    /** All tokens of the app in id order (from memory after the first call). */
    async tokenList(appId: string): Promise<CentralApiToken[]> {
      return tokenLists.peek(appId) ?? (await tokenLists.get(appId)) ?? [];
    },
    async directory(appId: string): Promise<CentralDirectory> {
      const d = directories.peek(appId) ?? (await directories.get(appId));
      return d ?? { orgs: [], parentOf: new Map(), roles: [], roleOf: findCentralBuiltInRole };
    },
  };
}

export type CentralState = ReturnType<typeof centralState>;
