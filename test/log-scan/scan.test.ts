// The log scanner that checks the whole run's trace logs (global-setup.ts) finds each kind of
// secret in text and as bytes, and lets redacted and harmless lines through.
import { describe, expect, it } from 'vitest';
import { scanLine } from './scan.js';

const bytes = (s: string) => `[${[...Buffer.from(s)].join(',')}]`;
const AK = `latch_ak_${'A1b2C3d4'.repeat(6)}`;
const RT = `latch_rt_${'Zz9Yy8Xx'.repeat(6)}`;
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMTIzNDU2';

describe('log scan', () => {
  it.each([
    ['API-key secret', `{"msg":"x","secret":"${AK}"}`],
    ['refresh token', `{"body":"refresh_token=${RT}"}`],
    ['access token (JWT)', `{"authorization":"Bearer ${JWT}"}`],
    ['SAS signature', '{"h":"SharedAccessSignature sr=hub&sig=q1XwAbCdEfGhIjKlMnOpQrStUv%3D&se=1"}'],
    ['Basic credential', '{"h":"Basic ZGVmYXVsdC0-a2V5OnNlY3JldA=="}'],
    ['SAS / Central key', `{"primaryKey":"${'k'.repeat(43)}="}`],
    ['test password', '{"password":"admin-password-1"}'],
  ])('finds a %s in text', (what, line) => {
    expect(scanLine(line, 'f:1').map((f) => f.what)).toContain(`${what} (text)`);
  });

  it('finds secrets inside byte arrays, the form a raw packet takes', () => {
    const line = `{"err":{"rawPacket":{"type":"Buffer","data":${bytes(`POST /iam/auth/token HTTP/1.1\r\nauthorization: Bearer ${JWT}\r\n`)}}}}`;
    expect(scanLine(line, 'f:1').map((f) => f.what)).toContain('access token (JWT) (bytes)');
  });

  it('passes redacted values, display prefixes and ordinary lines, and masks what it reports', () => {
    expect(scanLine('{"req":{"headers":{"authorization":"[redacted]"}},"primaryKey":"[redacted]","start":"latch_ak_AbCd"}', 'f:1')).toEqual(
      [],
    );
    expect(scanLine('{"level":30,"method":"GET","route":"/iam/api-keys","status":200,"ms":3}', 'f:1')).toEqual([]);
    const [f] = scanLine(`{"secret":"${AK}"}`, 'f:1');
    expect(f!.excerpt).toBe(`${AK.slice(0, 12)}…`);
  });
});
