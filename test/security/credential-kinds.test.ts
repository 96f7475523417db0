import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signSas } from '../../src/domain/sas.js';
import type { CredentialKind } from '../../src/services/credentials/index.js';
import { makeTestApp, PG_URL, pgSchema, TestClock, type TestApp } from '../harness.js';
import { central, createCentralApp, ROLES } from '../faces/central/helpers.js';

// The credential contract: every kind registered in src/services/credentials/ goes through the
// same cases at the face that admits it. A kind is added to the registry together with its
// fixture here (the Record below fails to compile without one), and gets every case by that.

type Case = 'wrong secret' | 'expired' | 'revoked' | 'deleted principal' | 'other tenant';

/** One credential of the kind, set up in a tenant of its own on node `t`. */
interface Subject {
  /** Presents `credential` at the kind's face on `node` (default: the node it was made on); the status. */
  call(credential: string, node?: TestApp): Promise<number>;
  valid(): Promise<string>;
  /** The valid credential with its secret part changed. */
  wrong(valid: string): string;
  /** Moves past the credential's expiry (the node's clock). */
  expire(): void;
  /** Revokes the credential `valid()` made: the kind's own revocation. */
  revoke(): Promise<void>;
  /** Deletes what the credential stands for (its principal, policy or app). */
  deletePrincipal(): Promise<void>;
  /** A valid credential of the same kind from another tenant, presented here. */
  foreign(): Promise<string>;
}

interface KindFixture {
  setup(t: TestApp): Promise<Subject>;
  /** The store method its last use is written with (spied on), null while the kind records none. */
  touch: ((store: TestApp['server']['deps']['store']) => [object, string]) | null;
  /** The status each refusal answers at this kind's face. */
  refused: Record<Case, number>;
}

const uniq = (p: string) => `${p}${randomBytes(4).toString('hex')}`;
const ARM = 'api-version=2023-06-30';

const accessToken: KindFixture = {
  touch: (store) => [store.users, 'touch'],
  refused: { 'wrong secret': 401, expired: 401, revoked: 401, 'deleted principal': 401, 'other tenant': 403 },
  async setup(t) {
    const home = await t.createTenant();
    const user = await t.createUser(home.id, ['Tenant Admin']);
    let session = '';
    const admin = await t.adminToken();
    return {
      call: async (token, node = t) => (await node.req('GET', '/iam/users', { token, tenant: home.id })).statusCode,
      async valid() {
        const pair = await t.login(user.username, user.password);
        session = pair.session_state;
        return pair.access_token;
      },
      wrong: (v) => v.slice(0, -4) + (v.endsWith('AAAA') ? 'BBBB' : 'AAAA'),
      expire: () => t.clock.advance(301_000),
      async revoke() {
        expect((await t.req('DELETE', `/iam/sessions/${session}`, { token: admin, tenant: home.id })).statusCode).toBe(204);
      },
      async deletePrincipal() {
        expect((await t.req('DELETE', `/iam/users/${user.id}`, { token: admin, tenant: home.id })).statusCode).toBe(204);
      },
      async foreign() {
        const other = await t.createTenant();
        const u = await t.createUser(other.id, ['Tenant Admin']);
        return (await t.login(u.username, u.password)).access_token;
      },
    };
  },
};

type Policy = { keyName: string; primaryKey: string; secondaryKey: string; rights: string };

