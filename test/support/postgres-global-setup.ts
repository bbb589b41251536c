/**
 * vitest globalSetup: one throwaway PostgreSQL server per test run (postgres-server.ts), its
 * admin URL exported to the workers as MAILMON_TEST_PG_URL, with a database migrated once for
 * createTestDatabase({ migrated: true }) to copy; stopped, and its directory removed, after
 * the run. A server that cannot start fails no test by itself: the tests that need one
 * fail, with the reason (MAILMON_TEST_PG_ERROR), when they ask createTestDatabase() for it.
 */
import { openPostgres } from '../../src/adapters/postgres/database.js';
import { createMigratedTemplate } from './postgres.js';
import { startTestPostgres, type TestPostgresServer } from './postgres-server.js';

export default async function setup(): Promise<() => Promise<void>> {
  let server: TestPostgresServer | undefined;
  try {
    server = await startTestPostgres();
    await createMigratedTemplate(server.adminUrl, async (url) => (await openPostgres(url, { poolSize: 1 })).close());
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
