import { CLIENT_ID_SEPARATOR } from './ids.js';

/**
 * Tenant (and organization) names: 1-128 characters, not blank, unique case-insensitively, and
 * never containing "->", which separates tenant and key name in an API key's client id.
 */
export const TENANT_NAME_MAX = 128;
export const TENANT_NAME_PATTERN = `^(?!.*${CLIENT_ID_SEPARATOR}).*\\S.*$`;
const TENANT_NAME = new RegExp(TENANT_NAME_PATTERN);

export function isTenantName(s: string): boolean {
  return s.length >= 1 && s.length <= TENANT_NAME_MAX && TENANT_NAME.test(s);
}