const sasPolicy: KindFixture = {
  touch: (store) => [store.iot, 'touchPolicy'],
  refused: { 'wrong secret': 401, expired: 401, revoked: 401, 'deleted principal': 401, 'other tenant': 401 },
  async setup(t) {
    const admin = await t.adminToken();
    const hub = async (tenantId: string) => {
      const name = uniq('hub');
      const base = `/subscriptions/${tenantId}/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/${name}`;
      const put = await t.req('PUT', `${base}?${ARM}`, { token: admin, body: { location: 'westus', sku: { name: 'S1', capacity: 1 } } });
      expect(put.statusCode).toBe(201);
      const keys = async () => {
        const r = await t.req('POST', `${base}/listkeys?${ARM}`, { token: admin });
        expect(r.statusCode).toBe(200);
        return (r.json() as { value: Policy[] }).value;
      };
      /** Rewrites the hub's policies (ARM PUT), as a key rotation or a policy removal does. */
      const rewrite = async (f: (ps: Policy[]) => Policy[]) => {
        const etag = (await t.req('GET', `${base}?${ARM}`, { token: admin })).json().etag as string;
        const r = await t.req('PUT', `${base}?${ARM}`, {
          token: admin,
          headers: { 'if-match': etag },
          body: { location: 'westus', sku: { name: 'S1', capacity: 1 }, properties: { authorizationPolicies: f(await keys()) } },
        });
        expect(r.statusCode).toBeLessThan(300);
      };
      return { host: `${name}.azure-devices.net`.toLowerCase(), keys, rewrite };
    };
    const home = await hub(t.defaultTenantId);
    const sign = (host: string, p: Policy) =>
      signSas({ resourceUri: host, key: p.primaryKey, keyName: p.keyName, expiry: Math.floor(t.clock.now() / 1000) + 3600 });
    const service = async () => (await home.keys()).find((p) => p.keyName === 'service')!;
    return {
      call: async (credential, node = t) =>
        (await node.app.inject({ method: 'GET', url: '/$latch/sas/whoami', headers: { host: home.host, authorization: credential } }))
          .statusCode,
      valid: async () => sign(home.host, await service()),
      wrong: (v) => v.replace(/sig=([^&])/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`),
      expire: () => t.clock.advance(3_601_000),
      revoke: () =>
        home.rewrite((ps) => ps.map((p) => (p.keyName === 'service' ? { ...p, primaryKey: randomBytes(32).toString('base64') } : p))),
      deletePrincipal: () => home.rewrite((ps) => ps.filter((p) => p.keyName !== 'service')),
      async foreign() {
        const other = await hub((await t.createTenant()).id);
        return sign(
          other.host,
          (await other.keys()).find((p) => p.keyName === 'service')!,
        );
      },
    };
  },
};

const centralApiToken: KindFixture = {
  touch: (store) => [store.central, 'touchToken'],
  // A token whose app is gone answers as the app: 404.
  refused: { 'wrong secret': 401, expired: 401, revoked: 401, 'deleted principal': 404, 'other tenant': 401 },
  async setup(t) {
    const admin = await t.adminToken();
    const app = await createCentralApp(t);
    const id = uniq('tok');
    const create = async (appId: string, tokenId: string) => {
      const r = await central(t, 'PUT', appId, `apiTokens/${tokenId}`, {
        auth: `Bearer ${admin}`,
        body: { roles: [{ role: ROLES.admin }], expiry: new Date(t.clock.now() + 3_600_000).toISOString() },
      });
      expect(r.statusCode).toBe(200);
      return (r.json() as { token: string }).token;
    };
    return {
      call: async (auth, node = t) => (await central(node, 'GET', app.id, 'apiTokens', { auth })).statusCode,
      valid: () => create(app.id, id),
      wrong: (v) => v.replace(/sig=([^&])/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`),
      expire: () => t.clock.advance(3_601_000),
      async revoke() {
        expect((await central(t, 'DELETE', app.id, `apiTokens/${id}`, { auth: `Bearer ${admin}` })).statusCode).toBe(204);
      },
      async deletePrincipal() {
        const r = await t.req(
          'DELETE',
          `/subscriptions/${app.tenantId}/resourceGroups/rg/providers/Microsoft.IoTCentral/iotApps/${app.name}?api-version=2021-06-01`,
          { token: admin },
        );
        expect(r.statusCode).toBeLessThan(300);
      },
      async foreign() {
        const other = await createCentralApp(t, { tenantId: (await t.createTenant()).id });
        return create(other.id, id);
      },
    };
  },
};

/** Every registered kind has its fixture: a kind added to CredentialKind fails to compile here until it has one. */
const KINDS: Record<CredentialKind, KindFixture> = {
  access_token: accessToken,
  sas_policy: sasPolicy,
  central_api_token: centralApiToken,
};

