/** API key names: the characters and length both the CLI (exit 2) and the server (400) check. */
export const API_KEY_NAME_CHARS = '[0-9a-zA-Z-]';
export const API_KEY_NAME_MAX = 40;
export const API_KEY_NAME_PATTERN = `^${API_KEY_NAME_CHARS}{1,${API_KEY_NAME_MAX}}$`;
const API_KEY_NAME = new RegExp(API_KEY_NAME_PATTERN);

export function isApiKeyName(s: string): boolean {
  return API_KEY_NAME.test(s);
}

/** The lifetimes an API key may be created with (or an explicit time); DESIGN.md "Decisions". */
export const API_KEY_EXPIRY_DAYS = [30, 60, 90, 180, 365] as const;
export const DEFAULT_API_KEY_EXPIRY_DAYS = 365;
/** An explicit expiry may lie at most this far ahead. */
export const MAX_API_KEY_EXPIRY_YEARS = 5;

export function isApiKeyExpiryDays(days: number): boolean {
  return (API_KEY_EXPIRY_DAYS as readonly number[]).includes(days);
}
