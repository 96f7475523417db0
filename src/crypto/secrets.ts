import crypto, { createHash, randomFillSync, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_CHARS = 43; // 43 × log2(62) ≈ 256.03 bits
const CHECK_CHARS = 6; // 62^6 > 2^32
/** The largest multiple of 62 a byte can hold (4 × 62): a byte below it maps to a base62 digit without bias. */
const UNBIASED = 248;

export type SecretKind = 'ak' | 'rt';

/** `n` as `width` base62 digits (n < 62^width). */
function base62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function checksum(body: string): string {
  return base62(crc32(body), CHECK_CHARS);
}

/**
 * `n` base62 characters, each uniform and independent: CSPRNG bytes, those ≥ 248 dropped
 * (rejection sampling), the rest taken mod 62. (It replaced a BigInt conversion of 32 bytes,
 * which cost 86 BigInt divisions per secret on the token path.)
 */
function randomBase62(n: number): string {
  let out = '';
  while (out.length < n) {
    const b = randomByte();
    if (b < UNBIASED) out += ALPHABET[b % 62]!;
  }
  return out;
}

/**
 * CSPRNG bytes drawn from a pool filled 4 KiB at a time, each byte used once, as node:crypto's
 * randomUUID draws its own: a `randomBytes` call costs ~1.6 µs whatever its size (a buffer and a
 * job per call), the pool ~0.06 µs for a secret's worth.
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafeSlow(POOL_BYTES);
let poolAt = POOL_BYTES;
function randomByte(): number {
  if (poolAt === POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++]!;
}

/**
 * A Latch secret: `latch_<kind>_<43 random base62 chars: 256 bits><6-char base62 CRC32>`.
 * Recognisable by secret scanners; a mistyped secret fails the checksum before any lookup.
 * With `rowId` (a UUID: the refresh token's row), its 32 hex digits come first:
 * `latch_<kind>_<row id><43 random><CRC32>`, so the store finds the row by its id, not its digest.
 */
export function generateSecret(kind: SecretKind, rowId?: string): string {
  const body = `latch_${kind}_${rowId === undefined ? '' : rowId.replaceAll('-', '')}${randomBase62(RANDOM_CHARS)}`;
  return body + checksum(body);
}

// The optional group is the row id (32 lowercase hex digits); the 49 characters after it are the
// random part and the checksum. The lengths (49 or 81) tell the two shapes apart.
const SHAPE = /^latch_([a-z]{2})_([0-9a-f]{32})?[0-9A-Za-z]{49}$/;

/** True when `s` has the shape of a secret of `kind` and its checksum matches. */
export function isWellFormedSecret(s: string, kind: SecretKind): boolean {
  const m = SHAPE.exec(s);
  if (!m || m[1] !== kind) return false;
  const body = s.slice(0, s.length - CHECK_CHARS);
  return checksum(body) === s.slice(-CHECK_CHARS);
}

/**
 * The row id (a UUID) a well-formed secret (see isWellFormedSecret, which callers have already
 * asked) carries, or undefined for one without: its length tells, so the shape is not matched again.
 */
export function secretRowId(s: string): string | undefined {
  const at = s.indexOf('_', 6) + 1; // after `latch_<kind>_`
  if (s.length - at !== 32 + RANDOM_CHARS + CHECK_CHARS) return undefined;
  const hex = s.slice(at, at + 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** SHA-256 hex digest: how high-entropy secrets are stored. A slow hash buys nothing for them. */
export function digest(s: string): string {
  return oneShot ? oneShot('sha256', s, 'hex') : createHash('sha256').update(s).digest('hex');
}
// node:crypto's one-shot hash (Node ≥ 20.12): half the cost of a Hash object for a short input.
const oneShot = (crypto as { hash?: typeof crypto.hash }).hash;

/**
 * Constant-time equality of two strings. Digests are compared, so lengths match and the bytes are
 * compared directly; strings of different lengths are hashed first so that even then the time
 * does not depend on where they differ.
 */
export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ba.length === bb.length) return timingSafeEqual(ba, bb);
  return timingSafeEqual(createHash('sha256').update(ba).digest(), createHash('sha256').update(bb).digest());
}

/** Display prefix kept next to the digest so a user can recognise a key in a list. */
export function secretStart(secret: string): string {
  return secret.slice(0, 13);
}
