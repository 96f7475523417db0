#!/usr/bin/env node
// The `latch` executable: the built CLI (dist/, after `npm run build`) when there is one, else the
// TypeScript source through tsx (a fresh clone after `npm install`), so `npx latch` works either way.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const built = new URL('../dist/cli/index.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/index.ts', import.meta.url).href);
}
