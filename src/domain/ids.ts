const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our ids (tenants, users, keys, sessions, …) are UUIDs; anything else cannot name one. */
export function isUuid(s: string): boolean {
  return UUID.test(s);
}

/** An API key's client id as EI clients send it: `<tenant name>-><key name>`, lower-cased. */
export function apiKeyClientId(tenantName: string, keyName: string): string {
  return `${tenantName}->${keyName}`.toLowerCase();
}
