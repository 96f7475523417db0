/**
 * Shared access signatures (IoT Hub, DPS, and IoT Central API tokens), SAS policy rights, SAS keys
 * and connection strings. Wire rules: spec/sas-and-data-plane.md §1–§2 and
 * spec/arm-iothub-dps-keys.md §6. Tokens are byte-identical to azure-iot-common 1.13.3.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sameName } from './names.js';

const SAS_PREFIX = 'SharedAccessSignature ';

/**
 * `encodeURIComponent` plus `! ' ( ) *` escaped with lower-case hex (`*` → `%2a`), as
 * azure-iot-common does for `skn`, `sig` and device resource URIs.
 */
export function encodeUriComponentStrict(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16));
}

function percentDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function hmacBase64(key: string, stringToSign: string): string {
  return createHmac('sha256', Buffer.from(key, 'base64')).update(stringToSign, 'utf8').digest('base64');
}

// ---------------------------------------------------------------------------------------------
// Tokens

export interface SignSasInput {
  /** Put in `sr` and signed exactly as given (callers encode device URIs themselves). */
  resourceUri: string;
  /** Standard base64; the HMAC key is its decoded bytes. */
  key: string;
  /** Policy name (`skn`); omit for device/module-key tokens. */
  keyName?: string;
  /** `se`: seconds since the epoch (milliseconds for IoT Central API tokens). */
  expiry: number;
}

/**
 * `SharedAccessSignature sr=…&sig=…[&skn=…]&se=…` — same field order and encoding as
 * azure-iot-common `SharedAccessSignature.create(...).toString()`. Throws TypeError on an empty
 * resourceUri/key or a non-positive / non-integer expiry (azure-iot-common throws on them too).
 */
export function signSas(input: SignSasInput): string {
  const { resourceUri, key, keyName, expiry } = input;
  if (!resourceUri) throw new TypeError('resourceUri is required');
  if (!key) throw new TypeError('key is required');
  if (!Number.isSafeInteger(expiry) || expiry <= 0) throw new TypeError('expiry must be a positive integer');
  const se = String(expiry);
  const sig = encodeUriComponentStrict(hmacBase64(key, resourceUri + '\n' + se));
  const skn = keyName ? `&skn=${encodeUriComponentStrict(keyName)}` : '';
  return `${SAS_PREFIX}sr=${resourceUri}&sig=${sig}${skn}&se=${se}`;
}

export type SasParseFailure = 'bad_prefix' | 'malformed_field' | 'duplicate_field' | 'missing_field' | 'bad_expiry' | 'bad_encoding';

export interface ParsedSas {
  /** Raw `sr`, exactly as it appears in the token (this is what was signed). */
  sr: string;
  /** Percent-decoded `sr`, used for the scope check. */
  resource: string;
  /** Percent-decoded `sig` (base64 text). */
  sig: string;
  se: number;
  /** Percent-decoded `skn`; absent for device/module-key tokens. */
  skn?: string;
  /** Every field as sent (raw, not decoded), including unknown ones. */
  fields: Readonly<Record<string, string>>;
}

export type ParseSasResult = ({ ok: true } & ParsedSas) | { ok: false; reason: SasParseFailure };

/**
 * Parses an `Authorization` header / MQTT password. Field order is free; the prefix is
 * case-sensitive; `sr`, `sig` and `se` are required; duplicate names are rejected (a duplicate
 * could otherwise make the signed value and the checked value differ). Never throws.
 */
export function parseSas(header: string): ParseSasResult {
  if (typeof header !== 'string' || !header.startsWith(SAS_PREFIX)) return { ok: false, reason: 'bad_prefix' };
  const body = header.slice(SAS_PREFIX.length);
  const fields: Record<string, string> = Object.create(null);
  for (const part of body.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { ok: false, reason: 'malformed_field' };
    const name = part.slice(0, eq);
    if (Object.prototype.hasOwnProperty.call(fields, name)) return { ok: false, reason: 'duplicate_field' };
    fields[name] = part.slice(eq + 1);
  }
  const { sr, sig: rawSig, se: rawSe, skn: rawSkn } = fields;
  if (!sr || !rawSig || !rawSe) return { ok: false, reason: 'missing_field' };
  if (!/^[0-9]{1,16}$/.test(rawSe) || !Number.isSafeInteger(Number(rawSe))) return { ok: false, reason: 'bad_expiry' };
  const resource = percentDecode(sr);
  const sig = percentDecode(rawSig);
  const skn = rawSkn === undefined ? undefined : percentDecode(rawSkn);
  if (resource === undefined || sig === undefined || (rawSkn !== undefined && skn === undefined)) {
    return { ok: false, reason: 'bad_encoding' };
  }
  const parsed: { ok: true } & ParsedSas = { ok: true, sr, resource, sig, se: Number(rawSe), fields: Object.freeze(fields) };
  if (skn !== undefined) parsed.skn = skn;
  return parsed;
}

