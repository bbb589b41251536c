/** `mailmon store copy --to URL` through the built CLI: progress on stderr, a JSON result, exit 4 for a database that is not empty; SQLite-only commands say so on a PostgreSQL store. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { parseJson, runCli, tempHome } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000' };
let server: FixtureServer;
let database: TestDatabase;
beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 3, mailboxes: [{ generate: { messages: 30 } }] });
  database = await createTestDatabase();
});
afterAll(async () => {
  await server?.close();
  await database?.drop();
});

describe('store copy', () => {
  it('copies a synced home, reports progress and rows; a second copy is refused (exit 4) and names the tables', async () => {
    const home = tempHome('mailmon-store-copy-');
    expect((await runCli(['login', '--fixture', server.url], { home, env })).exitCode).toBe(0);
    expect((await runCli(['sync'], { home, env })).exitCode).toBe(0);
    const human = await runCli(['store', 'copy', '--to', database.url], { home, env, timeoutMs: 120_000 });
    expect(human.exitCode, human.stderr).toBe(0);
    expect(human.stderr).toContain('Copying… 1/');
    expect(human.stdout).toMatch(/Copied \d+ rows in \d+ tables .* in one transaction\./);
    const again = await runCli(['store', 'copy', '--to', database.url, '--json'], { home, env });
    expect(again.exitCode).toBe(4);
    expect(parseJson<{ error: { code: string; message: string } }>(again.stdout).error).toMatchObject({ code: 'store_not_empty', message: expect.stringContaining('mailboxes') });
  }, 180_000);

  it('store backup on a PostgreSQL store is SQLite-only, said plainly (exit 4), the password never shown', async () => {
    const home = tempHome('mailmon-store-pg-');
    const url = new URL(database.url);
    url.password = 'hunter2-secret';
    const result = await runCli(['store', 'backup', '/tmp/never.db', '--json'], { home, env: { ...env, MAILMON_DATABASE_URL: url.toString() } });
    expect(result.exitCode).toBe(4);
    const error = parseJson<{ error: { code: string; message: string } }>(result.stdout).error;
    expect(error.code).toBe('store_sqlite_only');
    expect(result.stdout + result.stderr).not.toContain('hunter2-secret');
  }, 60_000);
});
