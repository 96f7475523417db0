/**
 * The floor of token issuance: what any issuer on Latch's stack (Fastify, node:crypto's ES256,
 * better-sqlite3 in WAL) must spend on a `client_credentials` token, with nothing else, run in its
 * own process by bench/run.ts so that Latch's figure can be read against what its parts allow.
 *
 * `POST /iam/auth/token`, the same JSON request as Latch's token scenario:
 * - one client, found in a Map; its secret's SHA-256 compared in constant time;
 * - an ES256 JWS of the claims Latch's access token for that key carries (BENCH_TOKEN's, with a new
 *   jti, session and times), signed by node:crypto in the thread pool, as Latch signs;
 * - the three rows a Latch login writes (session, refresh token,
 *   audit record; time-ordered keys) inserted by prepared statements in a group commit: the logins
 *   queued while a commit runs share one transaction, and every answer waits for `COMMIT` and an
 *   `fdatasync` of the WAL in the thread pool (what Latch's commit does);
 * - `POST /floor/no-refresh-token/token` writes the session and the audit record only: what a
 *   login would cost if `client_credentials` issued no refresh token (RFC 6749 §4.4.3 allows it;
 *   spec/ei-iam.md chose to issue one);
 * - `POST /floor/sign-only/token` answers the same without a store, as node-oidc-provider does
 *   for this grant (and without a refresh token).
 * No logger, no metrics, no schemas, no audit of failures, no rate limit, no tenants or roles.
 *
 * `GET /nbapi/ei/v1/agents`, the same request as Latch's authorized GET, answering the same body
 * (BENCH_BODY) through the layers an operator keeps, each written as cheaply as it can be: a
 * request id (the client's `x-request-id` or a counter) in the access line, the security headers
 * Latch sends (one precomputed object), the Bearer token found in a Map of verified tokens (keyed by its tail, as Latch's cache is) with its tenant and
 * permission checked, a request-duration histogram (plain arrays) and one access line a request
 * (JSON, written to stdout once per event-loop turn). BENCH_TOKEN is the token it accepts.
 *
 *   BENCH_PORT=… BENCH_BODY=… BENCH_TOKEN=… BENCH_TENANT=… BENCH_CLIENT_ID=… BENCH_CLIENT_SECRET=… BENCH_DIR=… node --import tsx bench/servers/floor.ts
 */
import Database from 'better-sqlite3';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const port = Number(process.env.BENCH_PORT);
const TENANT = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const clientId = process.env.BENCH_CLIENT_ID ?? '';
const digest = (s: string) => createHash('sha256').update(s).digest();
const secretDigest = digest(process.env.BENCH_CLIENT_SECRET ?? '');

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const iss = `http://127.0.0.1:${port}`;
/** The claims of Latch's access token for the same key (BENCH_TOKEN's), so both sign and send the same amount. */
const claims: Record<string, unknown> = JSON.parse(
  Buffer.from((process.env.BENCH_TOKEN ?? '..').split('.')[1]!, 'base64url').toString() || '{}',
);
const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: 'floor' })).toString('base64url');

function jws(claims: object): Promise<string> {
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return new Promise((resolve, reject) =>
    sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }, (e, s) =>
      e ? reject(e) : resolve(`${input}.${s.toString('base64url')}`),
    ),
  );
}

/** Time-ordered row ids (the millisecond, then random bits from node:crypto's pooled UUIDs), so a batch's rows share index pages. */
const rowId = () => `${Date.now().toString(16).padStart(12, '0')}${randomUUID().slice(14)}`;

type Login = { session: unknown[]; refresh?: unknown[]; audit: unknown[]; done: (e?: Error) => void };

function groupCommit(dir: string): (l: Omit<Login, 'done'>) => Promise<void> {
  const file = path.join(dir, 'floor.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Latch's three tables with the indexes its model needs (sessions by principal and by tenant for
  // revocation and cascades, refresh tokens by session, audit records by tenant and time).
  db.exec(`
    CREATE TABLE IF NOT EXISTS tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      principal_type TEXT NOT NULL, principal_id TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS sessions_principal ON sessions (principal_type, principal_id);
    CREATE INDEX IF NOT EXISTS sessions_tenant ON sessions (tenant_id);
    CREATE TABLE IF NOT EXISTS refresh_tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL,
      session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE, expires_at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS refresh_tokens_session ON refresh_tokens (session_id);
    CREATE TABLE IF NOT EXISTS audit (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, at INTEGER NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT);
    CREATE INDEX IF NOT EXISTS audit_tenant_at ON audit (tenant_id, at);
    INSERT OR IGNORE INTO tenants VALUES ('${TENANT}', 'Default');
  `);
  db.pragma('foreign_keys = ON');
  const ins = {
    session: db.prepare('INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)'),
    refresh: db.prepare('INSERT INTO refresh_tokens VALUES (?, ?, ?, ?)'),
    audit: db.prepare('INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?)'),
  };
  const begin = db.prepare('BEGIN');
  const commit = db.prepare('COMMIT');
  const wal = fs.openSync(`${file}-wal`, 'r+');
  let queue: Login[] = [];
  let busy = false;
  const flush = () => {
    const batch = queue;
    queue = [];
    let err: Error | undefined;
    try {
      begin.run();
      for (const l of batch) {
        ins.session.run(l.session);
        if (l.refresh) ins.refresh.run(l.refresh);
        ins.audit.run(l.audit);
      }
      commit.run();
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      err = e as Error;
    }
    const settle = (e?: Error | null) => {
      for (const l of batch) l.done(err ?? e ?? undefined);
      busy = false;
      if (queue.length) kick();
    };
    if (err) settle();
    else fs.fdatasync(wal, settle);
  };
  const kick = () => {
    if (busy) return;
    busy = true;
    setImmediate(flush);
  };
  return (l) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ ...l, done: (e) => (e ? reject(e) : resolve()) });
      kick();
    });
}

