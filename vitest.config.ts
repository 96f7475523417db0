import { defineConfig } from 'vitest/config';

// Test files run in parallel worker processes. SQLite suites use `:memory:` databases; PostgreSQL
// suites each work in a schema of their own (dropped afterwards), so nothing is shared between files.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: true,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
