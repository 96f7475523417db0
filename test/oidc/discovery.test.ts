import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { routeTable } from '../../src/http/route.js';
import { makeTestApp } from '../harness.js';

/** Discovery lists exactly what exists, under the issuer (LATCH_ISSUER, else the server's URL). */
describe('OpenID discovery', () => {
  it('LATCH_ISSUER is the issuer, the iss of every token, and the base of every endpoint; each endpoint is a route', async () => {
    const t = await makeTestApp({ env: { LATCH_ISSUER: 'https://latch.example.com/' } });
    try {
      const m = (await t.req('GET', '/.well-known/openid-configuration')).json() as Record<string, unknown>;
      expect(m.issuer).toBe('https://latch.example.com');
      expect(decodeJwt(await t.adminToken()).iss).toBe('https://latch.example.com');
      const routes = routeTable(t.app).map((r) => `${r.method} ${r.url}`);
      const endpoints = Object.entries(m).filter(([k]) => k.endsWith('_endpoint') || k === 'jwks_uri');
      expect(endpoints.map(([k]) => k).sort()).toEqual([
        'end_session_endpoint',
        'introspection_endpoint',
        'jwks_uri',
        'revocation_endpoint',
        'token_endpoint',
        'userinfo_endpoint',
      ]);
      for (const [k, v] of endpoints) {
        expect(v, k).toMatch(/^https:\/\/latch\.example\.com\//);
        const path = String(v).slice('https://latch.example.com'.length);
        expect(
          routes.some((r) => r.endsWith(` ${path}`)),
          `${k}: ${path} is a route`,
        ).toBe(true);
      }
      // no authorization endpoint: no code or implicit flow is offered
      expect(m.authorization_endpoint).toBeUndefined();
      expect(m.grant_types_supported).not.toContain('authorization_code');
    } finally {
      await t.close();
    }
  });

  it('without LATCH_ISSUER and without listening: the URL the server would print; the algorithms are those of the keys', async () => {
    const t = await makeTestApp({ env: { LATCH_SIGNING_ALG: 'RS256', LATCH_PORT: '9443' } });
    try {
      const m = (await t.req('GET', '/.well-known/openid-configuration')).json() as Record<string, unknown>;
      expect(m.issuer).toBe('http://127.0.0.1:9443');
      expect(m.id_token_signing_alg_values_supported).toEqual(['RS256']);
      expect(decodeJwt(await t.adminToken()).iss).toBe('http://127.0.0.1:9443');
    } finally {
      await t.close();
    }
  });
});
