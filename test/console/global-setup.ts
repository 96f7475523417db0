// vitest globalSetup: the console's browser tests need the built console (dist/console), and
// `npm test` on a fresh clone must not depend on a prior `npm run build`. Builds with Vite when
// the assets are missing or older than any console source (or the domain rule it imports).
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'vite';
import { CONSOLE_DIR } from '../../src/http/console.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SOURCES = ['console', 'src/domain/api-keys.ts'];

function newest(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
}

export default async function setup(): Promise<void> {
  const index = path.join(CONSOLE_DIR, 'index.html');
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  const source = Math.max(...SOURCES.map((s) => newest(path.join(ROOT, s))));
  if (built > source) return;
  await build({ configFile: path.join(ROOT, 'console/vite.config.ts') });
}
