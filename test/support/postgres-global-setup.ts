/**
 * vitest globalSetup: one throwaway PostgreSQL server per test run (postgres-server.ts), its
 * admin URL exported to the workers as MAILMON_TEST_PG_URL; stopped, and its directory removed,
 * after the run. A server that cannot start fails no test by itself: the tests that need one
 * fail, with the reason (MAILMON_TEST_PG_ERROR), when they ask createTestDatabase() for it.
 */
import { startTestPostgres, type TestPostgresServer } from './postgres-server.js';

export default async function setup(): Promise<() => Promise<void>> {
  let server: TestPostgresServer | undefined;
  try {
    server = await startTestPostgres();
    process.env.MAILMON_TEST_PG_URL = server.adminUrl;
    process.env.MAILMON_TEST_PG_START_MS = String(server.startMs);
    delete process.env.MAILMON_TEST_PG_ERROR;
  } catch (error) {
    delete process.env.MAILMON_TEST_PG_URL;
    process.env.MAILMON_TEST_PG_ERROR = (error as Error).message;
  }
  return async () => {
    await server?.stop();
  };
}
