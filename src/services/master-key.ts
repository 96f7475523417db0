import { Envelope } from '../crypto/envelope.js';
import { signingKeyContext } from '../crypto/key-ring.js';
import { centralKeyContext } from '../domain/central.js';
import type { Store } from '../store/port.js';
import type { SealedSecret } from '../store/sealed-port.js';
import { policyKeyContext } from './iot-resources.js';

/** A canary sealed under the master key on first start: a wrong key fails at start, clearly. */
const CANARY = { key: 'master_key_check', plaintext: 'latch', context: 'master-key-check' };
/** Present while a rotation runs: `{ from, to, startedAt }` (key ids, see masterKeyId). */
const ROTATION = 'master_key_rotation';

interface RotationState {
  from: string;
  to: string;
  startedAt: number;
}

/** A start-up refusal over the master key: an operator's mistake, printed as its message alone. */
export class MasterKeyError extends Error {}

/** The meta keys the check before opening reads (see precheckMasterKeys). */
export const MASTER_KEY_META = [CANARY.key, ROTATION];

const RESTORE_HINT =
  'Nothing was written. Give this node the key the store was sealed under: restore that master.key into the data dir (mode 0600) or set LATCH_MASTER_KEY to it. ' +
  'To move to another key, rotate instead: start from the old key and run `latch master-key rotate` (README, "Master-key rotation").';

/**
 * Before the store is opened for use (so before a key file is generated, a migration runs or a
 * value is sealed): `meta` is the store's meta rows (MASTER_KEY_META) read without writing,
 * undefined for a new store. `envelope` holds the keys configured, undefined when there are none
 * (LATCH_MASTER_KEY unset and no master.key): a new key may be generated only for a store without
 * a canary. Throws MasterKeyError when the canary opens under none of the keys; a
 * rotation under way is left to checkMasterKeys, which knows which keys it needs.
 */
export function precheckMasterKeys(
  meta: Map<string, string> | undefined,
  envelope: Envelope | undefined,
  at: { where: string; dataDir: string },
): void {
  const canary = meta?.get(CANARY.key);
  if (canary === undefined || meta?.has(ROTATION)) return;
  const sealedUnder = Envelope.kidOf(canary) ?? 'unknown';
  if (!envelope)
    throw new MasterKeyError(
      `Refusing to start: no master key is configured (LATCH_MASTER_KEY is unset and ${at.dataDir} has no master.key), but the store already holds secrets sealed under one: ` +
        `its canary (meta '${CANARY.key}', sealed under the master key on first start and checked at every start) is under key ${sealedUnder}. ` +
        `A newly generated key could open none of them, so none was generated. ${RESTORE_HINT}`,
    );
  if (envelope.kidThatOpens(canary, CANARY.context) === undefined)
    throw new MasterKeyError(
      `Refusing to start: the master key does not match the one the store at ${at.where} was sealed under: ` +
        `its canary (meta '${CANARY.key}', sealed under the master key on first start and checked at every start) is under key ${sealedUnder}, ` +
        `and this node has key ${envelope.kids.join(', ')}. ${RESTORE_HINT}`,
    );
}

/** The AES-GCM context each sealed column was sealed with (the services' own context functions). */
export function sealedContext(s: SealedSecret): string {
  switch (s.kind) {
    case 'iot_policy':
      return policyKeyContext(s.tenantId, s.resourceId, s.keyName, s.slot);
    case 'central_app':
      return centralKeyContext(s.tenantId, s.appId);
    case 'signing_key':
      return signingKeyContext(s.kid);
  }
}

const readRotation = async (store: Store): Promise<RotationState | undefined> => {
  const raw = await store.meta.get(ROTATION);
  return raw === undefined ? undefined : (JSON.parse(raw) as RotationState);
};

export type KeyStatus =
  /** One key, and the store's canary opens under it. */
  | { state: 'steady' }
  /** A rotation from `from` to `to` is under way; this node holds both and seals under `to`. */
  | { state: 'rotating'; from: string; to: string }
  /** The rotation to the sealing key is done; the other key loaded is no longer needed. */
  | { state: 'complete'; retired: string[] };

