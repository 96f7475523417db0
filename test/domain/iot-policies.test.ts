import { describe, expect, it } from 'vitest';
import { MAX_POLICIES, checkPolicies, type PolicyInput } from '../../src/domain/iot.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const KEY2 = Buffer.alloc(16, 9).toString('base64');
const p = (keyName: string, rights = 'ServiceConnect', more: Partial<PolicyInput> = {}): PolicyInput => ({ keyName, rights, ...more });

describe('checkPolicies (hub and DPS shared access policies)', () => {
  it('canonicalises rights (any case, any order, comma with or without spaces) and leaves missing keys to the caller', () => {
    expect(
      checkPolicies('hub', [
        p('Owner', 'deviceconnect,REGISTRYWRITE , serviceConnect', { primaryKey: KEY, secondaryKey: null }),
        p('svc', 'ServiceConnect', { secondaryKey: '' }),
      ]),
    ).toEqual({
      ok: true,
      policies: [
        { keyName: 'Owner', rights: 'RegistryWrite, ServiceConnect, DeviceConnect', primaryKey: KEY },
        { keyName: 'svc', rights: 'ServiceConnect' },
      ],
    });
    expect(checkPolicies('dps', [p('prov', 'enrollmentwrite, serviceconfig', { primaryKey: KEY, secondaryKey: KEY2 })])).toEqual({
      ok: true,
      policies: [{ keyName: 'prov', rights: 'ServiceConfig, EnrollmentWrite', primaryKey: KEY, secondaryKey: KEY2 }],
    });
    expect(checkPolicies('hub', [])).toEqual({ ok: true, policies: [] });
  });

  it(`allows ${MAX_POLICIES} policies and refuses one more`, () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => p(`p${i}`));
    expect(checkPolicies('hub', many(MAX_POLICIES)).ok).toBe(true);
    expect(checkPolicies('dps', many(MAX_POLICIES + 1))).toEqual({
      ok: false,
      problem: { code: 'IOT_TOO_MANY_POLICIES', params: { max: MAX_POLICIES, count: MAX_POLICIES + 1 } },
    });
  });

  it.each(['', 'a b', 'a/b', 'x'.repeat(65), 'ünïcode'])('refuses the key name %j', (keyName) => {
    expect(checkPolicies('hub', [p(keyName)])).toEqual({ ok: false, problem: { code: 'IOT_KEY_NAME_INVALID', params: { keyName } } });
  });

  it('accepts 64 characters of letters, digits, ".", "_" and "-" as a key name', () => {
    expect(checkPolicies('hub', [p('a.B_c-9'.padEnd(64, 'z'))]).ok).toBe(true);
  });

  it('refuses a key name twice in any case, naming the second spelling', () => {
    expect(checkPolicies('hub', [p('Service'), p('SERVICE')])).toEqual({
      ok: false,
      problem: { code: 'IOT_KEY_NAME_DUPLICATE', params: { keyName: 'SERVICE' } },
    });
  });

  it.each([
    ['hub', ''],
    ['hub', 'ServiceConnect, ServiceConnect'],
    ['hub', 'EnrollmentWrite'],
    ['dps', 'RegistryRead'],
  ] as const)('refuses %s rights %j, listing the allowed atoms', (kind, rights) => {
    const r = checkPolicies(kind, [p('k', rights)]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.code).toBe('IOT_RIGHTS_INVALID');
      expect(r.problem.params).toMatchObject({ keyName: 'k', rights });
    }
  });

  it('names the allowed atoms of each kind', () => {
    expect(checkPolicies('hub', [p('k', 'Nope')])).toEqual({
      ok: false,
      problem: {
        code: 'IOT_RIGHTS_INVALID',
        params: { keyName: 'k', rights: 'Nope', allowed: 'RegistryRead, RegistryWrite, ServiceConnect, DeviceConnect' },
      },
    });
  });

  it('refuses a malformed supplied key, primary first', () => {
    expect(checkPolicies('hub', [p('k', 'ServiceConnect', { primaryKey: 'not base64!', secondaryKey: 'also bad' })])).toEqual({
      ok: false,
      problem: { code: 'IOT_KEY_INVALID', params: { keyName: 'k', which: 'primaryKey' } },
    });
    expect(checkPolicies('hub', [p('k', 'ServiceConnect', { primaryKey: KEY, secondaryKey: Buffer.alloc(8).toString('base64') })])).toEqual(
      {
        ok: false,
        problem: { code: 'IOT_KEY_INVALID', params: { keyName: 'k', which: 'secondaryKey' } },
      },
    );
  });

  it('answers the first problem in policy order, each policy checked name → duplicate → rights → keys', () => {
    expect(checkPolicies('hub', [p('ok'), p('bad', 'Nope'), p('bad name')])).toMatchObject({
      ok: false,
      problem: { code: 'IOT_RIGHTS_INVALID' },
    });
    expect(checkPolicies('hub', [p('a', 'Nope', { primaryKey: 'bad' })])).toMatchObject({
      ok: false,
      problem: { code: 'IOT_RIGHTS_INVALID' },
    });
    expect(checkPolicies('hub', [p('a'), p('A', 'Nope')])).toMatchObject({ ok: false, problem: { code: 'IOT_KEY_NAME_DUPLICATE' } });
  });
});
