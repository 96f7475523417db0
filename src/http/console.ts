import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import type { App } from './types.js';

/**
 * The web console (console/, built by `npm run build` into dist/console): static files under
 * /console/, index.html for every other /console/* path (the console routes in the browser), and
 * `/` redirecting to it. The console is a client of the public APIs only; nothing here reads data.
 */

/** The package root is two levels up from both src/http/console.ts and dist/http/console.js. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url));

/** No inline script or style, no other origin: the console needs nothing else (console/index.html). */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Latch console not built</title></head>
<body><h1>The Latch console is not built</h1>
<p>Run <code>npm run build</code> (or <code>npm start</code>, which builds first) and restart the server.</p></body></html>
`;

export async function registerConsole(app: App, dir: string = CONSOLE_DIR): Promise<void> {
  app.get('/', { schema: { hide: true } }, (_req, reply) => reply.redirect('/console/', 302));
  await app.register(async (face) => {
    face.addHook('onSend', async (req, reply, payload) => {
      reply.header('content-security-policy', CONSOLE_CSP);
      // Hashed asset names never change content; the page itself is always asked for again.
      if (!req.url.startsWith('/console/assets/')) reply.header('cache-control', 'no-cache');
      return payload;
    });
    if (!existsSync(`${dir}/index.html`)) {
      const notBuilt = (_req: unknown, reply: FastifyReply) => reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
      face.get('/console', { schema: { hide: true } }, notBuilt);
      face.get('/console/*', { schema: { hide: true } }, notBuilt);
      return;
    }
    await face.register(fastifyStatic, {
      root: dir,
      prefix: '/console/',
      wildcard: false,
      index: false,
      immutable: true,
      maxAge: '365d',
      schemaHide: true,
    });
    const page = (_req: unknown, reply: FastifyReply) => reply.sendFile('index.html', { maxAge: 0, immutable: false });
    face.get('/console', { schema: { hide: true } }, (_req, reply) => reply.redirect('/console/', 301));
    face.get('/console/', { schema: { hide: true } }, page);
    // Paths the console routes itself (/console/access-control/api-keys, …); a missing asset is a real 404.
    face.get('/console/*', { schema: { hide: true } }, (req, reply) =>
      req.url.startsWith('/console/assets/') ? reply.code(404).type('text/plain').send('Not found') : page(req, reply),
    );
  });
}
