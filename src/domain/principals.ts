import type { Session, User } from './types.js';

/** A disabled user can neither sign in nor use a token issued before. */
export function isUserActive(u: Pick<User, 'disabled'>): boolean {
  return !u.disabled;
}

/** Expired at `now` (epoch ms) when the expiry has been reached; `null` never expires (users). */
export function isExpired(expiresAt: number | null, now: number): boolean {
  return expiresAt !== null && expiresAt <= now;
}

/** A session refresh tokens may extend: not revoked, not past its absolute end. */
export function isSessionActive(s: Pick<Session, 'revokedAt' | 'expiresAt'>, now: number): boolean {
  return s.revokedAt === null && !isExpired(s.expiresAt, now);
}
