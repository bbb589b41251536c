/**
 * A fresh PostgreSQL database for one test file, on the server the test run started
 * (postgres-global-setup.ts): `const db = await createTestDatabase()` in beforeAll,
 * `await db.drop()` in afterAll. When there is no server, this throws why — the test fails,
 * it is never skipped.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** Superuser URL of this database. */
  readonly url: string;
  readonly name: string;
  /** Drops it, disconnecting whoever is still connected. */
  drop(): Promise<void>;
}

/** The superuser URL of the run's server (its `postgres` database). */
export function testPostgresAdminUrl(): string {
  const url = process.env.MAILMON_TEST_PG_URL;
  if (url) return url;
  const reason = process.env.MAILMON_TEST_PG_ERROR ?? 'MAILMON_TEST_PG_URL is not set: is test/support/postgres-global-setup.ts in vitest.config.ts globalSetup?';
  throw new Error(`This test needs the PostgreSQL server the test run starts, and there is none.\n${reason}`);
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = testPostgresAdminUrl();
  const name = `mailmon_test_${randomBytes(6).toString('hex')}`;
  // file_copy: a checkpoint and a directory copy, several times faster than WAL-logging template1.
  await adminQuery(admin, `create database "${name}" strategy = file_copy`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => adminQuery(admin, `drop database if exists "${name}" with (force)`),
  };
}

async function adminQuery(admin: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
