// The seed's flow (shared/seeds/004): sign in → the people icon → Access Control → API Keys →
// Generate API Key → name, role, expiration → Generate → copy the secret, which works at
// /iam/auth/token and is never shown again; then delete → refused. All by role and accessible name,
// the Generate path from the keyboard only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../console/src/i18n/en.js';
import { clipboard, expectAccessible, screenshot, signIn, startConsole, tabTo, tokenFor, type Console } from './browser.js';

const NAME = 'ci-robot';
let c: Console;
beforeAll(async () => {
  c = await startConsole();
}, 60_000);
afterAll(async () => c?.close());

describe('console: Access Control → API Keys, the seed flow (English)', () => {
  let secret = '';
  let clientId = '';

  it('serves the console with a strict CSP at /console, / redirecting there', async () => {
    const res = await c.page.goto(`${c.url}/`);
    expect(c.page.url()).toBe(`${c.url}/console/`);
    const csp = res!.headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await expect.poll(() => c.page.getByRole('heading', { name: en['signin.title'] }).isVisible()).toBe(true);
    await expectAccessible(c.page, 'sign-in page');
    await screenshot(c.page, 'sign-in');
  });

  it('refuses a wrong password in plain words next to the form', async () => {
    await signIn(c.page, c.url, c.t.admin.username, 'not-the-password');
    await expect.poll(() => c.page.getByRole('alert').textContent()).toMatch(/\w+/);
    expect(await c.page.getByRole('button', { name: en['nav.accessControl'] }).count()).toBe(0);
  });

  it('signs in, and the people icon at the far right of the header opens Access Control', async () => {
    await signIn(c.page, c.url, c.t.admin.username, c.t.admin.password);
    const people = c.page.getByRole('banner').getByRole('button', { name: en['nav.accessControl'], exact: true });
    await people.waitFor();
    // the last control of the header
    expect(
      await c.page
        .getByRole('banner')
        .locator('button, select, a')
        .last()
        .evaluate((el) => el.getAttribute('aria-label')),
    ).toBe(en['nav.accessControl']);
    await expectAccessible(c.page, 'IoT Hub & DPS (home)');
    await people.click();
    await c.page.getByRole('heading', { name: en['ac.title'], level: 1 }).waitFor();
    for (const tab of ['ac.tab.users', 'ac.tab.roles', 'ac.tab.audit'] as const) {
      await c.page.getByRole('tab', { name: en[tab] }).click();
      await c.page.getByRole('tabpanel').getByRole('heading').first().waitFor();
      await c.page.getByText(en['common.loading']).waitFor({ state: 'detached' });
      await expectAccessible(c.page, `Access Control: ${en[tab]}`);
    }
    await screenshot(c.page, 'access-control-roles');
    await c.page.getByRole('tab', { name: en['ac.tab.apiKeys'] }).click();
    await c.page.getByText(en['keys.empty']).waitFor();
    await expectAccessible(c.page, 'Access Control: API Keys (empty)');
  });

  it('Generate API Key: Escape closes the dialog and gives the focus back', async () => {
    const open = c.page.getByRole('button', { name: en['keys.generate'], exact: true });
    await open.click();
    const dialog = c.page.getByRole('dialog', { name: en['keys.generate'] });
    await dialog.waitFor();
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    await c.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await open.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('generates a key from the keyboard alone: live name check, role, expiration, Generate', async () => {
    const page = c.page;
    const open = page.getByRole('button', { name: en['keys.generate'], exact: true });
    await open.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: en['keys.generate'] });
    await dialog.waitFor();
    const name = dialog.getByLabel(en['keys.name'], { exact: true });
    await tabTo(page, name);
    await page.keyboard.type('bad name!');
    // the server's rule (src/domain/api-keys.ts), checked as it is typed
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await dialog.getByText(en['keys.name.invalid'].replace('{max}', '40')).waitFor();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(NAME);
    expect(await name.getAttribute('aria-invalid')).toBeNull();
    const role = dialog.getByRole('group', { name: en['keys.role'] }).getByRole('checkbox', { name: 'EI Admin', exact: true });
    await tabTo(page, role);
    await page.keyboard.press('Space');
    expect(await role.isChecked()).toBe(true);
    const expiry = dialog.getByLabel(en['keys.expiry'], { exact: true });
    await tabTo(page, expiry);
    // 90 days is the default; two steps up is 30, from the keyboard
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await expiry.inputValue()).toBe('30');
    await expectAccessible(page, 'Generate API Key dialog');
    await screenshot(page, 'generate-api-key');
    await tabTo(page, dialog.getByRole('button', { name: en['keys.generate.submit'], exact: true }));
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: en['keys.created.title'] }).waitFor();
  });

  it('shows the secret and client id once, with Copy and the seed warning; the copied secret works at /iam/auth/token', async () => {
    const page = c.page;
    const result = page.getByRole('dialog', { name: en['keys.created.title'] });
    await result.getByText(en['keys.created.warning']).waitFor();
    const secretGroup = result.getByRole('group', { name: en['keys.created.secret'] });
    const idGroup = result.getByRole('group', { name: en['keys.created.clientId'] });
    clientId = (await idGroup.locator('code').textContent())!;
    await secretGroup.getByRole('button', { name: en['common.copy'], exact: true }).click();
    await secretGroup.getByText(en['common.copied']).waitFor();
    secret = await clipboard(page);
    expect(secret).toBe(await secretGroup.locator('code').textContent());
    expect(secret.length).toBeGreaterThan(20);
    await expectAccessible(page, 'API key result');
    await screenshot(page, 'api-key-secret');

    const tok = await tokenFor(c.url, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret });
    expect(tok.status).toBe(200);
    const me = await fetch(`${c.url}/iam/users/me`, { headers: { authorization: `Bearer ${tok.body.access_token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { username: string }).username).toBe(NAME);
  });

  it('leaving the screen loses the secret: back on API Keys it is nowhere in the page', async () => {
    const page = c.page;
    const done = page.getByRole('button', { name: en['common.done'], exact: true });
    await done.click();
    expect(await page.getByRole('button', { name: en['keys.generate'], exact: true }).evaluate((el) => el === document.activeElement)).toBe(
      true,
    );
    await page.getByRole('link', { name: en['nav.resources'] }).click();
    await page.getByRole('heading', { name: en['res.title'], level: 1 }).waitFor();
    await page.getByRole('button', { name: en['nav.accessControl'], exact: true }).click();
    await page.getByRole('tab', { name: en['ac.tab.apiKeys'] }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: NAME }) });
    await row.waitFor();
    expect(await row.getByRole('cell').nth(3).textContent()).toBe(en['keys.status.active']);
    expect(await page.content()).not.toContain(secret);
    expect(await page.evaluate(() => document.documentElement.outerHTML + document.body.innerText)).not.toContain(secret);
    await expectAccessible(page, 'API Keys list');
    await screenshot(page, 'api-keys');
  });

  it('an API error is shown in plain words inside the dialog that caused it (name taken)', async () => {
    const page = c.page;
    await page.getByRole('button', { name: en['keys.generate'], exact: true }).click();
    const dialog = page.getByRole('dialog', { name: en['keys.generate'] });
    await dialog.getByLabel(en['keys.name'], { exact: true }).fill(NAME);
    await dialog.getByRole('checkbox', { name: 'EI Admin', exact: true }).check();
    await dialog.getByRole('button', { name: en['keys.generate.submit'], exact: true }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(NAME);
    await dialog.getByRole('button', { name: en['common.cancel'] }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('Delete asks first; then the key and its tokens are refused', async () => {
    const page = c.page;
    const before = await tokenFor(c.url, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret });
    expect(before.status).toBe(200);
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: NAME }) });
    await row.getByRole('button', { name: en['common.delete'], exact: true }).click();
    const confirm = page.getByRole('dialog', { name: en['keys.delete.title'] });
    await confirm.waitFor();
    await expectAccessible(page, 'Delete confirmation');
    await confirm.getByRole('button', { name: en['common.delete'], exact: true }).click();
    await page.getByText(en['keys.empty']).waitFor();
    const after = await tokenFor(c.url, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret });
    expect(after.status).toBe(401);
    const me = await fetch(`${c.url}/iam/users/me`, { headers: { authorization: `Bearer ${before.body.access_token}` } });
    expect(me.status).toBe(401);
    expect(c.cspViolations).toEqual([]);
  });
});