const write = groupCommit(process.env.BENCH_DIR ?? fs.mkdtempSync('/tmp/floor-'));
const app = Fastify({ logger: false });

/** `rows`: 3 = session, refresh token and audit record (a Latch login); 2 = no refresh token; 0 = nothing stored. */
const issue = (rows: 0 | 2 | 3) => async (req: FastifyRequest, reply: FastifyReply) => {
  const b = req.body as { grant_type?: unknown; client_id?: unknown; client_secret?: unknown } | null;
  if (b?.grant_type !== 'client_credentials' || b.client_id !== clientId || typeof b.client_secret !== 'string')
    return reply.code(401).send({ error: 'invalid_client' });
  if (!timingSafeEqual(digest(b.client_secret), secretDigest)) return reply.code(401).send({ error: 'invalid_client' });
  const now = Date.now();
  const iat = Math.floor(now / 1000);
  const sessionId = rowId();
  const signed = jws({ ...claims, jti: randomUUID(), sid: sessionId, session_state: sessionId, iss, iat, exp: iat + 300 });
  const refresh = rows === 3 ? `rt_${randomBytes(32).toString('base64url')}` : undefined;
  if (rows) {
    const expires = now + 1_800_000;
    await write({
      session: [sessionId, TENANT, 'api_key', clientId, now, expires],
      ...(refresh ? { refresh: [rowId(), digest(refresh).toString('hex'), sessionId, expires] } : {}),
      audit: [rowId(), TENANT, now, 'session.created', clientId, '{"grant":"client_credentials"}'],
    });
  }
  return {
    access_token: await signed,
    expires_in: 300,
    refresh_expires_in: refresh ? 1800 : 0,
    ...(refresh ? { refresh_token: refresh } : {}),
    token_type: 'Bearer',
    'not-before-policy': 0,
    session_state: sessionId,
    scope: '',
  };
};
app.post('/iam/auth/token', issue(3));
app.post('/floor/no-refresh-token/token', issue(2));
app.post('/floor/sign-only/token', issue(0));
const body: unknown = JSON.parse(process.env.BENCH_BODY ?? '{}');
const accepted = process.env.BENCH_TOKEN ?? '';
// Keyed by the token's tail, with the whole token compared on a hit: V8 hashes a 1 KB key in full on every lookup.
const verified = new Map([
  [accepted.slice(-24), { token: accepted, tenant: process.env.BENCH_TENANT ?? '', permissions: new Set(['agents:read']) }],
]);
const SECURITY = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "frame-ancestors 'none'",
};
const BOUNDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];
const buckets = new Array<number>(BOUNDS.length + 1).fill(0);
let sum = 0;
let lines: string[] = [];
let seqId = 0;
const BINDINGS = `"pid":${process.pid},"hostname":${JSON.stringify(os.hostname())},`;
const out = (line: string) => {
  if (lines.push(line) === 1)
    setImmediate(() => {
      process.stdout.write(lines.join(''));
      lines = [];
    });
};
type Ctx = { id: string };
const ctx = new WeakMap<object, Ctx>();

app.register(async (scope) => {
  scope.addHook('onRequest', (req, reply, done) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && given.length <= 128 ? given : `r${++seqId}`;
    ctx.set(req, { id });
    reply.headers(SECURITY);
    const auth = req.headers.authorization;
    const hit = auth?.startsWith('Bearer ') ? verified.get(auth.slice(-24)) : undefined;
    const who = hit && auth!.length === hit.token.length + 7 && auth!.endsWith(hit.token) ? hit : undefined;
    if (!who) return void reply.code(401).send({ code: 'unauthorized' });
    if (req.headers['x-tenant-id'] !== who.tenant || !who.permissions.has('agents:read'))
      return void reply.code(403).send({ code: 'forbidden' });
    done();
  });
  scope.addHook('onResponse', (req, reply, done) => {
    const s = reply.elapsedTime / 1000;
    let i = 0;
    while (i < BOUNDS.length && s > BOUNDS[i]!) i++;
    buckets[i]!++;
    sum += s;
    const c = ctx.get(req);
    out(
      `{"level":30,"time":${Date.now()},${BINDINGS}"reqId":${JSON.stringify(c?.id)},"method":"${req.method}","route":"/nbapi/ei/v1/agents","status":${reply.statusCode},"ms":${Math.round(reply.elapsedTime)},"msg":"request"}\n`,
    );
    done();
  });
  scope.get('/nbapi/ei/v1/agents', async () => body);
});
app.get('/metrics', async (_req, reply) => {
  let n = 0;
  const lines = BOUNDS.map((b, i) => `duration_seconds_bucket{le="${b}"} ${(n += buckets[i]!)}`);
  lines.push(`duration_seconds_bucket{le="+Inf"} ${n + buckets[BOUNDS.length]!}`, `duration_seconds_sum ${sum}`);
  return reply.type('text/plain').send(`${lines.join('\n')}\n`);
});
app.get('/readyz', async () => ({ status: 'ready' }));
await app.listen({ host: '127.0.0.1', port });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