const CASES: Record<Case, (s: Subject) => Promise<string>> = {
  'wrong secret': async (s) => s.wrong(await s.valid()),
  async expired(s) {
    const v = await s.valid();
    s.expire();
    return v;
  },
  async revoked(s) {
    const v = await s.valid();
    await s.revoke();
    return v;
  },
  async 'deleted principal'(s) {
    const v = await s.valid();
    await s.deletePrincipal();
    return v;
  },
  'other tenant': (s) => s.foreign(),
};

describe.each(['sqlite', 'postgres'] as const)('every credential kind (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp({ dialect });
  });
  afterAll(async () => t?.close());

  describe.each(Object.entries(KINDS) as [CredentialKind, KindFixture][])('kind=%s', (_kind, fixture) => {
    it('case=valid: admitted, and again from memory, with one admission per request', async () => {
      const s = await fixture.setup(t);
      const v = await s.valid();
      const admit = vi.spyOn(t.server.services.access, 'admit');
      try {
        expect(await s.call(v)).toBe(200);
        expect(await s.call(v)).toBe(200);
        expect(admit).toHaveBeenCalledTimes(2);
      } finally {
        admit.mockRestore();
      }
    });

    it.runIf(fixture.touch !== null)('case=used: the use is recorded once the recorder flushes, not on the request path', async () => {
      const s = await fixture.setup(t);
      const v = await s.valid();
      await t.server.services.usage.flush();
      const now = t.clock.t;
      // past the recorder's once-a-minute window (an access token's issuance counts as a use)
      t.clock.advance(61_000);
      const [target, method] = fixture.touch!(t.server.deps.store);
      const touch = vi.spyOn(target as Record<string, (...a: unknown[]) => Promise<void>>, method);
      try {
        expect(await s.call(v)).toBe(200);
        expect(touch).not.toHaveBeenCalled();
        await t.server.services.usage.flush();
        expect(touch).toHaveBeenCalled();
      } finally {
        touch.mockRestore();
        t.clock.t = now;
      }
    });

    it.each(Object.keys(CASES) as Case[])('case=%s: refused', async (c) => {
      const s = await fixture.setup(t);
      const now = t.clock.t;
      try {
        // admitted once first where the case starts from a valid credential: a refusal must not be served from memory
        const credential = await CASES[c]({
          ...s,
          valid: async () => {
            const v = await s.valid();
            expect(await s.call(v)).toBe(200);
            return v;
          },
        });
        expect(await s.call(credential)).toBe(fixture.refused[c]);
      } finally {
        // back to where the case started: the harness's cached admin token outlives no case
        t.clock.t = now;
      }
    });
  });
});

describe('every credential kind, revoked on one PostgreSQL node, is refused on the other (bus)', () => {
  const { schema, drop } = pgSchema();
  const masterKey = randomBytes(32).toString('base64');
  const clock = new TestClock();
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const target = { kind: 'postgres' as const, url: PG_URL, schema };
    const env = { LATCH_ISSUER: 'https://latch.kinds.test' };
    a = await makeTestApp({ target, masterKey, clock, env });
    b = await makeTestApp({ target, masterKey, clock, env });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await drop();
  });

  const refusedOnB = async (s: Subject, v: string, status: number) => {
    const deadline = Date.now() + 1_000;
    let got = await s.call(v, b);
    while (got !== status && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      got = await s.call(v, b);
    }
    return got;
  };

  it.each(Object.entries(KINDS) as [CredentialKind, KindFixture][])('kind=%s case=revoked', async (_kind, fixture) => {
    const s = await fixture.setup(a);
    const v = await s.valid();
    expect(await s.call(v, b)).toBe(200); // cached on B
    await s.revoke();
    expect(await s.call(v, a)).toBe(fixture.refused.revoked);
    expect(await refusedOnB(s, v, fixture.refused.revoked)).toBe(fixture.refused.revoked);
  });
});
