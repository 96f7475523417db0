/**
 * The api-version query parameter, as ARM and IoT Central check it: the first value when it is
 * repeated, compared exactly (case-sensitive) against the versions a route serves. Each face
 * answers a failure in its own code and envelope.
 */
export type ApiVersionCheck = { ok: true; version: string } | { ok: false; missing: boolean; version: string };

/** `raw` is the parsed query value (a string, an array when repeated, or absent). Missing or empty: `missing`, version ''. */
export function checkApiVersion(raw: unknown, supported: readonly string[]): ApiVersionCheck {
  const v = Array.isArray(raw) ? (raw[0] as unknown) : raw;
  if (typeof v !== 'string' || v === '') return { ok: false, missing: true, version: '' };
  return supported.includes(v) ? { ok: true, version: v } : { ok: false, missing: false, version: v };
}
