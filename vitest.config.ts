import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // One throwaway PostgreSQL server per run (MAILMON_TEST_PG_URL); test/support/postgres.ts.
    globalSetup: ['test/support/postgres-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // e2e tests spawn the built CLI; two cores in CI, keep parallelism modest.
    maxWorkers: 3,
  },
});
