/**
 * A fresh PostgreSQL database for one test file, on the server the test run started
 * (postgres-global-setup.ts): `const db = await createTestDatabase()` in beforeAll,
 * `await db.drop()` in afterAll. When there is no server, this throws why — the test fails,
 * it is never skipped. `createTestDatabase({ migrated: true })` copies a database the global
 * set-up migrated once, for tests that only need a store at the current schema (opening it
 * then applies no migration); without it the database is empty, as a new store is.
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

/** The database createTestDatabase({ migrated: true }) copies; nobody connects to it after the global set-up. */
const MIGRATED_TEMPLATE = 'mailmon_test_migrated_template';

export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const admin = testPostgresAdminUrl();
  const name = `mailmon_test_${randomBytes(6).toString('hex')}`;
  const template = options.migrated ? ` template "${MIGRATED_TEMPLATE}"` : '';
  // file_copy: a checkpoint and a directory copy, several times faster than WAL-logging template1.
  await adminQuery(admin, `create database "${name}"${template} strategy = file_copy`);
  return {
    url: databaseUrl(admin, name),
    name,
    drop: () => adminQuery(admin, `drop database if exists "${name}" with (force)`),
  };
}

/**
 * Creates the database createTestDatabase({ migrated: true }) copies: migrated by `migrate`
 * (the store's own open), which must close every connection it opened.
 */
export async function createMigratedTemplate(admin: string, migrate: (url: string) => Promise<void>): Promise<void> {
  await adminQuery(admin, `create database "${MIGRATED_TEMPLATE}" strategy = file_copy`);
  await migrate(databaseUrl(admin, MIGRATED_TEMPLATE));
}

function databaseUrl(admin: string, name: string): string {
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
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
