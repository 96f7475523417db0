import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_BYTES = 32; // 256 bit
const RANDOM_CHARS = 43; // ceil(256 / log2(62))
const CHECK_CHARS = 6; // 62^6 > 2^32

export type SecretKind = 'ak' | 'rt';

function base62(n: bigint, width: number): string {
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(width, '0');
}

function checksum(body: string): string {
  return base62(BigInt(crc32(body)), CHECK_CHARS);
}

/**
 * A Latch secret: `latch_<kind>_<43 base62 chars of 256 random bits><6-char base62 CRC32>`.
 * Recognisable by secret scanners; a mistyped secret fails the checksum before any lookup.
 */
export function generateSecret(kind: SecretKind): string {
  const body = `latch_${kind}_${base62(BigInt('0x' + randomBytes(RANDOM_BYTES).toString('hex')), RANDOM_CHARS)}`;
  return body + checksum(body);
}

const SHAPE = /^latch_([a-z]{2})_([0-9A-Za-z]{49})$/;

/** True when `s` has the shape of a secret of `kind` and its checksum matches. */
export function isWellFormedSecret(s: string, kind: SecretKind): boolean {
  const m = SHAPE.exec(s);
  if (!m || m[1] !== kind) return false;
  const body = s.slice(0, s.length - CHECK_CHARS);
  return checksum(body) === s.slice(-CHECK_CHARS);
}

/** SHA-256 hex digest: how high-entropy secrets are stored. A slow hash buys nothing for them. */
export function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Constant-time equality of two strings (digests are compared, so lengths always match). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Display prefix kept next to the digest so a user can recognise a key in a list. */
export function secretStart(secret: string): string {
  return secret.slice(0, 13);
}
