// kill -9 while writing, for test/ops/crash.*.test.ts: a Latch server in its own OS process takes
// mixed writes from several concurrent clients (API keys, hubs with explicit keys, policy key
// rotations, logins and refreshes, JWT signing-key rotations) and is killed with SIGKILL at a
// random instant. After each restart, everything that was acknowledged must be there, and every
// write that was in flight must be wholly applied or wholly absent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { expect } from 'vitest';
import { openStore, type StoreTarget } from '../../src/store/open.js';
import { PG_URL, pgSchema } from '../harness.js';
import { call } from './two-nodes.js';
import { runScript, type Child } from './process.js';
import { hubPath, sasKey, type Policy } from './instance.js';

export const PASSWORD = 'admin-password-1';
const API = 'api-version=2023-06-30';

interface Hub {
  name: string;
  /** What listkeys must answer: one entry when acknowledged, two when a rotation was in flight. */
  candidates: Policy[][];
  /** Created without an answer: it may be absent. */
  mayBeAbsent: boolean;
  busy: boolean;
  /** Written since the last check. */
  dirty: boolean;
}

interface Tracked {
  apiKeys: { clientId: string; secret: string }[];
  /** API keys before this index were checked after an earlier restart. */
  apiKeysChecked: number;
  hubs: Hub[];
  /** Refresh tokens whose session saw no write in flight at a kill: each must refresh once. */
  sessions: { refresh: string; busy: boolean; lost: boolean }[];
  kids: string[];
}

export interface CrashReport {
  rounds: number;
  acknowledged: number;
  inFlightAtKill: number;
  ms: number;
}

const policies = (names = ['iothubowner', 'service', 'device']): Policy[] =>
  names.map((keyName) => ({
    keyName,
    rights: 'RegistryWrite, ServiceConnect, DeviceConnect',
    primaryKey: sasKey(),
    secondaryKey: sasKey(),
  }));

interface Node {
  child: Child;
  url: Promise<string>;
}

/** A server process with its modules loaded, waiting for `go` (see crash-node.ts). */
export function spawnNode(dir: string, masterKey: string, dialect: 'sqlite' | 'postgres', schema: string): Node {
  let resolveUrl: (u: string) => void;
  const url = new Promise<string>((r) => (resolveUrl = r));
  const child = runScript(
    './crash-node.ts',
    {
      LATCH_DATA_DIR: dir,
      LATCH_MASTER_KEY: masterKey,
      LATCH_ADMIN_PASSWORD: PASSWORD,
      LATCH_DATABASE_URL: dialect === 'postgres' ? PG_URL : '',
      TEST_PG_SCHEMA: schema,
      TEST_WAIT_FOR_GO: '1',
    },
    (line) => line.startsWith('{') && resolveUrl((JSON.parse(line) as { url: string }).url),
  );
  const exited = child.exited.then(({ code, signal }) => {
    throw new Error(`server exited with ${code ?? signal}: ${child.stderr()}`);
  });
  const ready = Promise.race([url, exited]);
  ready.catch(() => undefined); // a spare killed unused
  return { child, url: ready };
}

export async function crashRounds(dialect: 'sqlite' | 'postgres', rounds: number): Promise<CrashReport> {
  const t0 = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-crash-'));
  const pg = pgSchema();
  const masterKey = randomBytes(32).toString('base64');
  const tracked: Tracked = { apiKeys: [], apiKeysChecked: 0, hubs: [], sessions: [], kids: [] };
  let acknowledged = 0;
  let inFlightAtKill = 0;
  let tenant = '';
  try {
    let spare = spawnNode(dir, masterKey, dialect, pg.schema);
    for (let round = 0; round <= rounds; round++) {
      const { child } = spare;
      child.send('go');
      const url = await spare.url;
      spare = spawnNode(dir, masterKey, dialect, pg.schema);
      const login = await call(url, 'POST', '/iam/auth/token', { body: { username: 'admin', password: PASSWORD } });
      expect(login.status).toBe(200);
      const token = login.body.access_token as string;
      if (!tenant) tenant = (await call(url, 'GET', '/iam/users/me', { token })).body.tenant_id as string;
      await verify(url, token, tenant, tracked, round === rounds);
      if (round === rounds) {
        await child.kill9();
        await spare.child.kill9();
        break;
      }

      let killed = false;
      const inFlight = new Set<Promise<unknown>>();
      const worker = async () => {
        while (!killed) {
          const p = writeOnce(url, token, tenant, tracked, () => killed).then((acked) => {
            if (acked) acknowledged++;
          });
          inFlight.add(p);
          await p;
          inFlight.delete(p);
        }
      };
      // a failing check is kept until after the kill (not an unhandled rejection meanwhile)
      const workers = Array.from({ length: 4 }, () =>
        worker().then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      // kill after a random number of acknowledged writes (a loaded machine writes slowly), at a random instant after it
      const goal = acknowledged + randomInt(4, 16);
      for (const end = Date.now() + 3000; acknowledged < goal && Date.now() < end;) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, randomInt(0, 60)));
      killed = true;
      inFlightAtKill += inFlight.size;
      await child.kill9();
      const failed = (await Promise.all(workers)).find((e) => e !== undefined);
      if (failed) throw failed instanceof Error ? failed : new Error(String(failed));
    }
    // nothing half-applied in the store itself: one signing key signs, every hub has its whole policy set
    const target: StoreTarget =
      dialect === 'sqlite' ? { kind: 'sqlite', file: path.join(dir, 'latch.db') } : { kind: 'postgres', url: PG_URL, schema: pg.schema };
    const store = await openStore(target);
    try {
      expect((await store.signingKeys.list()).filter((k) => k.retiredAt === null)).toHaveLength(1);
      for (const h of tracked.hubs) {
        const r = await store.iot.findByName('hub', h.name);
        if (r) expect((await store.iot.policies(r.tenantId, r.id)).length).toBe(3);
      }
    } finally {
      await store.close();
    }
    return { rounds, acknowledged, inFlightAtKill, ms: Date.now() - t0 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await pg.drop();
  }
}