/**
 * At start (every node, and `latch master-key rotate`): checks the configured keys against the
 * store and answers where a rotation stands. A node given a new key (LATCH_MASTER_KEY_NEW) while
 * the canary is under the old one records that a rotation has begun, so a node later started
 * with only the old key refuses to start instead of failing to open values sealed under the new.
 */
export async function checkMasterKeys(store: Store, envelope: Envelope, now: number): Promise<KeyStatus> {
  const canary = await store.meta.putIfAbsent(CANARY.key, envelope.seal(CANARY.plaintext, CANARY.context));
  const canaryKid = envelope.kidThatOpens(canary, CANARY.context);
  let rotation = await readRotation(store);
  if (!rotation && canaryKid !== undefined && canaryKid !== envelope.sealKid) {
    await store.meta.putIfAbsent(ROTATION, JSON.stringify({ from: canaryKid, to: envelope.sealKid, startedAt: now }));
    rotation = await readRotation(store);
  }
  if (rotation) {
    if (!envelope.has(rotation.from) || !envelope.has(rotation.to) || envelope.sealKid !== rotation.to)
      throw new MasterKeyError(
        `A master-key rotation from key ${rotation.from} to key ${rotation.to} is in progress; this node has ${envelope.kids.join(', ')}. ` +
          'Give it the old key as LATCH_MASTER_KEY and the new one as LATCH_MASTER_KEY_NEW (or <data dir>/master.key.new) until `latch master-key rotate` completes.',
      );
    return { state: 'rotating', from: rotation.from, to: rotation.to };
  }
  if (canaryKid === undefined) {
    const sealedUnder = Envelope.kidOf(canary);
    throw new MasterKeyError(
      `The master key does not match the one this database was created with${sealedUnder ? ` (key ${sealedUnder})` : ''} (set LATCH_MASTER_KEY to the original key)`,
    );
  }
  envelope.open(canary, CANARY.context);
  const others = envelope.kids.filter((k) => k !== envelope.sealKid);
  return others.length ? { state: 'complete', retired: others } : { state: 'steady' };
}

export interface RotateProgress {
  resealed: number;
  total: number;
}

/**
 * Re-seals every sealed value under the envelope's sealing key, crash-safe at every point:
 * each batch is one transaction of compare-and-set row updates, so a value is always either its
 * old ciphertext (opens under the old key) or a new one (opens under the new key), and the
 * rotation state stays in meta until one final transaction finds nothing left under another key
 * and writes the new canary. Re-running after a crash continues where the last commit left off.
 */
export async function rotateMasterKey(
  store: Store,
  envelope: Envelope,
  opts: { now: number; batch?: number; onProgress?: (p: RotateProgress) => void },
): Promise<{ resealed: number; alreadyComplete: boolean }> {
  const status = await checkMasterKeys(store, envelope, opts.now);
  if (status.state !== 'rotating') return { resealed: 0, alreadyComplete: true };
  const to = envelope.sealKid;
  const batch = opts.batch ?? 50;
  const pendingOf = (all: SealedSecret[]) => all.filter((s) => Envelope.kidOf(s.sealed) !== to);
  let resealed = 0;
  for (let pass = 0; ; pass++) {
    if (pass > 20)
      throw new MasterKeyError('master-key rotation: values keep changing under another key; is a node sealing under the old key?');
    const pending = pendingOf(await store.sealed.list());
    for (let i = 0; i < pending.length; i += batch) {
      const slice = pending.slice(i, i + batch);
      resealed += await store.transaction(async (tx) => {
        let n = 0;
        for (const s of slice) {
          const ctx = sealedContext(s);
          const fresh = envelope.seal(envelope.open(s.sealed, ctx), ctx);
          if (await tx.sealed.replace(s, fresh)) n++;
        }
        return n;
      });
      opts.onProgress?.({ resealed, total: resealed + pending.length - Math.min(pending.length, i + batch) });
    }
    const done = await store.transaction(async (tx) => {
      if (pendingOf(await tx.sealed.list()).length) return false;
      await tx.meta.put(CANARY.key, envelope.seal(CANARY.plaintext, CANARY.context));
      await tx.meta.delete(ROTATION);
      return true;
    });
    if (done) return { resealed, alreadyComplete: false };
  }
}
