/**
 * The peer for token issuance: node-oidc-provider (devDependency `oidc-provider`), run in its own
 * process by bench/run.ts, as its documentation configures the client_credentials grant with JWT
 * access tokens: `features.clientCredentials`, a resource indicator (`features.resourceIndicators`)
 * whose resource server asks for `accessTokenFormat: 'jwt'` signed ES256, and the default
 * (in-memory) adapter. One confidential client, `client_secret_post`.
 *
 *   BENCH_PORT=… BENCH_CLIENT_ID=… BENCH_CLIENT_SECRET=… BENCH_SCOPE=… node --import tsx bench/servers/oidc.ts
 */
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const OIDC_RESOURCE = 'urn:latch-bench:api';

async function main() {
  const port = Number(process.env.BENCH_PORT);
  const secret = process.env.BENCH_CLIENT_SECRET ?? '';
  const clientId = process.env.BENCH_CLIENT_ID ?? '';
  const scope = process.env.BENCH_SCOPE ?? '';
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'bench-es256' };
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: clientId,
        client_secret: secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [secret] },
    ttl: { ClientCredentials: 3600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => OIDC_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope,
          audience: OIDC_RESOURCE,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 3600,
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  const server = provider.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

await main();
