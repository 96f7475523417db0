import type { Scenario } from '../harness.js';
import { load } from '../harness.js';

/** Token issuance: API key client_credentials at the token endpoint. */
export const tokenClientCredentials: Scenario = {
  name: 'latch: POST /iam/auth/token (client_credentials)',
  description:
    'API key id + secret → SHA-256 compare → new session (insert + audit, one transaction) → ES256 access token → ' +
    'refresh token stored. Two SQLite commits per token (synchronous=FULL).',
  async run(ctx) {
    const r = await load(ctx.settings, {
      url: `${ctx.latchUrl}/iam/auth/token`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: ctx.apiKey.clientId, client_secret: ctx.apiKey.secret }),
      expectStatus: 200,
    });
    return { name: this.name, rps: r.rps, latencyMs: r.latencyMs, serverUs: r.serverUs, note: 'tokens issued per second' };
  },
};
