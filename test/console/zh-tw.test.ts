// The seed flow in Traditional Chinese: the browser asks for zh-TW, the console chooses it, every
// name below comes from the zh-TW catalogue, and each API call carries Accept-Language: zh-TW.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../console/src/i18n/en.js';
import { zhTW as zh } from '../../console/src/i18n/zh-TW.js';
import { clipboard, expectAccessible, screenshot, signIn, startConsole, tokenFor, type Console } from './browser.js';

let c: Console;
beforeAll(async () => {
  c = await startConsole({ locale: 'zh-TW' });
}, 60_000);
afterAll(async () => c?.close());

const words = { username: zh['signin.username'], password: zh['signin.password'], submit: zh['signin.submit'] };

describe('console in zh-TW (navigator.language), the same seed flow', () => {
  let secret = '';
  let clientId = '';
  it('signs in and generates an API key with 存取控制 → API 金鑰 → 產生 API 金鑰', async () => {
    const page = c.page;
    const apiCall = page.waitForRequest((r) => r.url().endsWith('/iam/users/me'));
    await signIn(page, c.url, c.t.admin.username, c.t.admin.password, words);
    expect((await apiCall).headers()['accept-language']).toBe('zh-TW');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-TW');
    await page.getByRole('button', { name: zh['nav.accessControl'], exact: true }).click();
    await page.getByRole('tab', { name: zh['ac.tab.apiKeys'] }).click();
    await page.getByText(zh['keys.empty']).waitFor();
    await expectAccessible(page, 'API 金鑰');
    await page.getByRole('button', { name: zh['keys.generate'], exact: true }).click();
    const dialog = page.getByRole('dialog', { name: zh['keys.generate'] });
    await dialog.getByLabel(zh['keys.name'], { exact: true }).fill('壞名稱');
    await dialog.getByText(zh['keys.name.invalid'].replace('{max}', '40')).waitFor();
    await dialog.getByLabel(zh['keys.name'], { exact: true }).fill('zh-robot');
    await dialog.getByRole('group', { name: zh['keys.role'] }).getByRole('checkbox', { name: 'EI Admin', exact: true }).check();
    await dialog.getByLabel(zh['keys.expiry'], { exact: true }).selectOption({ label: zh['keys.expiry.days'].replace('{days}', '180') });
    await screenshot(page, 'generate-api-key-zh-TW');
    await dialog.getByRole('button', { name: zh['keys.generate.submit'], exact: true }).click();
    const result = page.getByRole('dialog', { name: zh['keys.created.title'] });
    await result.getByText(zh['keys.created.warning']).waitFor();
    const group = result.getByRole('group', { name: zh['keys.created.secret'] });
    await group.getByRole('button', { name: zh['common.copy'], exact: true }).click();
    await group.getByText(zh['common.copied']).waitFor();
    secret = await clipboard(page);
    clientId = (await result.getByRole('group', { name: zh['keys.created.clientId'] }).locator('code').textContent())!;
    await expectAccessible(page, '已產生 API 金鑰');
    await screenshot(page, 'api-key-secret-zh-TW');
    expect((await tokenFor(c.url, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret })).status).toBe(200);
  });

  it('leaving the screen loses the secret; the language switcher turns the page to English', async () => {
    const page = c.page;
    await page.getByRole('button', { name: zh['common.done'], exact: true }).click();
    await page.getByRole('link', { name: zh['nav.resources'] }).click();
    await page.getByRole('button', { name: zh['nav.accessControl'], exact: true }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'zh-robot' }) });
    await row.waitFor();
    expect(await row.getByRole('cell').nth(3).textContent()).toBe(zh['keys.status.active']);
    expect(await page.content()).not.toContain(secret);
    await screenshot(page, 'api-keys-zh-TW');
    await page.getByLabel(zh['nav.language']).selectOption('en');
    await page.getByRole('heading', { name: en['ac.title'], level: 1 }).waitFor();
    expect(await page.getByRole('tab', { name: en['ac.tab.apiKeys'] }).getAttribute('aria-selected')).toBe('true');
    expect(c.cspViolations).toEqual([]);
  });
});
