import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Secrets from '../../src/crypto/secrets.js';
import type * as Passwords from '../../src/crypto/passwords.js';
import { generateSecret, safeEqual } from '../../src/crypto/secrets.js';
import { verifyPassword } from '../../src/crypto/passwords.js';
import { makeTestApp, type TestApp } from '../harness.js';

/**
 * "Timing tells whether an API key exists" (issue 11), proved without a stopwatch: a failed login
 * for an unknown principal and for a known one with a wrong secret run the same store calls in
 * the same order, call the secret verifier exactly once, and write no audit record on the response
 * path (the known one's failure event goes to the batched buffer; the unknown one's is built and
 * held alike). API-key client ids of every form take one store query that yields one row whether
 * or not the key exists. The timing itself is measured by `scripts/login-timing.ts`
 * (docs/reliability.md).
 */

vi.mock('../../src/crypto/secrets.js', async (importOriginal) => {
  const m = await importOriginal<typeof Secrets>();
  return { ...m, safeEqual: vi.fn(m.safeEqual) };
});
vi.mock('../../src/crypto/passwords.js', async (importOriginal) => {
  const m = await importOriginal<typeof Passwords>();
  return { ...m, verifyPassword: vi.fn(m.verifyPassword) };
});

const REPOS = ['tenants', 'users', 'apiKeys', 'assignments', 'sessions', 'audit', 'meta'] as const;

describe.each(['sqlite', 'postgres'] as const)('the failure path does the same work for known and unknown principals (%s)', (dialect) => {
  let t: TestApp;
  let tenant: { id: string; name: string };
  let key: { id: string; name: string; clientId: string; secret: string };
  let user: { id: string; username: string };
  let trace: string[] = [];
  let pushed: string[] = [];
  let held: string[] = [];
  let ip = 0;

  beforeAll(async () => {
    t = await makeTestApp({ dialect });
    tenant = await t.createTenant(undefined, { ei: true });
    key = await t.createApiKey(tenant.id, ['Operator']);
    user = await t.createUser(tenant.id, ['Operator']);
    // Record every store call (port member and method) and every audit event given to the buffer.
    const store = t.server.deps.store as unknown as Record<string, Record<string, unknown>>;
    for (const repo of REPOS)
      for (const [name, fn] of Object.entries(store[repo]!))
        if (typeof fn === 'function')
          store[repo]![name] = (...args: unknown[]) => {
            trace.push(`${repo}.${name}`);
            return (fn as (...a: unknown[]) => unknown).apply(store[repo], args);
          };
    const s = t.server.deps.store as unknown as { transaction: (...a: unknown[]) => unknown };
    const tx = s.transaction.bind(s);
    s.transaction = (...a: unknown[]) => (trace.push('transaction'), tx(...a));
    const buffer = t.server.services.auditBuffer;
    // Its timer flushes in the background, off any request: stopped, so only request-path calls are traced (flushed by hand below).
    await buffer.close();
    const push = buffer.push.bind(buffer);
    buffer.push = (e) => (pushed.push(e.action), push(e));
    const hold = buffer.hold.bind(buffer);
    buffer.hold = (e) => (held.push(e.action), hold(e));
  });
  afterAll(async () => t?.close());
  beforeEach(() => {
    vi.mocked(safeEqual).mockClear();
    vi.mocked(verifyPassword).mockClear();
  });

  /** One failed login from a fresh address: its store calls, verifier calls and buffered audit events. */
  async function failure(body: Record<string, unknown>) {
    trace = [];
    pushed = [];
    held = [];
    vi.mocked(safeEqual).mockClear();
    vi.mocked(verifyPassword).mockClear();
    const res = await t.token(body, { remoteAddress: `10.99.${Math.floor(++ip / 250)}.${ip % 250}` });
    return {
      status: res.statusCode,
      body: res.body,
      trace: [...trace],
      pushed: [...pushed],
      held: [...held],
      digestCompares: vi.mocked(safeEqual).mock.calls.length,
      passwordVerifies: vi.mocked(verifyPassword).mock.calls.length,
    };
  }
  const cc = (clientId: string, secret: string) => ({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret });

  it.each([
    ['<tenant>-><key>', () => key.clientId, () => `${tenant.name}->no-such-key`],
    ['<tenant>-><key>, unknown tenant', () => key.clientId, () => 'no-such-tenant->no-such-key'],
    ['key id', () => key.id, () => randomUUID()],
    ['bare key name', () => key.name, () => 'no-such-key-anywhere'],
  ])('API key, client id as %s: unknown and wrong secret alike', async (_form, knownId, unknownId) => {
    const wrong = generateSecret('ak'); // well-formed: it reaches the lookup and the compare
    const known = await failure(cc(knownId(), wrong));
    const unknown = await failure(cc(unknownId(), wrong));
    expect(known.status).toBe(401);
    expect(unknown.body).toBe(known.body);
    expect(unknown.trace).toEqual(known.trace);
    expect(known.trace.length).toBeGreaterThan(0);
    // Reads only: no audit write, no transaction on the response path.
    expect(known.trace.filter((c) => c.startsWith('audit.') || c === 'transaction')).toEqual([]);
    expect([known.digestCompares, unknown.digestCompares]).toEqual([1, 1]);
    // The same event built and buffered either way: the known one is filed, the unknown one only held.
    expect([known.pushed, known.held]).toEqual([['api_key.login_failed'], []]);
    expect([unknown.pushed, unknown.held]).toEqual([[], ['api_key.login_failed']]);
  });

  it('API key in the password grant: unknown and wrong secret alike', async () => {
    const wrong = generateSecret('ak');
    const known = await failure({ username: key.clientId, password: wrong });
    const unknown = await failure({ username: `${tenant.name}->no-such-key`, password: wrong });
    expect(unknown.body).toBe(known.body);
    expect(unknown.trace).toEqual(known.trace);
    expect([known.digestCompares, unknown.digestCompares]).toEqual([1, 1]);
  });

  it('a malformed secret is refused before any lookup, for a known and an unknown client alike', async () => {
    const known = await failure(cc(key.clientId, 'hunter2'));
    const unknown = await failure(cc(`${tenant.name}->no-such-key`, 'hunter2'));
    expect(known.trace).toEqual([]);
    expect(unknown.trace).toEqual([]);
    expect([known.digestCompares, unknown.digestCompares]).toEqual([1, 1]);
  });

  it('user: an unknown username costs one argon2id verification, like a wrong password', async () => {
    const known = await failure({ username: user.username, password: 'wrong-password' });
    const unknown = await failure({ username: 'no-such-user', password: 'wrong-password' });
    expect(known.status).toBe(401);
    expect(unknown.body).toBe(known.body);
    expect(unknown.trace).toEqual(known.trace);
    expect(known.trace.filter((c) => c.startsWith('audit.') || c === 'transaction')).toEqual([]);
    expect([known.passwordVerifies, unknown.passwordVerifies]).toEqual([1, 1]);
    expect([known.pushed, known.held]).toEqual([['user.login_failed'], []]);
    expect([unknown.pushed, unknown.held]).toEqual([[], ['user.login_failed']]);
  });

  it("the buffered failure reaches the tenant's audit trail", async () => {
    await failure({ username: user.username, password: 'wrong-password' });
    await t.server.services.auditBuffer.flush();
    const page = await t.server.deps.store.audit.query(tenant.id, { action: 'user.login_failed', limit: 50, offset: 0 });
    expect(page.items.some((e) => e.targetId === user.id && e.targetType === 'user')).toBe(true);
  });
});
