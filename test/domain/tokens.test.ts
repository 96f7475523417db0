import { describe, expect, it } from 'vitest';
import { PUBLIC_CLIENT_ID, SCOPE, accessTokenClaims, idTokenClaims, type AccessTokenFacts } from '../../src/domain/tokens.js';

const facts = (over: Partial<AccessTokenFacts> = {}): AccessTokenFacts => ({
  jti: 'j-1',
  principalType: 'user',
  principalId: 'u-1',
  principalName: 'Alice',
  sessionId: 's-1',
  tenantId: 't-1',
  tenantName: 'Acme',
  profile: { preferred_username: 'Alice', email: 'a@example.com', given_name: undefined },
  roleNames: ['Tenant Admin'],
  permissions: ['Asset Management'],
  ...over,
});

describe('accessTokenClaims (Keycloak-shaped access tokens)', () => {
  it('shapes a user token, claims in the order the token carries them', () => {
    const c = accessTokenClaims(facts());
    expect(JSON.stringify(c)).toBe(
      JSON.stringify({
        jti: 'j-1',
        sub: 'u-1',
        typ: 'Bearer',
        aud: 'account',
        azp: 'latch',
        sid: 's-1',
        session_state: 's-1',
        acr: '1',
        scope: 'profile email',
        preferred_username: 'Alice',
        email: 'a@example.com',
        realm_access: { roles: ['Tenant Admin'] },
        tenant_id: 't-1',
        tenant_name: 'Acme',
        permissions: ['Asset Management'],
      }),
    );
    expect(c.azp).toBe(PUBLIC_CLIENT_ID);
    expect(c.scope).toBe(SCOPE);
    expect('api_key_id' in c).toBe(false);
  });

  it('gives an API key its lower-cased client id as azp and its id as api_key_id, last', () => {
    const c = accessTokenClaims(
      facts({
        principalType: 'api_key',
        principalId: 'k-1',
        principalName: 'Ingest-Key',
        profile: { preferred_username: 'service-account-ingest-key' },
      }),
    );
    expect(c.azp).toBe('acme->ingest-key');
    expect(c.api_key_id).toBe('k-1');
    expect(Object.keys(c).at(-1)).toBe('api_key_id');
  });

  it('leaves tenant_name out of the token when the tenant is gone; an API key then names only itself', () => {
    const c = accessTokenClaims(facts({ tenantName: undefined, principalType: 'api_key', principalName: 'K' }));
    expect(JSON.parse(JSON.stringify(c))).not.toHaveProperty('tenant_name');
    expect(c.azp).toBe('->k');
  });
});

describe('idTokenClaims (OpenID Connect ID tokens)', () => {
  it('names the audience twice, the session start in seconds, and types itself ID', () => {
    expect(
      JSON.stringify(
        idTokenClaims({
          principalId: 'u-1',
          audience: 'my-app',
          sessionId: 's-1',
          sessionCreatedAt: 1_700_000_000_999,
          profile: { preferred_username: 'Alice' },
        }),
      ),
    ).toBe(
      '{"sub":"u-1","aud":"my-app","azp":"my-app","typ":"ID","sid":"s-1","auth_time":1700000000,"acr":"1","preferred_username":"Alice"}',
    );
  });
});
