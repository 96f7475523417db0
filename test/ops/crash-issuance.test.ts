// kill -9 in the middle of a burst of token issuance (the group-committed path, store.write):
// every refresh token the server answered must still refresh after the restart, on SQLite and
// PostgreSQL. Many concurrent issuances share each commit, so a kill lands inside batches.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pgSchema } from '../harness.js';
import { call } from './two-nodes.js';
import { PASSWORD, spawnNode } from './crash-rounds.js';

const ROUNDS = 4;
const WORKERS = 24;

async function issuanceCrash(dialect: 'sqlite' | 'postgres') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-crash-issue-'));
  const pg = pgSchema();
  const masterKey = randomBytes(32).toString('base64');
  let key: { clientId: string; secret: string } | undefined;
  /** Refresh tokens answered by a server since killed: each must refresh once. */
  let answered: string[] = [];
  let checked = 0;
  let inFlightAtKill = 0;
  try {
    let spare = spawnNode(dir, masterKey, dialect, pg.schema);
    for (let round = 0; round <= ROUNDS; round++) {
      const { child } = spare;
      child.send('go');
      const url = await spare.url;
      spare = spawnNode(dir, masterKey, dialect, pg.schema);
      if (!key) {
        const login = await call(url, 'POST', '/iam/auth/token', { body: { username: 'admin', password: PASSWORD } });
        const token = login.body.access_token as string;
        const tenant = (await call(url, 'GET', '/iam/users/me', { token })).body.tenant_id as string;
        const r = await call(url, 'POST', '/iam/api-keys', { token, tenant, body: { name: 'burst', roles: ['EI Admin'] } });
        expect(r.status).toBe(201);
        key = { clientId: r.body.clientId as string, secret: r.body.secret as string };
      }
      // everything answered before the kill is there
      const results = await Promise.all(
        answered.map((rt) => call(url, 'POST', '/iam/auth/token', { body: { grant_type: 'refresh_token', refresh_token: rt } })),
      );
      for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
      checked += answered.length;
      answered = [];
      if (round === ROUNDS) {
        await child.kill9();
        await spare.child.kill9();
        break;
      }

      // the burst: client_credentials, and refreshes of tokens answered in this burst
      let killed = false;
      let inFlight = 0;
      const fresh: string[] = [];
      const worker = async () => {
        while (!killed) {
          const spent = fresh.length > 4 && randomInt(3) === 0 ? fresh.splice(randomInt(fresh.length), 1)[0] : undefined;
          inFlight++;
          const r = await call(url, 'POST', '/iam/auth/token', {
            body: spent
              ? { grant_type: 'refresh_token', refresh_token: spent }
              : { grant_type: 'client_credentials', client_id: key!.clientId, client_secret: key!.secret },
          }).catch(() => undefined);
          inFlight--;
          if (!r) return; // cut off by the kill: its token was never answered
          expect(r.status, JSON.stringify(r.body)).toBe(200);
          if (!killed) fresh.push(r.body.refresh_token as string);
        }
      };
      const workers = Array.from({ length: WORKERS }, () =>
        worker().then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      const goal = randomInt(20, 80);
      for (const end = Date.now() + 10_000; fresh.length < goal && Date.now() < end;) await new Promise((r) => setTimeout(r, 2));
      await new Promise((r) => setTimeout(r, randomInt(0, 30)));
      killed = true;
      inFlightAtKill += inFlight;
      answered = [...fresh];
      await child.kill9();
      const failed = (await Promise.all(workers)).find((e) => e !== undefined);
      if (failed) throw failed instanceof Error ? failed : new Error(String(failed));
    }
    return { checked, inFlightAtKill };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await pg.drop();
  }
}

describe.each(['sqlite', 'postgres'] as const)('kill -9 during a burst of token issuance (%s)', (dialect) => {
  it(`every answered refresh token still refreshes after ${ROUNDS} SIGKILL rounds`, async () => {
    const r = await issuanceCrash(dialect);
    expect(r.checked).toBeGreaterThan(ROUNDS * 10);
    expect(r.inFlightAtKill).toBeGreaterThan(0);
    console.log(`issuance crash (${dialect}): ${JSON.stringify(r)}`);
  }, 180_000);
});
