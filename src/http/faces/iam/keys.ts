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
    async (req) => {
      const base = `${req.protocol}://${req.host}`;
      return {
        issuer: s.signingKeys.issuer,
        token_endpoint: `${base}/iam/auth/token`,
        jwks_uri: `${base}/iam/auth/certs`,
        end_session_endpoint: `${base}/iam/auth/logout`,
        userinfo_endpoint: `${base}/iam/users/me`,
        grant_types_supported: ['password', 'client_credentials', 'refresh_token'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        id_token_signing_alg_values_supported: ['ES256', 'RS256', 'EdDSA'],
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
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
