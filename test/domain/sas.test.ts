import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
// azure-iot-common is CommonJS whose `module.exports = { … }` Node's ESM loader cannot see named
// exports in (only `anHourFromNow`), so the oracle is reached through the default import.
import azureIotCommon from 'azure-iot-common';
import {
  DEFAULT_DPS_POLICIES,
  DEFAULT_HUB_POLICIES,
  DPS_RIGHTS,
  HUB_RIGHTS,
  buildConnectionString,
  effectiveDpsRights,
  effectiveHubRights,
  encodeUriComponentStrict,
  generateSasKey,
  isValidSasKey,
  parseConnectionString,
  parseDpsRights,
  parseHubRights,
  parseSas,
  signSas,
  verifySas,
  type ParsedSas,
  type VerifySasOptions,
} from '../../src/domain/sas.js';

const { SharedAccessSignature, ConnectionString } = azureIotCommon;

const VECTOR_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const VECTOR_SE = 1700000000;
const HUB = 'myhub.azure-devices.net';
const DPS = 'mydps.azure-devices-provisioning.net';

function mustParse(header: string): ParsedSas {
  const p = parseSas(header);
  if (!p.ok) throw new Error(`parse failed (${p.reason}): ${header}`);
  return p;
}

function verifyHeader(header: string, opts: VerifySasOptions) {
  const p = parseSas(header);
  return p.ok ? verifySas(p, opts) : { ok: false as const, reason: p.reason };
}

/** Deterministic PRNG (mulberry32) so a failing oracle case is reproducible. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(0, 255)));
  const str = (alphabet: string, lo: number, hi: number) => {
    const chars = Array.from(alphabet);
    return Array.from({ length: int(lo, hi) }, () => pick(chars)).join('');
  };
  const shuffle = <T>(xs: readonly T[]): T[] => {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(0, i);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
  return { next, int, pick, bytes, str, shuffle };
}

/** Rebuilds a token with its fields in the given order. */
function reorder(header: string, order: readonly string[]): string {
  const fields = new Map(
    header
      .slice('SharedAccessSignature '.length)
      .split('&')
      .map((p) => [p.slice(0, p.indexOf('=')), p] as const),
  );
  return (
    'SharedAccessSignature ' +
    order
      .filter((n) => fields.has(n))
      .map((n) => fields.get(n))
      .join('&')
  );
}

function withField(header: string, name: string, value: string | undefined): string {
  const parts = header.slice('SharedAccessSignature '.length).split('&');
  const kept = parts.filter((p) => !p.startsWith(name + '='));
  if (value !== undefined) kept.push(`${name}=${value}`);
  return 'SharedAccessSignature ' + kept.join('&');
}

describe('signSas / verifySas: spec §1 test vectors', () => {
  const vectors = [
    {
      name: 'service policy token',
      input: { resourceUri: HUB, keyName: 'iothubowner' },
      target: HUB,
      token:
        'SharedAccessSignature sr=myhub.azure-devices.net&sig=iIzEw6hi6GK79RY5jNXO6QeQkSL%2FAx4zTmy44X2G1VY%3D&skn=iothubowner&se=1700000000',
    },
    {
      name: 'device key token',
      input: { resourceUri: encodeUriComponentStrict(`${HUB}/devices/device-1`) },
      target: `${HUB}/devices/device-1`,
      token:
        'SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdevice-1&sig=wT4iRQN%2FF1X3J9op%2FjmtNVFd%2FGmFP1H4RB4NscykWq0%3D&se=1700000000',
    },
    {
      name: 'device token via the device policy',
      input: { resourceUri: encodeUriComponentStrict(`${HUB}/devices/device-1`), keyName: 'device' },
      target: `${HUB}/devices/device-1`,
      token:
        'SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdevice-1&sig=wT4iRQN%2FF1X3J9op%2FjmtNVFd%2FGmFP1H4RB4NscykWq0%3D&skn=device&se=1700000000',
    },
    {
      name: 'DPS service token',
      input: { resourceUri: DPS, keyName: 'provisioningserviceowner' },
      target: DPS,
      token:
        'SharedAccessSignature sr=mydps.azure-devices-provisioning.net&sig=%2B5V0HFPIoMYrcltM2Jj4oxVByh5pkp677OYUHTEHW70%3D&skn=provisioningserviceowner&se=1700000000',
    },
  ];

  it.each(vectors)('$name is reproduced byte for byte', ({ input, token }) => {
    expect(signSas({ ...input, key: VECTOR_KEY, expiry: VECTOR_SE })).toBe(token);
  });

  it.each(vectors)('$name is accepted with keyIndex 0', ({ input, token, target }) => {
    const parsed = mustParse(token);
    expect(parsed.skn).toBe(input.keyName);
    expect(verifySas(parsed, { keys: [VECTOR_KEY], now: VECTOR_SE - 1, target })).toEqual({ ok: true, keyIndex: 0 });
  });

  it('the device token via policy carries the same signature as the device key token (skn is not signed)', () => {
    expect(mustParse(vectors[1].token).sig).toBe(mustParse(vectors[2].token).sig);
  });
});