/**
 * One random write. Answers true when the server acknowledged it; a write cut off by the kill
 * leaves its target marked so that the next check accepts exactly the before and after states.
 */
async function writeOnce(url: string, token: string, tenant: string, t: Tracked, killed: () => boolean): Promise<boolean> {
  const op = randomInt(6);
  const idle = t.hubs.filter((h) => !h.busy && h.candidates.length === 1 && !h.mayBeAbsent);
  try {
    if (op === 0) {
      const name = `k-${randomBytes(5).toString('hex')}`;
      const r = await call(url, 'POST', '/iam/api-keys', { token, tenant, body: { name, roles: ['EI Admin'] } });
      expect(r.status).toBe(201);
      t.apiKeys.push({ clientId: r.body.clientId, secret: r.body.secret });
      return true;
    }
    if (op === 1 || (op === 2 && !idle.length)) {
      const hub: Hub = {
        name: `h-${randomBytes(5).toString('hex')}`,
        candidates: [policies()],
        mayBeAbsent: true,
        busy: true,
        dirty: true,
      };
      t.hubs.push(hub);
      const r = await hubPut(url, token, tenant, hub.name, hub.candidates[0]!);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      hub.mayBeAbsent = false;
      hub.busy = false;
      return true;
    }
    if (op === 2) {
      // a policy key rotation: both keys of every policy change in one PUT
      const hub = idle[randomInt(idle.length)]!;
      hub.busy = true;
      hub.dirty = true;
      const next = policies();
      hub.candidates = [hub.candidates[0]!, next];
      const r = await hubPut(url, token, tenant, hub.name, next);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      hub.candidates = [next];
      hub.busy = false;
      return true;
    }
    if (op === 3) {
      const r = await call(url, 'POST', '/iam/auth/token', { body: { username: 'admin', password: PASSWORD } });
      expect(r.status).toBe(200);
      t.sessions.push({ refresh: r.body.refresh_token, busy: false, lost: false });
      return true;
    }
    if (op === 4) {
      const s = t.sessions.filter((x) => !x.busy && !x.lost).at(-1);
      if (!s) return false;
      s.busy = true;
      const r = await call(url, 'POST', '/iam/auth/token', { body: { grant_type: 'refresh_token', refresh_token: s.refresh } });
      expect(r.status).toBe(200);
      s.refresh = r.body.refresh_token;
      s.busy = false;
      return true;
    }
    const r = await call(url, 'POST', '/iam/keys/rotate', { token });
    expect(r.status).toBe(200);
    t.kids.push(r.body.kid);
    return true;
  } catch (e) {
    // only a request the kill cut off (fetch fails) is forgiven; a wrong answer fails the test
    if (!killed() || (e as Error).name === 'AssertionError') throw e;
    // cut off by the kill: whatever it touched is checked as "before or after" from now on
    for (const s of t.sessions) if (s.busy) s.lost = true;
    for (const h of t.hubs) h.busy = false;
    return false;
  }
}

const hubPut = (url: string, token: string, tenant: string, name: string, p: Policy[]) =>
  call(url, 'PUT', `${hubPath(tenant, name)}?${API}`, {
    token,
    body: { location: 'westus', sku: { name: 'S1', capacity: 1 }, properties: { authorizationPolicies: p } },
  });

/** Everything acknowledged is there; everything cut off is wholly before or wholly after. */
async function verify(url: string, token: string, tenant: string, t: Tracked, full: boolean): Promise<void> {
  for (const k of t.apiKeys.slice(full ? 0 : t.apiKeysChecked)) {
    const r = await call(url, 'POST', '/iam/auth/token', {
      body: { grant_type: 'client_credentials', client_id: k.clientId, client_secret: k.secret },
    });
    expect(r.status, `API key ${k.clientId}`).toBe(200);
  }
  t.apiKeysChecked = t.apiKeys.length;
  for (const h of [...t.hubs]) {
    if (!full && !h.dirty) continue;
    const r = await call(url, 'POST', `${hubPath(tenant, h.name)}/listkeys?${API}`, { token });
    if (r.status === 404 && h.mayBeAbsent) {
      t.hubs.splice(t.hubs.indexOf(h), 1);
      continue;
    }
    expect(r.status, `hub ${h.name}`).toBe(200);
    const got = (r.body.value as Policy[]).map(({ keyName, rights, primaryKey, secondaryKey }) => ({
      keyName,
      rights,
      primaryKey,
      secondaryKey,
    }));
    expect(h.candidates, `hub ${h.name}: listkeys is one whole policy set`).toContainEqual(got);
    h.candidates = [got];
    h.mayBeAbsent = false;
    h.dirty = false;
  }
  for (const s of t.sessions.filter((x) => !x.lost)) {
    const r = await call(url, 'POST', '/iam/auth/token', { body: { grant_type: 'refresh_token', refresh_token: s.refresh } });
    expect(r.status, 'an acknowledged refresh token refreshes').toBe(200);
  }
  // each checked session was refreshed just now; new sessions come from the next round's logins
  t.sessions = [];
  const jwks = await call(url, 'GET', '/.well-known/jwks.json');
  const kids = new Set((jwks.body.keys as { kid: string }[]).map((k) => k.kid));
  if (t.kids.length) expect(kids.has(t.kids.at(-1)!), 'the last acknowledged signing key is published').toBe(true);
}
