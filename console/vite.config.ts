import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The console builds into dist/console, which `latch serve` serves at /console (src/http/console.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // no inline assets: the Content-Security-Policy allows only files of this origin (and data: images)
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
