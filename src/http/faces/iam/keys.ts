import { Type } from '@sinclair/typebox';
import type { App } from '../../types.js';
import type { Services } from '../../../services/index.js';
import { access } from '../../route.js';

/** JWKS, OpenID discovery, and signing-key rotation (platform administrator). */
export function registerKeyRoutes(app: App, s: Services) {
  const open = access({ auth: 'none' });
  const jwks = { ...open.schemaExtras, tags: ['iam'], summary: 'Public keys that verify Latch access tokens (JWKS)' };
  for (const url of ['/iam/auth/certs', '/.well-known/jwks.json']) {
    app.get(
      url,
      { config: open.config, schema: { ...jwks, operationId: url === '/iam/auth/certs' ? 'getCerts' : 'getJwks' } },
      async (_req, reply) => reply.header('cache-control', 'public, max-age=60').send(s.signingKeys.jwks()),
    );
  }
  app.get(
    '/.well-known/openid-configuration',
    {
      config: open.config,
      schema: { ...open.schemaExtras, operationId: 'getOpenIdConfiguration', tags: ['iam'], summary: 'OpenID Provider metadata' },
    },
    async () => {
      // Endpoints under the issuer: behind a proxy (LATCH_ISSUER) they name the public address, not this node's.
      const base = s.signingKeys.issuer;
      const clientAuth = ['client_secret_basic', 'client_secret_post'];
      return {
        issuer: base,
        token_endpoint: `${base}/iam/auth/token`,
        jwks_uri: `${base}/iam/auth/certs`,
        introspection_endpoint: `${base}/iam/auth/token/introspect`,
        revocation_endpoint: `${base}/iam/auth/revoke`,
        userinfo_endpoint: `${base}/iam/auth/userinfo`,
        end_session_endpoint: `${base}/iam/auth/logout`,
        grant_types_supported: ['password', 'client_credentials', 'refresh_token'],
        // password and refresh grants work for a public client too (client_id alone, or nothing)
        token_endpoint_auth_methods_supported: [...clientAuth, 'none'],
        introspection_endpoint_auth_methods_supported: clientAuth,
        revocation_endpoint_auth_methods_supported: [...clientAuth, 'none'],
        scopes_supported: ['openid', 'profile', 'email'],
        claims_supported: [
          'iss',
          'sub',
          'aud',
          'exp',
          'iat',
          'auth_time',
          'azp',
          'sid',
          'acr',
          'preferred_username',
          'name',
          'given_name',
          'family_name',
          'email',
          'tenant_id',
        ],
        id_token_signing_alg_values_supported: s.signingKeys.algorithms(),
        // no authorization endpoint: tokens come from the token endpoint only
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
        claims_parameter_supported: false,
        request_parameter_supported: false,
      };
    },
  );

  const admin = access({ platformAdmin: true });
  app.post(
    '/iam/keys/rotate',
    {
      config: admin.config,
      schema: {
        ...admin.schemaExtras,
        tags: ['iam'],
        operationId: 'rotateSigningKey',
        summary: 'Rotate the JWT signing key: a new kid signs, old kids verify until their tokens expire',
        response: { 200: Type.Object({ kid: Type.String(), retired: Type.Array(Type.String()) }) },
      },
    },
    async (req) => s.signingKeys.rotate(req.ctx),
  );
}
