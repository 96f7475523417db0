import { defineConfig } from 'vitest/config';

// Test files run in parallel worker processes. SQLite suites use `:memory:` databases; PostgreSQL
// suites each work in a schema of their own (dropped afterwards), so nothing is shared between files.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // every test server logs at trace level; the whole run's logs are scanned for secrets at the end
    globalSetup: ['test/log-scan/global-setup.ts', 'test/console/global-setup.ts'],
    pool: 'forks',
    fileParallelism: true,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
