// `latch serve` serves the built console at /console (index.html for the console's own paths, a
// real 404 for a missing asset), `/` redirects there, every console answer carries the strict CSP,
// and without a build it says how to make one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, CONSOLE_DIR, registerConsole } from '../../src/http/console.js';
import type { App } from '../../src/http/types.js';
import { makeTestApp, type TestApp } from '../harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => t?.close());

describe('console assets', () => {
  it('/ redirects to /console/, which is the page, under the strict CSP', async () => {
    const root = await t.app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/console/');
    const page = await t.app.inject({ method: 'GET', url: '/console/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toMatch(/default-src 'self'.*script-src 'self'.*style-src 'self'.*connect-src 'self'/);
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).not.toMatch(/<script>|<style>| style=/);
  });

  it('answers index.html for the console paths, assets with a long cache, a missing asset 404', async () => {
    const deep = await t.app.inject({ method: 'GET', url: '/console/access-control/api-keys' });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toBe(fs.readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8'));
    const js = fs.readdirSync(path.join(CONSOLE_DIR, 'assets')).find((f) => f.endsWith('.js'))!;
    const asset = await t.app.inject({ method: 'GET', url: `/console/assets/${js}` });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.headers['content-security-policy']).toBe(CONSOLE_CSP);
    const missing = await t.app.inject({ method: 'GET', url: '/console/assets/nope.js' });
    expect(missing.statusCode).toBe(404);
    // the API's own answers keep their headers: no console CSP on them
    const api = await t.app.inject({ method: 'GET', url: '/iam/users/me' });
    expect(api.headers['content-security-policy']).not.toBe(CONSOLE_CSP);
  });

  it('without a build, /console says to run npm run build (503)', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'latch-console-'));
    const app = Fastify();
    await registerConsole(app as unknown as App, empty);
    for (const url of ['/console/', '/console/access-control']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('npm run build');
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
    }
    await app.close();
    fs.rmSync(empty, { recursive: true });
  });
});