describe('signSas matches azure-iot-common (oracle)', () => {
  const r = prng(0x5a5);
  const idAlphabet = "abcXYZ019-_.:+%#*?!'()$,;=@ äöü€中文🙂";
  const sknAlphabet = "abcXYZ019-_ !*'()&=/+%äü🙂";
  const hostAlphabet = 'abcdefghijklmnopqrstuvwxyzABCDEF0123456789-.';

  function randomCase() {
    const host = `${r.str(hostAlphabet, 1, 20)}.azure-devices.net`;
    const kind = r.int(0, 4);
    let resourceUri: string;
    let target: string;
    if (kind === 0) {
      resourceUri = host;
      target = host;
    } else if (kind === 1 || kind === 2) {
      const plain = `${host}/devices/${r.str(idAlphabet, 1, 24)}`;
      const mod = kind === 2 ? `/modules/${r.str(idAlphabet, 1, 12)}` : '';
      resourceUri = encodeUriComponentStrict(plain + mod);
      target = plain + mod;
    } else if (kind === 3) {
      const plain = `${host}/devices/${r.str('äöü€中文🙂abc', 1, 10)}`;
      resourceUri = plain; // unicode sr sent raw, as given
      target = plain;
    } else {
      const plain = `${host}/devices/${r.str(idAlphabet, 1, 24)}`;
      resourceUri = encodeURIComponent(plain).toLowerCase(); // docs-style lower-case encoding
      target = plain;
    }
    const keyName = r.pick([undefined, '', 'iothubowner', r.str(sknAlphabet, 1, 16)]);
    const key = r.bytes(r.int(16, 64)).toString('base64');
    const expiry = r.int(1, 4_000_000_000);
    return { resourceUri, target, keyName, key, expiry };
  }

  const cases = Array.from({ length: 250 }, randomCase);

  it('produces the same full token string as SharedAccessSignature.create(...).toString() and .extend()', () => {
    for (const c of cases) {
      const ours = signSas({ resourceUri: c.resourceUri, key: c.key, keyName: c.keyName, expiry: c.expiry });
      const created = SharedAccessSignature.create(c.resourceUri, c.keyName as string, c.key, c.expiry);
      expect(ours, JSON.stringify(c)).toBe(created.toString());
      expect(ours, JSON.stringify(c)).toBe(created.extend(c.expiry));
    }
  });

  it('accepts every oracle token for its own resource, with the matching key index', () => {
    for (const c of cases) {
      const token = SharedAccessSignature.create(c.resourceUri, c.keyName as string, c.key, c.expiry).toString();
      const parsed = mustParse(token);
      expect(parsed.sr).toBe(c.resourceUri);
      expect(parsed.skn).toBe(c.keyName ? c.keyName : undefined);
      const keys = r.next() < 0.5 ? [c.key] : [generateSasKey(), c.key];
      const result = verifySas(parsed, { keys, now: c.expiry - 1, target: c.target });
      expect(result, JSON.stringify(c)).toEqual({ ok: true, keyIndex: keys.length - 1 });
    }
  });
});

