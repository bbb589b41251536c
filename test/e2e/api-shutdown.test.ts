/**
 * Shutting down while a client follows `GET /v1/events/stream`: `mailmon api` and the daemon
 * serving the API exit promptly on SIGTERM with code 0, and the client sees its stream end,
 * instead of the process waiting for the client to disconnect.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { parseJson, runCli, startCli, tempHome, waitForLine } from '../support/cli.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000', MAILMON_POLL_INTERVAL: '1h' };

let server: FixtureServer;
let home: string;
let readKey: string;
const children: ChildProcessWithoutNullStreams[] = [];

async function cli(args: string[]) {
  const result = await runCli(args, { home, env });
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 5, mailboxes: [{ generate: { messages: 5, seed: 5 } }] });
  home = tempHome('mailmon-api-shutdown-');
  await cli(['login', '--fixture', server.url]);
  await cli(['sync']);
  readKey = parseJson<{ key: string }>(await cli(['api-keys', 'create', '--scope', 'read', '--json'])).key;
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await server?.close();
});

function start(args: string[]): ChildProcessWithoutNullStreams {
  const child = startCli(args, { home, env });
  children.push(child);
  return child;
}

/** Opens the stream and reads until its first SSE comment; resolves `ended` when the body ends. */
async function openStream(baseUrl: string): Promise<{ ended: Promise<'ended'> }> {
  const response = await fetch(`${baseUrl}/v1/events/stream?after=0`, { headers: { authorization: `Bearer ${readKey}` } });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const first = await reader.read();
  expect(new TextDecoder().decode(first.value)).toContain(': connected');
  const ended = (async () => {
    for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) return 'ended' as const;
  })();
  return { ended };
}

/** SIGTERM, then the exit code, or 'hung' if the process is still running after `withinMs`. */
async function terminate(child: ChildProcessWithoutNullStreams, withinMs: number): Promise<number | string | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('hung'), withinMs))]);
}

const within = <T>(promise: Promise<T>, ms: number) => Promise.race([promise, new Promise<string>((resolve) => setTimeout(() => resolve('still open'), ms))]);

describe('shutdown with an open event stream', () => {
  it('mailmon api exits on SIGTERM with code 0 and ends the stream', async () => {
    const api = start(['api', '--port', '0', '--json']);
    const baseUrl = parseJson<{ url: string }>(await waitForLine(api, 'stdout', (line) => line.includes('"ready"'))).url;
    const stream = await openStream(baseUrl);
    expect(await terminate(api, 5_000)).toBe(0);
    expect(await within(stream.ended, 2_000)).toBe('ended');
  }, 30_000);

  it('the daemon serving the API exits on SIGTERM with code 0 and ends the stream', async () => {
    const daemon = start(['daemon', 'run']);
    await waitForLine(daemon, 'stderr', (line) => line.includes('api listening'), 60_000);
    const status = parseJson<{ api: { url: string } | null }>(await cli(['daemon', 'status', '--json']));
    const stream = await openStream(status.api!.url);
    expect(await terminate(daemon, 5_000)).toBe(0);
    expect(await within(stream.ended, 2_000)).toBe('ended');
  }, 90_000);
});