export interface VerifySasOptions {
  /** Candidate keys in order (primary, secondary), standard base64. Keys decoding to no bytes are skipped. */
  keys: readonly string[];
  /** Current time in seconds (may be fractional). */
  now: number;
  /** The resource being accessed: `{host}`, `{host}/devices/{id}`, `{host}/devices/{id}/modules/{mid}`, or an app id. */
  target: string;
  /** Unit of `se`: seconds (IoT Hub, DPS; default) or milliseconds (IoT Central API tokens). */
  unit?: 'seconds' | 'milliseconds';
}

export type SasVerifyFailure = 'expired' | 'no_usable_key' | 'bad_signature' | 'scope_mismatch';

export type VerifySasResult = { ok: true; keyIndex: number } | { ok: false; reason: SasVerifyFailure };

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function stripTrailingSlash(s: string): string {
  return s.endsWith('/') ? s.slice(0, -1) : s;
}

/** True when `scope` equals `target` or is a whole-segment prefix of it (case-insensitive). */
export function sasScopeCovers(scope: string, target: string): boolean {
  const s = stripTrailingSlash(scope.toLowerCase());
  const t = stripTrailingSlash(target.toLowerCase());
  return s.length > 0 && (t === s || t.startsWith(s + '/'));
}

/**
 * Checks expiry, then the signature against each key, then the scope. The signed string is the raw
 * `sr` + "\n" + the raw `se` from the token, never a re-encoding.
 */
export function verifySas(parsed: ParsedSas, opts: VerifySasOptions): VerifySasResult {
  const nowInUnit = opts.unit === 'milliseconds' ? opts.now * 1000 : opts.now;
  if (!(parsed.se > nowInUnit)) return { ok: false, reason: 'expired' };

  const rawSe = parsed.fields.se ?? String(parsed.se);
  const stringToSign = parsed.sr + '\n' + rawSe;
  // Security: compare SHA-256 digests of the base64 texts with timingSafeEqual, so lengths always
  // match and timing reveals nothing about how much of the signature was right. Comparing texts
  // (not decoded bytes) rejects non-canonical base64 that Buffer.from would silently accept.
  // Every key is tried, so timing does not reveal which one matched.
  const presented = digest(parsed.sig);
  let keyIndex = -1;
  let usable = 0;
  opts.keys.forEach((key, i) => {
    if (typeof key !== 'string' || Buffer.from(key, 'base64').length === 0) return;
    usable++;
    if (timingSafeEqual(digest(hmacBase64(key, stringToSign)), presented) && keyIndex < 0) keyIndex = i;
  });
  if (usable === 0) return { ok: false, reason: 'no_usable_key' };
  if (keyIndex < 0) return { ok: false, reason: 'bad_signature' };

  if (!sasScopeCovers(parsed.resource, opts.target)) return { ok: false, reason: 'scope_mismatch' };
  return { ok: true, keyIndex };
}

// ---------------------------------------------------------------------------------------------
// Rights

/** IoT Hub rights atoms, in the canonical order of the wire strings. */
export const HUB_RIGHTS = ['RegistryRead', 'RegistryWrite', 'ServiceConnect', 'DeviceConnect'] as const;
export type HubRight = (typeof HUB_RIGHTS)[number];

/**
 * DPS rights atoms, in our canonical output order. The only observed combined string is the default
 * policy's "ServiceConfig, DeviceConnect, EnrollmentWrite", which puts DeviceConnect before the
 * Enrollment* atoms; this order (consistent with a .NET flags enum printed in ascending value
 * order) reproduces it and keeps the remaining atoms in their documented order.
 */