describe('parseSas', () => {
  const token = signSas({ resourceUri: HUB, key: VECTOR_KEY, keyName: 'iothubowner', expiry: VECTOR_SE });
  const opts = { keys: [VECTOR_KEY], now: VECTOR_SE - 10, target: HUB };

  it.each([
    ['sr,sig,skn,se (azure-iot-common)', ['sr', 'sig', 'skn', 'se']],
    ['sr,sig,se,skn (IoT Hub docs)', ['sr', 'sig', 'se', 'skn']],
    ['sig,se,skn,sr (DPS docs)', ['sig', 'se', 'skn', 'sr']],
  ])('accepts fields in %s order', (_name, order) => {
    const header = reorder(token, order);
    expect(header.slice(22, 24)).toBe(order[0].slice(0, 2));
    expect(verifyHeader(header, opts)).toEqual({ ok: true, keyIndex: 0 });
  });

  it('returns raw sr, decoded sig and skn, numeric se and the raw fields', () => {
    const header = signSas({
      resourceUri: encodeUriComponentStrict(`${HUB}/devices/d(1)`),
      key: VECTOR_KEY,
      keyName: 'my policy*',
      expiry: VECTOR_SE,
    });
    const p = mustParse(header);
    expect(p.sr).toBe('myhub.azure-devices.net%2Fdevices%2Fd%281%29');
    expect(p.resource).toBe(`${HUB}/devices/d(1)`);
    expect(p.skn).toBe('my policy*');
    expect(p.fields.skn).toBe('my%20policy%2a');
    expect(p.se).toBe(VECTOR_SE);
    expect(p.sig).toBe(decodeURIComponent(p.fields.sig));
    expect(p.sig).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('rejects a missing or differently cased prefix', () => {
    const body = token.slice('SharedAccessSignature '.length);
    for (const h of [
      body,
      `sharedaccesssignature ${body}`,
      `SHAREDACCESSSIGNATURE ${body}`,
      `Bearer ${body}`,
      `SharedAccessSignature${body}`,
      '',
    ]) {
      expect(parseSas(h)).toEqual({ ok: false, reason: 'bad_prefix' });
    }
  });

  it.each(['sr', 'sig', 'se'])('rejects a token without %s', (name) => {
    expect(parseSas(withField(token, name, undefined))).toEqual({ ok: false, reason: 'missing_field' });
    expect(parseSas(withField(token, name, ''))).toEqual({ ok: false, reason: 'missing_field' });
  });

  it.each(['1700000000.5', '1.7e9', '-1700000000', '+1700000000', ' 1700000000', '0x65', 'abc', '99999999999999999999'])(
    'rejects se=%s (not a decimal integer)',
    (se) => {
      expect(parseSas(withField(token, 'se', se))).toEqual({ ok: false, reason: 'bad_expiry' });
    },
  );

  it.each(['sr', 'sig', 'se', 'skn'])('rejects a duplicated %s field', (name) => {
    const p = mustParse(token);
    const dup = `${token}&${name}=${p.fields[name]}`;
    expect(parseSas(dup)).toEqual({ ok: false, reason: 'duplicate_field' });
  });

  it.each(['sr', 'sig', 'skn'])('rejects malformed percent-encoding in %s without throwing', (name) => {
    expect(parseSas(withField(token, name, 'abc%ZZ'))).toEqual({ ok: false, reason: 'bad_encoding' });
    expect(parseSas(withField(token, name, 'abc%E2%82'))).toEqual({ ok: false, reason: 'bad_encoding' });
  });

  it('rejects a field without "=" or with an empty name', () => {
    expect(parseSas(`${token}&junk`)).toEqual({ ok: false, reason: 'malformed_field' });
    expect(parseSas(`${token}&=x`)).toEqual({ ok: false, reason: 'malformed_field' });
  });
});

describe('verifySas rejections', () => {
  const header = signSas({ resourceUri: HUB, key: VECTOR_KEY, keyName: 'iothubowner', expiry: VECTOR_SE });
  const opts = { keys: [VECTOR_KEY], now: VECTOR_SE - 10, target: HUB };

  it('rejects a signature with one character changed', () => {
    const p = mustParse(header);
    const c = p.sig[5] === 'A' ? 'B' : 'A';
    const tampered = { ...p, sig: p.sig.slice(0, 5) + c + p.sig.slice(6) };
    expect(verifySas(tampered, opts)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a non-canonical base64 signature that decodes to the same bytes', () => {
    const p = mustParse(header);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const last = p.sig[42]; // 32-byte digest → 43 data chars, the last with 2 unused bits
    const altered = alphabet[alphabet.indexOf(last) ^ 1];
    const sig = p.sig.slice(0, 42) + altered + '=';
    expect(Buffer.from(sig, 'base64').equals(Buffer.from(p.sig, 'base64'))).toBe(true);
    expect(verifySas({ ...p, sig }, opts)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a token whose se equals or precedes now', () => {
    expect(verifyHeader(header, { ...opts, now: VECTOR_SE })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyHeader(header, { ...opts, now: VECTOR_SE + 1 })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyHeader(header, { ...opts, now: VECTOR_SE - 0.5 })).toEqual({ ok: true, keyIndex: 0 });
  });

  it('rejects a token signed with another key', () => {
    const other = signSas({ resourceUri: HUB, key: generateSasKey(), keyName: 'iothubowner', expiry: VECTOR_SE });
    expect(verifyHeader(other, opts)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a signature moved onto another se (se is signed)', () => {
    expect(verifyHeader(withField(header, 'se', String(VECTOR_SE + 3600)), opts)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('accepts the secondary key with keyIndex 1', () => {
    const secondary = generateSasKey();
    const t = signSas({ resourceUri: HUB, key: secondary, keyName: 'iothubowner', expiry: VECTOR_SE });
    expect(verifyHeader(t, { ...opts, keys: [VECTOR_KEY, secondary] })).toEqual({ ok: true, keyIndex: 1 });
  });

  it('prefers the primary key when both keys match', () => {
    expect(verifyHeader(header, { ...opts, keys: [VECTOR_KEY, VECTOR_KEY] })).toEqual({ ok: true, keyIndex: 0 });
  });

  it('never accepts a key that decodes to no bytes (an empty HMAC key)', () => {
    const t = signSas({ resourceUri: HUB, key: '!!!!', keyName: 'iothubowner', expiry: VECTOR_SE });
    expect(verifyHeader(t, { ...opts, keys: ['!!!!'] })).toEqual({ ok: false, reason: 'no_usable_key' });
    expect(verifyHeader(t, { ...opts, keys: [] })).toEqual({ ok: false, reason: 'no_usable_key' });
    expect(verifyHeader(t, { ...opts, keys: ['', VECTOR_KEY] })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  describe('scope', () => {
    const sign = (sr: string) => signSas({ resourceUri: sr, key: VECTOR_KEY, expiry: VECTOR_SE });
    const check = (sr: string, target: string) => verifyHeader(sign(sr), { ...opts, target });
    const mismatch = { ok: false, reason: 'scope_mismatch' };
    const ok = { ok: true, keyIndex: 0 };

    it('rejects a token for another host', () => {
      expect(check('otherhub.azure-devices.net', HUB)).toEqual(mismatch);
      expect(check('myhub.azure-devices.net.evil.com', HUB)).toEqual(mismatch);
      expect(check('myhub.azure-devices', HUB)).toEqual(mismatch);
    });

    it('treats sr as a segment prefix: /a/b covers /a/b/c but not /a/bc', () => {
      expect(check('/a/b', '/a/b/c')).toEqual(ok);
      expect(check('/a/b', '/a/bc')).toEqual(mismatch);
      expect(check(encodeUriComponentStrict(`${HUB}/devices/d1`), `${HUB}/devices/d10`)).toEqual(mismatch);
      expect(check(encodeUriComponentStrict(`${HUB}/devices/d1`), `${HUB}/devices/d1/modules/m1`)).toEqual(ok);
      expect(check(HUB, `${HUB}/devices/d1`)).toEqual(ok);
      expect(check(encodeUriComponentStrict(`${HUB}/devices/d1`), HUB)).toEqual(mismatch);
    });

    it('compares the percent-decoded sr case-insensitively and ignores one trailing slash', () => {
      expect(check('MyHub.Azure-Devices.NET', HUB)).toEqual(ok);
      expect(check(encodeURIComponent(`${HUB}/devices/D1`).toLowerCase(), `${HUB}/devices/d1`)).toEqual(ok);
      expect(check(`${HUB}%2F`, HUB)).toEqual(ok);
      expect(check(`${HUB}/`, HUB)).toEqual(ok);
    });
  });

  it('reads se in milliseconds when unit is milliseconds (IoT Central tokens)', () => {
    const seMs = 1795379973125;
    const t = signSas({ resourceUri: '3f1c9a52-0c1e-4d7e-9a55-2b8f0e6d4c11', key: VECTOR_KEY, keyName: 'ci-operator', expiry: seMs });
    const base = { keys: [VECTOR_KEY], target: '3f1c9a52-0c1e-4d7e-9a55-2b8f0e6d4c11', unit: 'milliseconds' as const };
    expect(verifyHeader(t, { ...base, now: seMs / 1000 - 1 })).toEqual({ ok: true, keyIndex: 0 });
    expect(verifyHeader(t, { ...base, now: seMs / 1000 })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyHeader(t, { ...base, now: seMs / 1000 + 1 })).toEqual({ ok: false, reason: 'expired' });
    expect(verifyHeader(t, { ...base, unit: 'seconds', now: seMs / 1000 + 1 })).toEqual({ ok: true, keyIndex: 0 });
  });

  it('signs raw sr + "\\n" + se with the base64-decoded key', () => {
    const key = generateSasKey();
    const sr = encodeUriComponentStrict(`${HUB}/devices/dev 1`);
    const expected = createHmac('sha256', Buffer.from(key, 'base64')).update(`${sr}\n${VECTOR_SE}`).digest('base64');
    expect(mustParse(signSas({ resourceUri: sr, key, expiry: VECTOR_SE })).sig).toBe(expected);
  });
});

describe('IoT Hub rights', () => {
  const SPEC_HUB_RIGHTS = [
    'RegistryRead',
    'RegistryWrite',
    'ServiceConnect',
    'DeviceConnect',
    'RegistryRead, RegistryWrite',
    'RegistryRead, ServiceConnect',
    'RegistryRead, DeviceConnect',
    'RegistryWrite, ServiceConnect',
    'RegistryWrite, DeviceConnect',
    'ServiceConnect, DeviceConnect',
    'RegistryRead, RegistryWrite, ServiceConnect',
    'RegistryRead, RegistryWrite, DeviceConnect',
    'RegistryRead, ServiceConnect, DeviceConnect',
    'RegistryWrite, ServiceConnect, DeviceConnect',
    'RegistryRead, RegistryWrite, ServiceConnect, DeviceConnect',
  ];
  const r = prng(42);
  const scramble = (wire: string) =>
    r
      .shuffle(wire.split(', '))
      .map((a) => Array.from(a, (ch) => (r.next() < 0.5 ? ch.toLowerCase() : ch.toUpperCase())).join(''))
      .map((a) => r.pick(['', ' ', '  ']) + a + r.pick(['', ' ', '\t']))
      .join(',');

  it('exposes the atoms in canonical order', () => {
    expect(HUB_RIGHTS).toEqual(['RegistryRead', 'RegistryWrite', 'ServiceConnect', 'DeviceConnect']);
  });

  it.each(SPEC_HUB_RIGHTS)('canonicalises any casing/order of "%s" to the exact wire string', (wire) => {
    for (let i = 0; i < 10; i++) {
      const input = scramble(wire);
      expect(parseHubRights(input), input).toMatchObject({ ok: true, rights: wire });
    }
  });

  it('maps every non-empty subset of atoms onto exactly the 15 spec strings', () => {
    const outputs = new Set<string>();
    for (let mask = 1; mask < 16; mask++) {
      const atoms = HUB_RIGHTS.filter((_, i) => mask & (1 << i));
      const p = parseHubRights(r.shuffle(atoms).join(','));
      if (!p.ok) throw new Error(p.reason);
      outputs.add(p.rights);
    }
    expect([...outputs].sort()).toEqual([...SPEC_HUB_RIGHTS].sort());
  });

  it.each([
    ['RegistryRead, Foo', 'unknown_right'],
    ['RegistryReadWrite', 'unknown_right'],
    ['ServiceConfig', 'unknown_right'],
    ['RegistryRead DeviceConnect', 'unknown_right'],
    ['RegistryRead, registryread', 'duplicate_right'],
    ['DeviceConnect,DeviceConnect', 'duplicate_right'],
    ['', 'empty'],
    ['   ', 'empty'],
    ['RegistryRead,,DeviceConnect', 'empty'],
    ['RegistryRead,', 'empty'],
  ])('rejects %j (%s)', (input, reason) => {
    expect(parseHubRights(input)).toEqual({ ok: false, reason });
  });

  it('RegistryWrite implies RegistryRead; nothing else is implied', () => {
    expect([...effectiveHubRights('RegistryWrite, ServiceConnect, DeviceConnect')].sort()).toEqual([...HUB_RIGHTS].sort());
    expect([...effectiveHubRights('RegistryWrite')].sort()).toEqual(['RegistryRead', 'RegistryWrite']);
    expect([...effectiveHubRights('RegistryRead')]).toEqual(['RegistryRead']);
    expect([...effectiveHubRights('ServiceConnect')]).toEqual(['ServiceConnect']);
    expect([...effectiveHubRights('DeviceConnect')]).toEqual(['DeviceConnect']);
  });

  it('an invalid rights string grants nothing', () => {
    expect(effectiveHubRights('RegistryWrite, Bogus').size).toBe(0);
    expect(effectiveHubRights('').size).toBe(0);
  });

  it('has the five default hub policies of spec §6', () => {
    expect(DEFAULT_HUB_POLICIES).toEqual([
      { keyName: 'iothubowner', rights: 'RegistryWrite, ServiceConnect, DeviceConnect' },
      { keyName: 'service', rights: 'ServiceConnect' },
      { keyName: 'device', rights: 'DeviceConnect' },
      { keyName: 'registryRead', rights: 'RegistryRead' },
      { keyName: 'registryReadWrite', rights: 'RegistryWrite' },
    ]);
    for (const p of DEFAULT_HUB_POLICIES) expect(parseHubRights(p.rights)).toMatchObject({ ok: true, rights: p.rights });
  });
});

describe('DPS rights', () => {
  const OWNER = 'ServiceConfig, DeviceConnect, EnrollmentWrite';
  const r = prng(7);

  it('canonicalises the default policy rights in any order and casing to the exact real string', () => {
    for (let i = 0; i < 20; i++) {
      const input = r
        .shuffle(OWNER.split(', '))
        .map((a) => (r.next() < 0.5 ? a.toUpperCase() : a.toLowerCase()))
        .join(r.pick([',', ', ', ' , ']));
      expect(parseDpsRights(input), input).toMatchObject({ ok: true, rights: OWNER });
    }
  });

  it('orders every combination by DPS_RIGHTS and is idempotent', () => {
    expect(DPS_RIGHTS).toEqual([
      'ServiceConfig',
      'DeviceConnect',
      'EnrollmentRead',
      'EnrollmentWrite',
      'RegistrationStatusRead',
      'RegistrationStatusWrite',
    ]);
    for (let mask = 1; mask < 64; mask++) {
      const atoms = DPS_RIGHTS.filter((_, i) => mask & (1 << i));
      const p = parseDpsRights(r.shuffle(atoms).join(', '));
      expect(p).toMatchObject({ ok: true, rights: atoms.join(', ') });
      if (p.ok) expect(parseDpsRights(p.rights)).toMatchObject({ ok: true, rights: p.rights });
    }
  });

  it.each([
    ['EnrollmentRead, RegistryRead', 'unknown_right'],
    ['ServiceConfig, serviceconfig', 'duplicate_right'],
    ['', 'empty'],
    ['ServiceConfig,', 'empty'],
  ])('rejects %j (%s)', (input, reason) => {
    expect(parseDpsRights(input)).toEqual({ ok: false, reason });
  });

  it('the owner rights hold every DPS right ([decision] spec §6)', () => {
    expect([...effectiveDpsRights(OWNER)].sort()).toEqual([...DPS_RIGHTS].sort());
    expect([...effectiveDpsRights('EnrollmentWrite, DeviceConnect, ServiceConfig, RegistrationStatusRead')].sort()).toEqual(
      [...DPS_RIGHTS].sort(),
    );
  });

  it('EnrollmentWrite implies EnrollmentRead; partial owner sets get no more than they name', () => {
    expect([...effectiveDpsRights('EnrollmentWrite')].sort()).toEqual(['EnrollmentRead', 'EnrollmentWrite']);
    expect([...effectiveDpsRights('ServiceConfig, DeviceConnect')].sort()).toEqual(['DeviceConnect', 'ServiceConfig']);
    expect([...effectiveDpsRights('ServiceConfig, EnrollmentWrite')].sort()).toEqual([
      'EnrollmentRead',
      'EnrollmentWrite',
      'ServiceConfig',
    ]);
    expect([...effectiveDpsRights('RegistrationStatusWrite')]).toEqual(['RegistrationStatusWrite']);
    expect([...effectiveDpsRights('EnrollmentRead')]).toEqual(['EnrollmentRead']);
    expect(effectiveDpsRights('ServiceConfig, DeviceConnect, EnrollmentWrite, Nope').size).toBe(0);
  });

  it('has the single default DPS policy of spec §6', () => {
    expect(DEFAULT_DPS_POLICIES).toEqual([{ keyName: 'provisioningserviceowner', rights: OWNER }]);
  });
});

describe('SAS keys', () => {
  it('generates 32 random bytes as 44-char standard base64', () => {
    const a = generateSasKey();
    const b = generateSasKey();
    expect(a).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a, 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(isValidSasKey(a)).toBe(true);
  });

  it.each([
    ['16 bytes', Buffer.alloc(16, 7).toString('base64')],
    ['64 bytes', Buffer.alloc(64, 200).toString('base64')],
    ['33 bytes, no padding needed', Buffer.alloc(33, 0xfb).toString('base64')],
    ['the spec vector key', VECTOR_KEY],
  ])('accepts %s', (_name, key) => {
    expect(isValidSasKey(key)).toBe(true);
  });

  it.each([
    ['15 bytes', Buffer.alloc(15, 1).toString('base64')],
    ['65 bytes', Buffer.alloc(65, 1).toString('base64')],
    ['empty', ''],
    ['missing padding', VECTOR_KEY.slice(0, -1)],
    ['url-safe alphabet', Buffer.alloc(32, 0xfb).toString('base64url') + '='],
    ['embedded whitespace', VECTOR_KEY.slice(0, 10) + ' ' + VECTOR_KEY.slice(10)],
    ['trailing newline', VECTOR_KEY + '\n'],
    ['non-canonical trailing bits', VECTOR_KEY.slice(0, 42) + '9='],
    ['extra padding', VECTOR_KEY + '='],
    ['not base64 at all', 'this is not a key at all, not even close!!'],
  ])('rejects %s', (_name, key) => {
    expect(isValidSasKey(key)).toBe(false);
  });
});

describe('connection strings', () => {
  it('builds HostName;SharedAccessKeyName;SharedAccessKey in that order', () => {
    expect(buildConnectionString({ hostName: HUB, keyName: 'iothubowner', key: VECTOR_KEY })).toBe(
      `HostName=${HUB};SharedAccessKeyName=iothubowner;SharedAccessKey=${VECTOR_KEY}`,
    );
  });

  it('round-trips through parseConnectionString, keeping "=" in the key', () => {
    const s = buildConnectionString({ hostName: DPS, keyName: 'provisioningserviceowner', key: VECTOR_KEY });
    expect({ ...parseConnectionString(s) }).toEqual({
      HostName: DPS,
      SharedAccessKeyName: 'provisioningserviceowner',
      SharedAccessKey: VECTOR_KEY,
    });
  });

  it('refuses values that would corrupt the string', () => {
    expect(() => buildConnectionString({ hostName: 'a;b', keyName: 'k', key: VECTOR_KEY })).toThrow(TypeError);
    expect(() => buildConnectionString({ hostName: HUB, keyName: '', key: VECTOR_KEY })).toThrow(TypeError);
  });

  it.each([
    `HostName=${HUB};DeviceId=dev1;SharedAccessKey=${VECTOR_KEY}`,
    `HostName=${HUB};SharedAccessKeyName=;SharedAccessKey=${VECTOR_KEY};`,
    `=x;hostname=lower;HostName=a;HostName=b;junk;;DeviceId=d%2F1;x509=true`,
    `SharedAccessSignature=SharedAccessSignature sr=a&sig=b%3D&se=1;HostName=h`,
    '',
  ])('parses %j like azure-iot-common ConnectionString.parse', (s) => {
    expect({ ...parseConnectionString(s) }).toEqual({ ...ConnectionString.parse(s) });
  });

  it('drops empty names/values, keeps the last duplicate, is case-sensitive and does not URL-decode', () => {
    expect({ ...parseConnectionString('=x;A=;hostname=l;HostName=a;HostName=b;Id=d%2F1;Key=ab==') }).toEqual({
      hostname: 'l',
      HostName: 'b',
      Id: 'd%2F1',
      Key: 'ab==',
    });
  });

  it('cannot be polluted through __proto__', () => {
    const parsed = parseConnectionString('__proto__=x;HostName=h');
    expect(parsed.__proto__).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
