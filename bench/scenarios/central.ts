/**
 * The IoT Central face (issue 7): `GET /central/{app}/api/apiTokens?api-version=2022-07-31`
 * authorized by a Central API token (SharedAccessSignature, Administrator), as the Azure face's
 * SAS probe is measured. The app (ARM PUT) and the token (data-plane PUT with the admin's Bearer
 * token) are made once by whichever of these scenarios runs first, and kept in ctx.state.
 */
import type { Ctx } from '../../src/deps.js';
import type { BenchContext, Scenario } from '../harness.js';
import { BenchFailure, load, opsPerSecond } from '../harness.js';

const APP = 'latch-bench-central';
const ADMINISTRATOR = 'ca310b8d-2f4a-44e0-a36e-957c202cd8d4';

interface CentralBench {
  appId: string;
  url: string;
  token: string;
}

async function ok(res: Response, what: string): Promise<any> {
  const body = await res.text();
  if (!res.ok) throw new BenchFailure(`${what}: HTTP ${res.status} ${body.slice(0, 500)}`);
  return JSON.parse(body);
}

export async function benchCentral(ctx: BenchContext): Promise<CentralBench> {
  const cached = ctx.state.get('central.app') as CentralBench | undefined;
  if (cached) return cached;
  const bearer = { authorization: `Bearer ${ctx.adminToken}`, 'content-type': 'application/json' };
  const app = await ok(
    await fetch(
      `${ctx.latchUrl}/subscriptions/${ctx.tenantId}/resourceGroups/bench-rg/providers/Microsoft.IoTCentral/iotApps/${APP}?api-version=2021-06-01`,
      {
        method: 'PUT',
        headers: bearer,
        body: JSON.stringify({ location: 'westeurope', sku: { name: 'ST1' } }),
      },
    ),
    'ARM PUT iotApps',
  );
  const appId = app.properties.applicationId as string;
  const made = await ok(
    await fetch(`${ctx.latchUrl}/central/${appId}/api/apiTokens/bench-admin?api-version=2022-07-31`, {
      method: 'PUT',
      headers: bearer,
      body: JSON.stringify({ roles: [{ role: ADMINISTRATOR }] }),
    }),
    'PUT apiTokens/bench-admin',
  );
  const url = `${ctx.latchUrl}/central/${appId}/api/apiTokens?api-version=2022-07-31`;
  const c = { appId, url, token: made.token as string };
  await ok(await fetch(url, { headers: { authorization: c.token } }), 'GET apiTokens (sanity)');
  ctx.state.set('central.app', c);
  return c;
}

export const centralListTokens: Scenario = {
  name: 'latch: GET /central/{app}/api/apiTokens (Central SAS token)',
  description:
    'IoT Central data plane: Authorization = the Administrator API token returned by PUT apiTokens (SharedAccessSignature sr=<appId>&sig&skn&se=<ms>); ' +
    'app by id from memory → token verified (remembered after the first call) → api-version → permission → one page of tokens from the store. Every response must be 200.',
  async run(ctx) {
    const c = await benchCentral(ctx);
    const r = await load(ctx.settings, { url: c.url, headers: { authorization: c.token }, expectStatus: 200 });
    return { name: this.name, rps: r.rps, latencyMs: r.latencyMs, serverUs: r.serverUs, note: 'token bench-admin, 1 token listed' };
  },
};

export const centralAuthInProcess: Scenario = {
  name: 'diag: in-process centralTokens.authenticate + authorize (Central SAS)',
  description:
    'services.centralTokens.authenticate(ctx, appId, header) and authorize(apiTokens.read) on warm caches: the access check of the route above, without HTTP.',
  diagnostic: true,
  async run(ctx) {
    const c = await benchCentral(ctx);
    const s = ctx.latch.services.centralTokens;
    const reqCtx: Ctx = { principal: null, requestId: 'bench', clientAddress: '127.0.0.1' };
    const r = await opsPerSecond(async () => {
      const caller = await s.authenticate(reqCtx, c.appId, c.token);
      s.authorize(caller, 'apiTokens.read', 'bench');
    }, ctx.settings.inProcessMs);
    return { name: this.name, rps: r.ops, note: `${r.usPerOp.toFixed(2)} µs/op`, compare: false };
  },
};