export const DPS_RIGHTS = [
  'ServiceConfig',
  'DeviceConnect',
  'EnrollmentRead',
  'EnrollmentWrite',
  'RegistrationStatusRead',
  'RegistrationStatusWrite',
] as const;
export type DpsRight = (typeof DPS_RIGHTS)[number];

export type RightsParseFailure = 'empty' | 'unknown_right' | 'duplicate_right';

export type RightsParseResult<R extends string> =
  { ok: true; rights: string; atoms: readonly R[] } | { ok: false; reason: RightsParseFailure };

function parseRights<R extends string>(atoms: readonly R[], s: string): RightsParseResult<R> {
  if (typeof s !== 'string' || s.trim() === '') return { ok: false, reason: 'empty' };
  const byLower = new Map(atoms.map((a) => [a.toLowerCase(), a] as const));
  const seen = new Set<R>();
  for (const part of s.split(',')) {
    const word = part.trim();
    if (word === '') return { ok: false, reason: 'empty' };
    const atom = byLower.get(word.toLowerCase());
    if (atom === undefined) return { ok: false, reason: 'unknown_right' };
    if (seen.has(atom)) return { ok: false, reason: 'duplicate_right' };
    seen.add(atom);
  }
  const ordered = atoms.filter((a) => seen.has(a));
  return { ok: true, rights: ordered.join(', '), atoms: ordered };
}

/**
 * Accepts any non-empty set of distinct hub atoms (the 15 allowed values), case-insensitive, in any
 * order, separated by ","; returns the canonical wire string (", "-joined, canonical order).
 */
export function parseHubRights(s: string): RightsParseResult<HubRight> {
  return parseRights(HUB_RIGHTS, s);
}

/** Same as parseHubRights for DPS atoms; canonical order is DPS_RIGHTS. */
export function parseDpsRights(s: string): RightsParseResult<DpsRight> {
  return parseRights(DPS_RIGHTS, s);
}

/** Rights a hub policy actually grants: RegistryWrite implies RegistryRead. Invalid strings grant nothing. */
export function effectiveHubRights(s: string): ReadonlySet<HubRight> {
  const parsed = parseHubRights(s);
  if (!parsed.ok) return new Set();
  const out = new Set<HubRight>(parsed.atoms);
  if (out.has('RegistryWrite')) out.add('RegistryRead');
  return out;
}

const DPS_OWNER_ATOMS: readonly DpsRight[] = ['ServiceConfig', 'DeviceConnect', 'EnrollmentWrite'];

/**
 * Rights a DPS policy actually grants: EnrollmentWrite implies EnrollmentRead. Invalid strings
 * grant nothing.
 */
export function effectiveDpsRights(s: string): ReadonlySet<DpsRight> {
  const parsed = parseDpsRights(s);
  if (!parsed.ok) return new Set();
  const out = new Set<DpsRight>(parsed.atoms);
  // [decision] spec/arm-iothub-dps-keys.md §6: the default provisioningserviceowner rights
  // "ServiceConfig, DeviceConnect, EnrollmentWrite" are documented as "all permissions", so any
  // policy holding those three holds every DPS right, RegistrationStatusRead/Write included.
  if (DPS_OWNER_ATOMS.every((a) => out.has(a))) return new Set(DPS_RIGHTS);
  if (out.has('EnrollmentWrite')) out.add('EnrollmentRead');
  return out;
}

export interface DefaultSasPolicy {
  readonly keyName: string;
  readonly rights: string;
}

/** Policies of a new hub, names and rights strings exactly as the real service returns them. */
export const DEFAULT_HUB_POLICIES: readonly DefaultSasPolicy[] = Object.freeze([
  Object.freeze({ keyName: 'iothubowner', rights: 'RegistryWrite, ServiceConnect, DeviceConnect' }),
  Object.freeze({ keyName: 'service', rights: 'ServiceConnect' }),
  Object.freeze({ keyName: 'device', rights: 'DeviceConnect' }),
  Object.freeze({ keyName: 'registryRead', rights: 'RegistryRead' }),
  Object.freeze({ keyName: 'registryReadWrite', rights: 'RegistryWrite' }),
]);

