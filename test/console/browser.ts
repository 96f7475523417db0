// The console's browser tests: a real Latch server listening on loopback (SQLite; the console is a
// client of the HTTP API, which is dialect-tested elsewhere), Debian's Chromium driven by
// playwright-core (never a downloaded browser), one browser per test file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import axe from 'axe-core';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { makeTestApp, TestClock, type TestApp } from '../harness.js';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
/**
 * The README's screenshots: written to docs/screenshots/ when LATCH_UPDATE_SCREENSHOTS=1 (they
 * change every run — times, secrets — so an ordinary run writes them to a temporary dir and
 * leaves the checkout clean).
 */
export const SCREENSHOTS =
  process.env.LATCH_UPDATE_SCREENSHOTS === '1'
    ? path.resolve(import.meta.dirname, '../../docs/screenshots')
    : path.join(os.tmpdir(), 'latch-console-screenshots');

export interface Console {
  t: TestApp;
  /** http://127.0.0.1:port */
  url: string;
  context: BrowserContext;
  page: Page;
  /** Content-Security-Policy violations the browser reported (must stay empty). */
  cspViolations: string[];
  close(): Promise<void>;
}

/** A listening server (its clock at the real time, frozen) and a fresh Chromium profile. */
export async function startConsole(o: { locale?: string; env?: Record<string, string> } = {}): Promise<Console> {
  const t = await makeTestApp({ clock: new TestClock(Date.now()), env: o.env });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    locale: o.locale ?? 'en-US',
    viewport: { width: 1280, height: 800 },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  context.setDefaultTimeout(10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  return {
    t,
    url,
    context,
    page,
    cspViolations,
    async close() {
      await context.close();
      await t.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function signIn(
  page: Page,
  url: string,
  username: string,
  password: string,
  words = { username: 'Username', password: 'Password', submit: 'Sign in' },
) {
  await page.goto(`${url}/`);
  await page.getByLabel(words.username).fill(username);
  await page.getByLabel(words.password).fill(password);
  await page.getByRole('button', { name: words.submit, exact: true }).click();
}

/** axe-core in the page (evaluated, not a <script>: the CSP allows none): no serious or critical violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const r = await (globalThis as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  expect(
    violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
    `${what}: ${JSON.stringify(violations)}`,
  ).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** Presses Tab until `target` has the focus (the keyboard path, never a click). */
export async function tabTo(page: Page, target: Locator, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${String(target)}`);
}

export const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

/** The token endpoint over plain HTTP, as a program would call it. */
export async function tokenFor(url: string, body: Record<string, string>) {
  const res = await fetch(`${url}/iam/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { access_token?: string; refresh_token?: string } };
}
