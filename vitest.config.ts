import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // One throwaway PostgreSQL server per run (MAILMON_TEST_PG_URL); test/support/postgres.ts.
    globalSetup: ['test/support/postgres-global-setup.ts'],
    // An e2e test runs a dozen CLI commands; on a loaded 2-core machine each can take 10-20 s.
    // Longer than runCli's 60 s guard, so a hung command is named rather than the test timing out.
    testTimeout: 120_000,
    // A set-up hook that times out fails its whole file (every test skipped, none named failing).
    hookTimeout: 180_000,
    pool: 'forks',
    // e2e tests spawn the built CLI; two cores in CI, keep parallelism modest.
    maxWorkers: 3,
    // Longest files first (test/support/file-durations.json): a fresh checkout has no vitest cache to order by.
    sequence: { sequencer: LongestFirstSequencer },
  },
});