/** The single policy of a new DPS. */
export const DEFAULT_DPS_POLICIES: readonly DefaultSasPolicy[] = Object.freeze([
  Object.freeze({ keyName: 'provisioningserviceowner', rights: 'ServiceConfig, DeviceConnect, EnrollmentWrite' }),
]);

// ---------------------------------------------------------------------------------------------
// Keys

/** A new SAS policy / device key: 32 random bytes, standard padded base64 (44 chars). */
export function generateSasKey(): string {
  return randomBytes(32).toString('base64');
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict standard base64 (padded, no whitespace, canonical trailing bits) decoding to 16..64 bytes,
 * the range the spec accepts for supplied keys.
 */
export function isValidSasKey(s: string): boolean {
  if (typeof s !== 'string' || s.length === 0 || s.length > 88 || !STRICT_BASE64.test(s)) return false;
  const bytes = Buffer.from(s, 'base64');
  return bytes.length >= 16 && bytes.length <= 64 && bytes.toString('base64') === s;
}

// ---------------------------------------------------------------------------------------------
// Connection strings

export interface ConnectionStringInput {
  hostName: string;
  keyName: string;
  key: string;
}

/** `HostName=…;SharedAccessKeyName=…;SharedAccessKey=…`. Throws TypeError on an empty value or one containing ";". */
export function buildConnectionString(input: ConnectionStringInput): string {
  for (const [name, value] of Object.entries(input)) {
    if (typeof value !== 'string' || value === '' || value.includes(';')) {
      throw new TypeError(`invalid connection string value for ${name}`);
    }
  }
  return `HostName=${input.hostName};SharedAccessKeyName=${input.keyName};SharedAccessKey=${input.key}`;
}

/**
 * azure-iot-common `createDictionary(s, ";")`: split on ";", then at the first "="; names are
 * case-sensitive; pairs with an empty name or value are dropped; the last duplicate wins; values are
 * not URL-decoded. The result has no prototype.
 */
export function parseConnectionString(s: string): Readonly<Record<string, string>> {
  const out: Record<string, string> = Object.create(null);
  for (const elem of String(s).split(';')) {
    const eq = elem.indexOf('=');
    if (eq < 0) continue;
    const name = elem.slice(0, eq);
    const value = elem.slice(eq + 1);
    if (name && value) out[name] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// IoT Central API tokens: the same token grammar with `se` in milliseconds, `sr` = application id

/**
 * The key one Central API token is signed with: HMAC-SHA256(app key, "central-api-token\n" +
 * tokenId + "\n" + salt), base64. Binding the token id and a per-token salt means `skn` cannot be
 * swapped for another token's id, and a deleted token stays dead if its id is reused.
 */
export function centralTokenKey(appKey: string, tokenId: string, salt: string): string {
  return createHmac('sha256', Buffer.from(appKey, 'base64')).update(`central-api-token\n${tokenId}\n${salt}`, 'utf8').digest('base64');
}

/** `SharedAccessSignature sr=<appId>&sig=…&skn=<tokenId>&se=<expiry ms>` (the field order of real tokens). */
export function signCentralToken(input: { appId: string; appKey: string; tokenId: string; salt: string; expiryMs: number }): string {
  return signSas({
    resourceUri: input.appId,
    key: centralTokenKey(input.appKey, input.tokenId, input.salt),
    keyName: input.tokenId,
    expiry: input.expiryMs,
  });
}

export type CentralVerifyFailure = 'missing_skn' | 'app_mismatch' | SasVerifyFailure;

/**
 * Checks a parsed Central token against its app and the token's derived key (centralTokenKey):
 * `skn` present, `sr` exactly the app id (case-insensitive: it is a GUID), then verifySas in
 * milliseconds. `nowMs` is epoch milliseconds.
 */
export function verifyCentralToken(
  parsed: ParsedSas,
  opts: { appId: string; tokenKey: string; nowMs: number },
): { ok: true } | { ok: false; reason: CentralVerifyFailure } {
  if (parsed.skn === undefined) return { ok: false, reason: 'missing_skn' };
  if (!sameName(parsed.resource, opts.appId)) return { ok: false, reason: 'app_mismatch' };
  const v = verifySas(parsed, { keys: [opts.tokenKey], now: opts.nowMs / 1000, target: opts.appId, unit: 'milliseconds' });
  return v.ok ? { ok: true } : v;
}
