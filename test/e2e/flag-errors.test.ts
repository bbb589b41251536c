/**
 * The flag mistakes of issue 13, one by one through the built CLI: each is a usage error (exit 2,
 * code `usage`) naming the flag, the value and what is expected — not "Unexpected error: Parsing
 * --x … please report it" (exit 1, code `internal`), not SQLite's "datatype mismatch", not a
 * silently accepted 1e20, not "no filter". The flag fuzz (flag-fuzz.test.ts) covers every flag.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer } from '../../src/fixtures/server.js';
import { parseJson, runCli, tempHome } from '../support/cli.js';

const CLOSED = 'http://127.0.0.1:9/';
const env = { MAILMON_GMAIL_API_URL: CLOSED, MAILMON_OAUTH_URL: CLOSED };
let home: string;

beforeAll(async () => {
  home = tempHome();
  const server = await startFixtureServer({ quota: false, mailboxes: [{ emailAddress: 'flags@mailmon.test', generate: { messages: 3, seed: 1 } }] });
  try {
    expect((await runCli(['login', '--fixture', server.url], { home, timeoutMs: 60_000 })).exitCode).toBe(0);
  } finally {
    await server.close();
  }
});
afterAll(() => fs.rmSync(path.dirname(home), { recursive: true, force: true }));

type JsonError = { error: { code: string; message: string; hint?: string } };

/** The usage error under --json (one JSON object, nothing on stderr); `human` also checks the one line plus hint. */
async function usageError(args: string[], options: { human?: boolean; json?: boolean } = {}): Promise<string> {
  if (options.json === false) {
    const human = await runCli(args, { home, env, timeoutMs: 60_000 });
    expect(human.exitCode, human.stderr).toBe(2);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/^Error: [^\n]+\n→ [^\n]+\n$/);
    return human.stderr.slice('Error: '.length, human.stderr.indexOf('\n'));
  }
  const [json, human] = await Promise.all([runCli([...args, '--json'], { home, env, timeoutMs: 60_000 }), options.human ? runCli(args, { home, env, timeoutMs: 60_000 }) : undefined]);
  expect(json.exitCode, json.stdout + json.stderr).toBe(2);
  expect(json.stderr).toBe('');
  const { error } = parseJson<JsonError>(json.stdout.trim());
  expect(error.code).toMatch(/^(usage|bad_url|bad_time|bad_duration)$/);
  expect(error.message).not.toMatch(/Unexpected error|Parsing --|datatype mismatch|ENAMETOOLONG/);
  if (human) {
    expect(human.exitCode).toBe(2);
    expect(human.stdout).toBe('');
    expect(human.stderr).toBe(`Error: ${error.message}\n→ ${error.hint}\n`);
  }
  return error.message;
}

describe('a bad flag value is a usage error naming the flag, the value and what is expected', () => {
  it.each([
    [['events', 'list', '--limit', 'abc'], '--limit must be a whole number from 1 to 1000000, not "abc".'],
    [['sync', '--wait', '-5'], '--wait must be a whole number from 0 to 2147483, not "-5".'],
    [['daemon', 'stop', '--timeout='], '--timeout is empty: give a whole number from 1 to 2147483, or leave it out.'],
    [['listen', '--forward-to', 'http://127.0.0.1:9/hook', '--max-in-flight', '0'], '--max-in-flight must be a whole number from 1 to 1000, not "0".'],
    [['daemon', 'logs', '--lines', 'x'], '--lines must be a whole number from 0 to 1000000, not "x".'],
    [['fixtures', 'serve', '--messages', 'abc'], '--messages must be a whole number from 0 to 300000, not "abc".'],
  ])('%j', async (args, message) => {
    expect(await usageError(args, { human: args[0] === 'events' })).toBe(message);
  });

  it('a single-value flag given twice', async () => {
    expect(await usageError(['fixtures', 'status', '--server', 'http://127.0.0.1:9/', '--server', 'http://127.0.0.1:9/'])).toBe('--server was given more than once: it takes one value.');
  });

  it('numbers past a sane bound: no SQLite "datatype mismatch", no latency of 1e20 ms', async () => {
    expect(await usageError(['events', 'list', '--limit', '99999999999999999999'])).toBe('--limit must be a whole number from 1 to 1000000, not "99999999999999999999".');
    expect(await usageError(['fixtures', 'faults', '--server', CLOSED, '--latency', '99999999999999999999'])).toBe('--latency must be a whole number from 0 to 60000, not "99999999999999999999".');
  });

  it('a path no file system can hold (ENAMETOOLONG)', async () => {
    expect(await usageError(['events', 'export', '--output', 'x'.repeat(300)], { json: false })).toMatch(/^--output is too long for a path \(300 characters\)/);
    expect(await usageError(['webhooks', 'sign', '--secret', `whsec_${Buffer.alloc(32, 1).toString('base64')}`, '--payload-file', `${'d/'.repeat(2100)}f`])).toMatch(/^--payload-file is too long for a path/);
  });

  it('an --output that names a folder (was an uncaught EISDIR crash)', async () => {
    const folder = path.dirname(home);
    expect(await usageError(['events', 'export', '--output', folder], { json: false })).toBe(`--output ${JSON.stringify(folder)} is a folder; give a file name.`);
    expect(await usageError(['replay', '--last', '1h', '--output', folder])).toBe(`--output ${JSON.stringify(folder)} is a folder; give a file name.`);
  });

  it('an empty value is refused, never read as "no filter"', async () => {
    expect(await usageError(['events', 'list', '--mailbox='])).toBe('--mailbox is empty: give a value, or leave it out.');
    expect(await usageError(['events', 'list', '--events='])).toBe('--events is empty: give a value, or leave it out.');
  });

  it('an empty argument is refused: `logout ""` does not log out the only mailbox', async () => {
    expect(await usageError(['logout', ''])).toBe('The MAILBOX argument is empty: give a value, or leave it out.');
    const mailboxes = parseJson<Array<{ emailAddress: string }>>((await runCli(['mailboxes', '--json'], { home, env, timeoutMs: 60_000 })).stdout);
    expect(mailboxes.map((mailbox) => mailbox.emailAddress)).toEqual(['flags@mailmon.test']);
  });

  it('garbage in a checked text flag names the flag', async () => {
    expect(await usageError(['events', 'list', '--events', 'abc'])).toMatch(/^--events: Unknown event type "abc"/);
    expect(await usageError(['events', 'list', '--since', 'abc'])).toMatch(/--since/);
    expect(await usageError(['fixtures', 'status', '--server', 'abc'])).toBe('--server must be an http:// or https:// URL, not "abc".');
  });
});
