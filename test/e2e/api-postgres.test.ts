/**
 * The HTTP API on a PostgreSQL store: `mailmon api` with MAILMON_DATABASE_URL serves the same
 * answers as the CLI reads from that store — mailboxes, every message page by page, a thread,
 * the event log and its live stream — each response judged against the OpenAPI document.
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MailmonClient, type MailmonEvent } from 'mailmon/sdk';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { parseJson, runCli, startCli, tempHome, waitForLine } from '../support/cli.js';
import { OpenApiJudge } from '../support/openapi-validator.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

let server: FixtureServer;
let database: TestDatabase;
let home: string;
let env: Record<string, string>;
let api: ChildProcessWithoutNullStreams | undefined;
let sdk: MailmonClient;
const judge = new OpenApiJudge();

async function cli<T>(args: string[]): Promise<T> {
  const result = await runCli(args, { home, env });
  expect(result.exitCode, result.stderr).toBe(0);
  return parseJson<T>(result.stdout);
}

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startFixtureServer({ quota: false, seed: 21, mailboxes: [{ generate: { messages: 40, seed: 21 } }] });
  home = tempHome('mailmon-api-pg-');
  env = { MAILMON_DATABASE_URL: database.url, MAILMON_ENCRYPTION_KEY: randomBytes(32).toString('base64'), MAILMON_SECRET_STORE: 'file', MAILMON_QUOTA_UNITS_PER_SECOND: '100000' };
  await cli(['login', '--fixture', server.url, '--json']);
  await cli(['sync', '--json']);
  // The first sync records no per-message events; these new messages do.
  for (let i = 0; i < 5; i += 1) await server.control.send({ subject: `on postgres ${i}` });
  await cli(['sync', '--json']);
  const { key } = await cli<{ key: string }>(['api-keys', 'create', '--scope', 'read', '--json']);
  api = startCli(['api', '--port', '0', '--json'], { home, env });
  const { url } = parseJson<{ url: string }>(await waitForLine(api, 'stdout', (line) => line.includes('"ready"')));
  sdk = new MailmonClient({ baseUrl: url, apiKey: key, fetch: judge.fetch });
}, 90_000);

afterAll(async () => {
  if (api && api.exitCode === null) {
    api.kill('SIGTERM');
    await new Promise((resolve) => api!.once('exit', resolve));
  }
  await server?.close();
  await database?.drop();
});

it('pages every message and thread the store holds, and gets a thread with its messages', async () => {
  const stored = await cli<Array<{ id: string }>>(['messages', 'list', '--limit', '1000', '--json']);
  expect(stored.length).toBeGreaterThan(40);
  const paged: string[] = [];
  for (let after: string | undefined, pages = 0; pages < 20; pages += 1) {
    const page = await sdk.listMessages({ limit: 7, after });
    paged.push(...page.data.map((message) => message.id));
    if (!page.nextCursor) break;
    after = page.nextCursor;
  }
  expect(paged).toEqual(stored.map((message) => message.id));
  const [thread] = (await sdk.listThreads({ limit: 1 })).data;
  expect((await sdk.getThread(thread.id)).messages.length).toBe(thread.messageCount);
  expect((await sdk.listMailboxes()).data.map((mailbox) => mailbox.emailAddress)).toEqual(['dev@mailmon.test']);
});

it('serves the event log and streams it from the start, in sequence', async () => {
  const logged = await cli<MailmonEvent[]>(['events', 'list', '--limit', '100000', '--json']);
  expect(logged.length).toBeGreaterThanOrEqual(5);
  const listed: MailmonEvent[] = [];
  for await (const event of sdk.events({ after: '0' })) listed.push(event);
  expect(listed.map((event) => event.id)).toEqual(logged.map((event) => event.id));
  const controller = new AbortController();
  const streamed: MailmonEvent[] = [];
  for await (const event of sdk.stream({ after: 0, signal: controller.signal })) {
    streamed.push(event);
    if (streamed.length === logged.length) controller.abort();
  }
  expect(streamed).toEqual(listed);
});
