// Azure resources and IoT Central in the console: a hub's keys stay hidden until "Reveal" (a
// listkeys call, audited), regenerate and swap go through the ARM PUT, and an IoT Central API
// token is created once, copied, used and deleted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../console/src/i18n/en.js';
import { listKeys, putHub } from '../ops/instance.js';
import { createCentralApp, type CentralTestApp } from '../faces/central/helpers.js';
import { clipboard, expectAccessible, screenshot, signIn, startConsole, type Console } from './browser.js';

const HUB = 'console-hub';
let c: Console;
let app: CentralTestApp;
beforeAll(async () => {
  c = await startConsole();
  expect((await putHub(c.t, c.t.defaultTenantId, HUB)).statusCode).toBe(201);
  const dps = await c.t.req(
    'PUT',
    `/subscriptions/${c.t.defaultTenantId}/resourceGroups/rg/providers/Microsoft.Devices/provisioningServices/console-dps?api-version=2022-02-05`,
    {
      token: await c.t.adminToken(),
      body: { location: 'westus', sku: { name: 'S1', capacity: 1 } },
    },
  );
  expect(dps.statusCode, dps.body).toBe(201);
  app = await createCentralApp(c.t, { name: 'console-app' });
  await signIn(c.page, c.url, c.t.admin.username, c.t.admin.password);
}, 60_000);
afterAll(async () => c?.close());

const owner = 'iothubowner';
const keysListed = async () => {
  const res = await c.t.req('GET', '/iam/audit', {
    token: await c.t.adminToken(),
    tenant: c.t.defaultTenantId,
    query: { action: 'iot_hub.keys_listed' },
  });
  return (res.json() as { total: number }).total;
};

describe('console: IoT hubs and DPS', () => {
  it('lists hubs and DPS; the hub page shows policies with keys hidden until Reveal', async () => {
    const page = c.page;
    await page.getByRole('link', { name: 'console-dps' }).waitFor();
    await expectAccessible(page, 'IoT Hub & DPS list');
    await page.getByRole('link', { name: HUB }).click();
    await page.getByRole('heading', { name: HUB, level: 1 }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: owner, exact: true }) });
    await row.waitFor();
    const primary = row.getByLabel(en['res.primaryOf'].replace('{policy}', owner), { exact: true });
    expect(await primary.textContent()).toBe(en['res.hidden']);
    const [keys] = [await listKeys(c.t, c.t.defaultTenantId, HUB)];
    const ownerKeys = keys.find((p) => p.keyName === owner)!;
    expect(await page.content()).not.toContain(ownerKeys.primaryKey);
    await expectAccessible(page, 'hub page');

    // the page's policy list is one listkeys (names and rights kept, keys dropped); audit records are written in batches
    await expect.poll(keysListed).toBeGreaterThanOrEqual(1);
    const before = await keysListed();
    await row.getByRole('button', { name: en['res.revealOf'].replace('{policy}', owner) }).click();
    await expect.poll(() => primary.textContent()).toBe(ownerKeys.primaryKey);
    expect(await row.getByLabel(en['res.secondaryOf'].replace('{policy}', owner), { exact: true }).textContent()).toBe(
      ownerKeys.secondaryKey,
    );
    await expect.poll(keysListed, { message: 'the reveal is a listkeys call, audited' }).toBeGreaterThan(before);
    await screenshot(page, 'hub-keys');

    await row.getByRole('button', { name: en['res.copyConnection'] }).click();
    await expect.poll(() => clipboard(page)).toContain(`SharedAccessKeyName=${owner};SharedAccessKey=${ownerKeys.primaryKey}`);
  });

  it('regenerates the primary key, then swaps: the server holds what the page shows', async () => {
    const page = c.page;
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: owner, exact: true }) });
    const old = (await listKeys(c.t, c.t.defaultTenantId, HUB)).find((p) => p.keyName === owner)!;
    await row.getByRole('button', { name: en['res.regenPrimaryOf'].replace('{policy}', owner) }).click();
    await row.getByText(en['res.regenerated'].replace('{policy}', owner)).waitFor();
    const now = (await listKeys(c.t, c.t.defaultTenantId, HUB)).find((p) => p.keyName === owner)!;
    expect(now.primaryKey).not.toBe(old.primaryKey);
    expect(now.secondaryKey).toBe(old.secondaryKey);
    const primary = row.getByLabel(en['res.primaryOf'].replace('{policy}', owner), { exact: true });
    expect(await primary.textContent(), 'hidden again after a change').toBe(en['res.hidden']);
    await row.getByRole('button', { name: en['res.revealOf'].replace('{policy}', owner) }).click();
    await expect.poll(() => primary.textContent()).toBe(now.primaryKey);

    await row.getByRole('button', { name: en['res.swapOf'].replace('{policy}', owner) }).click();
    await row.getByText(en['res.swapped'].replace('{policy}', owner)).waitFor();
    const swapped = (await listKeys(c.t, c.t.defaultTenantId, HUB)).find((p) => p.keyName === owner)!;
    expect(swapped).toMatchObject({ primaryKey: now.secondaryKey, secondaryKey: now.primaryKey });
  });
});

