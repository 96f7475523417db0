import { v7 as uuidv7 } from 'uuid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our ids (tenants, users, keys, sessions, …) are UUIDs; anything else cannot name one. */
export function isUuid(s: string): boolean {
  return UUID.test(s);
}

/**
 * A UUID (RFC 9562 version 7) that sorts by creation time, for rows written on every login:
 * sessions and audit records. A random (v4) key lands on a random leaf of the primary-key index,
 * so a batch of n logins dirtied about n pages per index (written to the WAL, then checkpointed);
 * time-ordered keys all go to the index's last page. Its time part is the creation millisecond,
 * which the row stores anyway.
 */
export function timeOrderedId(): string {
  return uuidv7();
}

/** Separates the tenant name from the key name in an API key's client id. */
export const CLIENT_ID_SEPARATOR = '->';

/** An API key's client id as EI clients send it: `<tenant name>-><key name>`, lower-cased. */
export function apiKeyClientId(tenantName: string, keyName: string): string {
  return `${tenantName}${CLIENT_ID_SEPARATOR}${keyName}`.toLowerCase();
}

/** `<tenant name>-><key name>` split at the last separator, or undefined without one. */
export function parseApiKeyClientId(clientId: string): { tenantName: string; keyName: string } | undefined {
  const i = clientId.lastIndexOf(CLIENT_ID_SEPARATOR);
  return i < 0 ? undefined : { tenantName: clientId.slice(0, i), keyName: clientId.slice(i + CLIENT_ID_SEPARATOR.length) };
}
