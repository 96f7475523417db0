/**
 * Seeds a stopped Latch's store with N stored credentials through the store's bulk path: the
 * store adapter (`openStore`, the same Kysely store the server uses) and its `backup.insert`
 * (multi-row prepared inserts, as `latch restore` uses them), in transactions of a few thousand
 * rows each. Nothing here goes through the HTTP API or the services: a million keys through
 * `POST /iam/api-keys` would take hours.
 *
 * What one size N seeds, all in the bench tenant, cloned from the rows setup made through the API
 * (so the shape is exactly what Latch writes):
 * - N API keys, each with a real `ak` secret's SHA-256 digest (API key secrets are random and
 *   high-entropy: a digest, not argon2, is what Latch stores for them), one session and one role
 *   assignment (EI Admin);
 * - N / 10 shared access policies (IoT hub keys, sealed with the master key as Latch seals them),
 *   16 per hub, on N / 160 hubs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Envelope, parseMasterKey } from '../src/crypto/envelope.js';
import { digest, generateSecret, secretStart } from '../src/crypto/secrets.js';
import { policyKeyContext } from '../src/services/iot-resources.js';
import { openStore } from '../src/store/open.js';
import type { BackupRow } from '../src/store/sealed-port.js';
import type { Store } from '../src/store/port.js';
import { BenchFailure } from './harness.js';

export interface SeedResult {
  apiKeys: number;
  policies: number;
  hubs: number;
  ms: number;
}

const ROWS_PER_TRANSACTION = 5000;
const POLICIES_PER_HUB = 16;

/** One transaction per chunk: bounded memory and WAL, and a few hundred fsyncs for a million rows. */
async function insertChunked(store: Store, table: string, count: number, make: (i: number) => BackupRow): Promise<void> {
  for (let start = 0; start < count; start += ROWS_PER_TRANSACTION) {
    const rows: BackupRow[] = [];
    for (let i = start; i < Math.min(count, start + ROWS_PER_TRANSACTION); i++) rows.push(make(i));
    await store.transaction((tx) => tx.backup.insert(table, rows));
  }
}

function sortedIds(n: number): string[] {
  return Array.from({ length: n }, () => randomUUID()).sort();
}

async function templates(store: Store, keyId: string) {
  const found: Record<string, BackupRow | undefined> = {};
  const policies: BackupRow[] = [];
  await store.backup.dump((table, row) => {
    if (table === 'api_keys' && row.id === keyId) found.apiKey = row;
    else if (table === 'sessions' && row.principal_id === keyId) found.session ??= row;
    else if (table === 'role_assignments' && row.principal_id === keyId) found.assignment = row;
    else if (table === 'iot_resources' && row.kind === 'hub') found.hub ??= row;
    else if (table === 'iot_policies') policies.push(row);
  });
  const { apiKey, session, assignment, hub } = found;
  if (!apiKey || !session || !assignment || !hub)
    throw new BenchFailure('seed: setup rows (API key, session, role assignment, hub) not found');
  return { apiKey, session, assignment, hub, policy: policies.find((p) => p.resource_id === hub.id)! };
}

export async function seedCredentials(opts: { dbFile: string; masterKey: string; keyId: string; count: number }): Promise<SeedResult> {
  const t0 = performance.now();
  const store = await openStore({ kind: 'sqlite', file: opts.dbFile });
  try {
    const tpl = await templates(store, opts.keyId);
    const envelope = new Envelope(parseMasterKey(opts.masterKey));
    // Ids in ascending order, names zero-padded: rows append to each B-tree instead of landing at
    // random pages (a million random-order inserts spend their time in page-cache misses).
    const keyIds = sortedIds(opts.count);
    const pad = (i: number) => String(i).padStart(7, '0');

    await insertChunked(store, 'api_keys', opts.count, (i) => {
      const secret = generateSecret('ak');
      return {
        ...tpl.apiKey,
        id: keyIds[i]!,
        name: `seed-${pad(i)}`,
        name_key: `seed-${pad(i)}`,
        secret_hash: digest(secret),
        start: secretStart(secret),
      };
    });
    const sessionIds = sortedIds(opts.count);
    await insertChunked(store, 'sessions', opts.count, (i) => ({ ...tpl.session, id: sessionIds[i]!, principal_id: keyIds[i]! }));
    const assignmentIds = sortedIds(opts.count);
    await insertChunked(store, 'role_assignments', opts.count, (i) => ({
      ...tpl.assignment,
      id: assignmentIds[i]!,
      principal_id: keyIds[i]!,
    }));

    const hubs = Math.max(1, Math.round(opts.count / 10 / POLICIES_PER_HUB));
    const hubIds = sortedIds(hubs);
    const hubName = String(tpl.hub.name);
    await insertChunked(store, 'iot_resources', hubs, (i) => {
      const name = `seed-hub-${pad(i)}`;
      return {
        ...tpl.hub,
        id: hubIds[i]!,
        name,
        name_key: name,
        properties: String(tpl.hub.properties).replaceAll(hubName, name),
        etag: randomUUID(),
      };
    });
    const tenantId = String(tpl.hub.tenant_id);
    await insertChunked(store, 'iot_policies', hubs * POLICIES_PER_HUB, (i) => {
      const resourceId = hubIds[Math.floor(i / POLICIES_PER_HUB)]!;
      const keyName = `seed-policy-${String(i % POLICIES_PER_HUB).padStart(2, '0')}`;
      const key = () => randomBytes(32).toString('base64');
      return {
        ...tpl.policy,
        resource_id: resourceId,
        tenant_id: tenantId,
        position: i % POLICIES_PER_HUB,
        key_name: keyName,
        key_name_key: keyName,
        primary_enc: envelope.seal(key(), policyKeyContext(tenantId, resourceId, keyName, 'primary')),
        secondary_enc: envelope.seal(key(), policyKeyContext(tenantId, resourceId, keyName, 'secondary')),
      };
    });
    return { apiKeys: opts.count, policies: hubs * POLICIES_PER_HUB, hubs, ms: performance.now() - t0 };
  } finally {
    await store.close();
  }
}