describe('console: IoT Central API tokens', () => {
  let token = '';
  it('lists apps and creates an API token (role, organization), shown once, that works', async () => {
    const page = c.page;
    await page.getByRole('link', { name: en['nav.central'] }).click();
    await page.getByRole('link', { name: 'console-app' }).click();
    await page.getByText(en['central.tokens.empty']).waitFor();
    await expectAccessible(page, 'Central app tokens (empty)');
    await page.getByRole('button', { name: en['central.create'] }).click();
    const dialog = page.getByRole('dialog', { name: en['central.create'] });
    await dialog.getByLabel(en['central.tokenId']).fill('console-token');
    await dialog.getByLabel(en['keys.role'], { exact: true }).selectOption({ label: 'Operator' });
    await dialog.getByLabel(en['central.organization']).selectOption({ label: en['common.none'] });
    await expectAccessible(page, 'Create API token dialog');
    await dialog.getByRole('button', { name: en['central.create.submit'], exact: true }).click();
    const result = page.getByRole('dialog', { name: en['central.created.title'] });
    await result.getByText(en['central.created.warning']).waitFor();
    const group = result.getByRole('group', { name: en['central.token'] });
    await group.getByRole('button', { name: en['common.copy'], exact: true }).click();
    token = await clipboard(page);
    expect(token).toMatch(/^SharedAccessSignature /);
    await screenshot(page, 'central-token');
    const res = await fetch(`${c.url}/central/${app.id}/api/roles?api-version=2022-07-31`, { headers: { authorization: token } });
    expect(res.status).toBe(200);
    await result.getByRole('button', { name: en['common.done'] }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'console-token' }) });
    await row.waitFor();
    expect(await row.getByRole('cell').first().textContent()).toBe('Operator');
    expect(await page.content()).not.toContain(token.slice(-20));
  });

  it('an API error shows next to the form that caused it (token name taken)', async () => {
    const page = c.page;
    await page.getByRole('button', { name: en['central.create'] }).click();
    const dialog = page.getByRole('dialog', { name: en['central.create'] });
    await dialog.getByLabel(en['central.tokenId']).fill('console-token');
    await dialog.getByRole('button', { name: en['central.create.submit'], exact: true }).click();
    await dialog.getByRole('alert').waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('deletes the token after confirmation: it is refused at once', async () => {
    const page = c.page;
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'console-token' }) });
    await row.getByRole('button', { name: en['common.delete'], exact: true }).click();
    await page
      .getByRole('dialog', { name: en['central.delete.title'] })
      .getByRole('button', { name: en['common.delete'], exact: true })
      .click();
    await page.getByText(en['central.tokens.empty']).waitFor();
    const res = await fetch(`${c.url}/central/${app.id}/api/roles?api-version=2022-07-31`, { headers: { authorization: token } });
    expect(res.status).toBe(401);
    await page.getByRole('link', { name: en['central.back'] }).click();
    await page.getByRole('link', { name: 'console-app' }).waitFor();
    await expectAccessible(page, 'Central apps');
    expect(c.cspViolations).toEqual([]);
  });
});
