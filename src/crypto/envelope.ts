import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM envelope for secrets the server must read back (SAS policy keys, Central app keys,
 * JWT private keys, the master-key canary). Format: `v2.<key id>.<iv>.<ciphertext>.<tag>`
 * (base64url; the key id is the master key's fingerprint, see masterKeyId). `v1.<iv>.<ct>.<tag>`,
 * written before key ids existed, still opens: each loaded key is tried (GCM's tag tells a wrong
 * key). `context` is bound as additional data, so a ciphertext copied to another row (another kid,
 * another policy) fails to decrypt.
 *
 * Several master keys may be loaded (a rotation in progress, docs in README "Master-key rotation"):
 * values open under whichever key sealed them; new values are sealed under `sealKid` only.
 */
export class Envelope {
  private readonly keys = new Map<string, Buffer>();
  readonly sealKid: string;

  constructor(sealKey: Buffer, alsoOpen: readonly Buffer[] = []) {
    for (const k of [sealKey, ...alsoOpen]) {
      if (k.length !== 32) throw new Error('master key must be 32 bytes');
      this.keys.set(masterKeyId(k), k);
    }
    this.sealKid = masterKeyId(sealKey);
  }

  /** Ids of every loaded key, the sealing key first. */
  get kids(): string[] {
    return [this.sealKid, ...[...this.keys.keys()].filter((k) => k !== this.sealKid)];
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.keys.get(this.sealKid)!, iv);
    c.setAAD(Buffer.from(context));
    const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return ['v2', this.sealKid, iv.toString('base64url'), ct.toString('base64url'), c.getAuthTag().toString('base64url')].join('.');
  }

  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (parts[0] === 'v2' && parts.length === 5) {
      const key = this.keys.get(parts[1]!);
      if (!key) throw new Error(`sealed under master key ${parts[1]}, which is not loaded`);
      return decrypt(key, parts[2]!, parts[3]!, parts[4]!, context);
    }
    const [v, iv, ct, tag] = parts;
    if (v !== 'v1' || parts.length !== 4 || !iv || ct === undefined || !tag) throw new Error('malformed envelope');
    let last: unknown;
    for (const key of this.keys.values()) {
      try {
        return decrypt(key, iv, ct, tag, context);
      } catch (e) {
        last = e;
      }
    }
    throw last as Error;
  }

  /** The id of the loaded key that opens this value (v1 values carry none), or undefined. */
  kidThatOpens(sealed: string, context: string): string | undefined {
    const kid = Envelope.kidOf(sealed);
    if (kid) return this.keys.has(kid) ? kid : undefined;
    for (const [id, key] of this.keys) {
      try {
        new Envelope(key).open(sealed, context);
        return id;
      } catch {
        // not this key
      }
    }
    return undefined;
  }

  /** The key id a value was sealed under; `undefined` for a v1 value (sealed before key ids). */
  static kidOf(sealed: string): string | undefined {
    const parts = sealed.split('.');
    return parts[0] === 'v2' && parts.length === 5 ? parts[1] : undefined;
  }
}

function decrypt(key: Buffer, iv: string, ct: string, tag: string, context: string): string {
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  d.setAAD(Buffer.from(context));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
}

/**
 * A master key's public fingerprint: 16 hex digits of SHA-256 over a label and the key. Recorded
 * in every sealed value and in the rotation state; reveals nothing about a 256-bit random key.
 */
export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update('latch master key id\0').update(key).digest('hex').slice(0, 16);
}

/** Parses LATCH_MASTER_KEY: 32 bytes as base64/base64url (43–44 chars) or hex (64 chars). */
export function parseMasterKey(text: string, name = 'LATCH_MASTER_KEY'): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  const b = Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
  if (b.length !== 32) throw new Error(`${name} must be 32 bytes, given as 64 hex characters or base64`);
  return b;
}

export function generateMasterKey(): string {
  return randomBytes(32).toString('base64');
}
