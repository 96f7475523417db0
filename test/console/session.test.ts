// The console's session: a user without the Access Control permission never sees it (and the API
// answers 403), the access token is renewed silently before it expires, and Sign out revokes the
// session on the server.
import type { Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../console/src/i18n/en.js';
import { expectAccessible, signIn, startConsole, type Console } from './browser.js';

let c: Console;
let user: { username: string; password: string };
beforeAll(async () => {
  c = await startConsole();
  user = await c.t.createUser(c.t.defaultTenantId, ['EI Admin']);
}, 60_000);
afterAll(async () => c?.close());

const isToken = (r: Request) => r.url().endsWith('/iam/auth/token') && r.method() === 'POST';

describe('console: permissions and the session', () => {
  it('a user without the Access Control permission sees no Access Control, and the API answers 403', async () => {
    const page = c.page;
    const tokens = page.waitForResponse((r) => isToken(r.request()));
    await signIn(page, c.url, user.username, user.password);
    const access = ((await (await tokens).json()) as { access_token: string }).access_token;
    await page.getByRole('button', { name: en['nav.signOut'] }).waitFor();
    await page.getByRole('heading', { name: en['res.title'], level: 1 }).waitFor();
    expect(await page.getByRole('button', { name: en['nav.accessControl'] }).count()).toBe(0);
    const res = await fetch(`${c.url}/iam/api-keys`, {
      headers: { authorization: `Bearer ${access}`, 'x-tenant-id': c.t.defaultTenantId },
    });
    expect(res.status).toBe(403);

    // the address typed by hand: the page says why instead of showing the tabs
    await page.evaluate(() => {
      history.pushState(null, '', '/console/access-control/api-keys');
      dispatchEvent(new PopStateEvent('popstate'));
    });
    await page.getByText(en['ac.denied']).waitFor();
    expect(await page.getByRole('tab').count()).toBe(0);
    await expectAccessible(page, 'Access Control denied');
  });

  it('Sign out revokes the session: its access token is refused afterwards', async () => {
    const page = c.page;
    await page.getByRole('button', { name: en['nav.signOut'] }).click();
    await page.getByRole('button', { name: en['signin.submit'], exact: true }).waitFor();
    const tokens = page.waitForResponse((r) => isToken(r.request()));
    await signIn(page, c.url, c.t.admin.username, c.t.admin.password);
    const access = ((await (await tokens).json()) as { access_token: string }).access_token;
    await page.getByRole('button', { name: en['nav.accessControl'] }).waitFor();
    expect((await fetch(`${c.url}/iam/users/me`, { headers: { authorization: `Bearer ${access}` } })).status).toBe(200);
    const logout = page.waitForResponse((r) => r.url().endsWith('/iam/auth/logout'));
    await page.getByRole('button', { name: en['nav.signOut'] }).click();
    expect((await logout).status()).toBe(204);
    await page.getByRole('button', { name: en['signin.submit'], exact: true }).waitFor();
    expect((await fetch(`${c.url}/iam/users/me`, { headers: { authorization: `Bearer ${access}` } })).status).toBe(401);
  });

  it('renews the access token silently before it expires, and uses the new one', async () => {
    const page = c.page;
    // the browser's timers run on a clock the test moves: no waiting for the 300 s token life
    await page.clock.install();
    await page.reload();
    const first = page.waitForResponse((r) => isToken(r.request()));
    await signIn(page, c.url, c.t.admin.username, c.t.admin.password);
    const pair = (await (await first).json()) as { access_token: string; expires_in: number };
    await page.getByRole('button', { name: en['nav.accessControl'] }).waitFor();
    const renewed = page.waitForResponse((r) => isToken(r.request()) && (r.request().postData() ?? '').includes('refresh_token'));
    await page.clock.runFor(pair.expires_in * 1000 * 0.9);
    const next = (await (await renewed).json()) as { access_token: string };
    expect(next.access_token).not.toBe(pair.access_token);
    const call = page.waitForRequest((r) => r.url().includes('/iam/api-keys'));
    await page.getByRole('button', { name: en['nav.accessControl'] }).click();
    expect((await call).headers().authorization).toBe(`Bearer ${next.access_token}`);
    await page.getByText(en['keys.empty']).waitFor();
  });
});
