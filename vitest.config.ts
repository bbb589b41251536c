import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // One throwaway PostgreSQL server per run (MAILMON_TEST_PG_URL); test/support/postgres.ts.
    globalSetup: ['test/support/postgres-global-setup.ts'],
    testTimeout: 60_000,
    // Set-up hooks run several CLI commands; on a loaded 2-core machine each can take 20 s, and
    // a hook that times out fails its whole file (every test skipped, no failing test named).
    hookTimeout: 180_000,
    pool: 'forks',
    // e2e tests spawn the built CLI; two cores in CI, keep parallelism modest.
    maxWorkers: 3,
  },
});
