import { randomBytes } from 'node:crypto';
import { hash, verify, Algorithm } from '@node-rs/argon2';

// argon2id with OWASP's recommended minimum (19 MiB, 2 passes). Passwords only: API key secrets
// and refresh tokens are high-entropy and stored as SHA-256.
const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 8;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/**
 * A hash of a password nobody knows, with the real parameters: an unknown username is verified
 * against it, so it costs the same argon2id work as a wrong password (timing tells nothing).
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(`latch-dummy-${randomBytes(16).toString('hex')}`);
  return dummy;
}
