/**
 * listen / replay / tail / events export through the built CLI, with the fixture Gmail server
 * and a receiver on 127.0.0.1 that checks every request with the exported verifySignature AND
 * the Standard Webhooks scheme (the outside world's judge).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { verifySignature } from '../../src/index.js';
import type { MailmonEvent } from '../../src/core/events.js';
import { parseJson, parseJsonLines, runCli, startCli, tempHome, waitForLine } from '../support/cli.js';
import { closedPort, startServer, type TestServer } from '../support/http-server.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000', MAILMON_WEBHOOK_SECRET: SECRET, MAILMON_LISTEN_RETRY_SCHEDULE: '100ms,200ms,300ms' };

let server: FixtureServer;
let home: string;

beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 5, mailboxes: [{ generate: { messages: 40, seed: 5 } }] });
  home = tempHome('mailmon-events-out-');
  expect((await runCli(['login', '--fixture', server.url], { home, env })).exitCode).toBe(0);
  expect((await runCli(['sync'], { home, env })).exitCode).toBe(0);
});
afterAll(async () => server?.close());

interface Receiver extends TestServer {
  verified: number;
  rejected: string[];
  firstArrival: Map<string, number>;
}

/** A receiver that fails the first `failFirst` requests with 500, then answers 200. */
async function receiver(failFirst = 0): Promise<Receiver> {
  let seen = 0;
  const state = { verified: 0, rejected: [] as string[], firstArrival: new Map<string, number>() };
  const wh = new Webhook(SECRET);
  const test = await startServer((request, response) => {
    seen += 1;
    try {
      verifySignature({ payload: request.body, header: String(request.headers['x-mailmon-signature']), secret: SECRET });
      wh.verify(request.body, { 'webhook-id': String(request.headers['webhook-id']), 'webhook-timestamp': String(request.headers['webhook-timestamp']), 'webhook-signature': String(request.headers['webhook-signature']) });
      state.verified += 1;
    } catch (error) {
      state.rejected.push(String(error));
    }
    const ok = seen > failFirst;
    const id = String(request.headers['x-mailmon-event-id']);
    if (ok && !state.firstArrival.has(id)) state.firstArrival.set(id, state.firstArrival.size);
    response.writeHead(ok ? 200 : 500).end(ok ? 'ok' : 'not yet');
  });
  return Object.assign(test, state, { get verified() { return state.verified; } }) as Receiver;
}

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function allEvents(): Promise<MailmonEvent[]> {
  return parseJson<MailmonEvent[]>((await runCli(['events', 'list', '--limit', '100000', '--json'], { home, env })).stdout);
}

function delivered(rx: Receiver): Set<string> {
  return new Set(rx.requests.map((request) => String(request.headers['x-mailmon-event-id'])));
}

/** Waits until at least `min` events after `after` exist and each was answered 2xx by the receiver. */
async function waitForDelivery(rx: Receiver, after: number, min: number, timeoutMs = 30_000): Promise<MailmonEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const expected = (await allEvents()).filter((event) => event.sequence > after);
    if (expected.length >= min && expected.every((event) => rx.firstArrival.has(event.id))) return expected;
    if (Date.now() > deadline) throw new Error(`delivered ${expected.filter((event) => rx.firstArrival.has(event.id)).length} of ${expected.length} (wanted ≥ ${min})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('listen --forward-to', () => {
  it('delivers every event through a failing app, in order per thread, signed for both schemes; survives SIGKILL', async () => {
    const rx = await receiver(6);
    const startSequence = (await allEvents()).at(-1)?.sequence ?? 0;
    let listen = startCli(['listen', '--forward-to', `${rx.url}/hook`, '--from-now', '--poll-interval', '200ms', '--json'], { home, env });
    await waitForLine(listen, 'stderr', (line) => line.startsWith('Ready! Forwarding to'));
    const first = await server.control.send({ subject: 'thread A, first' });
    await server.control.send({ subject: 'thread A, reply', threadId: first.threadId });
    await server.control.send({ subject: 'thread B' });
    await server.control.modify({ id: first.id, addLabelIds: ['STARRED'] });
    // 3 messages in 2 threads (+ a star, which may collapse into a created state): ≥ 5 events.
    const expected = await waitForDelivery(rx, startSequence, 5);
    expect(expected.length).toBeGreaterThanOrEqual(5);

    // Per-thread order: within each ordering key, first successful arrivals follow sequence order.
    const byKey = new Map<string, MailmonEvent[]>();
    for (const event of expected) {
      const key = 'providerThreadId' in event.data ? String(event.data.providerThreadId) : 'mailbox';
      byKey.set(key, [...(byKey.get(key) ?? []), event]);
    }
    for (const events of byKey.values()) {
      const arrivals = events.map((event) => rx.firstArrival.get(event.id)!);
      expect(arrivals).toEqual([...arrivals].sort((a, b) => a - b));
    }
    expect(rx.rejected).toEqual([]);
    // Duplicates only as retries of the same event id; every listen stdout line is JSON.
    const records = parseJsonLines<{ type: string; id: string; attempt?: number }>(await stopAndCollect(listen));
    expect(records.filter((record) => record.type === 'delivery' && record.attempt! > 1).length).toBeGreaterThan(0);

    // SIGKILL mid-stream, more changes, restart: nothing is missing.
    const rx2Before = rx.requests.length;
    listen = startCli(['listen', '--forward-to', `${rx.url}/hook`, '--poll-interval', '200ms'], { home, env });
    await waitForLine(listen, 'stderr', (line) => line.startsWith('Ready!'));
    for (let i = 0; i < 5; i++) await server.control.send({ subject: `burst ${i}` });
    await waitFor(() => rx.requests.length > rx2Before);
    listen.kill('SIGKILL');
    await new Promise((resolve) => listen.on('exit', resolve));
    for (let i = 0; i < 3; i++) await server.control.send({ subject: `while listen was down ${i}` });
    expect((await runCli(['sync'], { home, env })).exitCode).toBe(0);
    listen = startCli(['listen', '--forward-to', `${rx.url}/hook`, '--no-sync'], { home, env });
    await waitForLine(listen, 'stderr', (line) => line.startsWith('Ready!'));
    const everything = (await allEvents()).filter((event) => event.sequence > startSequence);
    await waitFor(() => everything.every((event) => delivered(rx).has(event.id)));
    await stopAndCollect(listen);
    await rx.close();
  }, 120_000);

  it('gives one clear line for a bad URL and for a port nobody listens on (it keeps retrying, never drops)', async () => {
    const bad = await runCli(['listen', '--forward-to', 'ftp://example.com/hook', '--no-sync'], { home, env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split('\n').filter(Boolean)).toHaveLength(2);
    expect(bad.stderr).toMatch(/^Error: .*ftp:/);
    const port = await closedPort();
    const refused = await runCli(['listen', '--forward-to', `http://127.0.0.1:${port}/hook`, '--no-sync', '--from-start', '--timeout', '2', '--json'], { home, env });
    expect(refused.exitCode).not.toBe(0);
    const records = parseJsonLines<{ type: string; errorClass?: string }>(refused.stdout.split('\n').filter((line) => line.startsWith('{"type"')).join('\n'));
    expect(records.some((record) => record.type === 'delivery' && record.errorClass === 'connection_refused')).toBe(true);
  }, 60_000);
});

async function stopAndCollect(child: ReturnType<typeof startCli>): Promise<string> {
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(0);
  return stdout;
}

describe('replay, export and tail', () => {
  it('replay --last 1h sends exactly that window with the same ids, and leaves every cursor alone', async () => {
    const rx = await receiver();
    const db = () => new Database(path.join(home, 'mailmon.db'), { readonly: true });
    const snapshot = () => {
      const d = db();
      const rows = { consumers: d.prepare('select name, last_sequence from consumers order by name').all(), cursor: d.prepare('select history_id from mailboxes').all() };
      d.close();
      return rows;
    };
    const before = snapshot();
    const window = await allEvents();
    const result = await runCli(['replay', '--last', '1h', '--forward-to', `${rx.url}/replay`, '--json'], { home, env });
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = parseJsonLines<{ type: string; sent?: number }>(result.stdout);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', sent: window.length, failed: 0 });
    expect([...delivered(rx)].sort()).toEqual(window.map((event) => event.id).sort());
    expect(rx.rejected).toEqual([]);
    const stored = db();
    const bodies = (stored.prepare('select body from events order by sequence').all() as Array<{ body: string }>).map((row) => row.body);
    stored.close();
    expect(rx.requests.map((request) => request.body).sort()).toEqual(bodies.sort()); // exactly the stored bytes
    expect(snapshot()).toEqual(before);
    await rx.close();
  }, 60_000);

  it('replay --endpoint re-sends a window to a registered endpoint, signed with its own secret', async () => {
    const rx = await startServer((_request, response) => response.writeHead(200).end());
    const added = await runCli(['webhooks', 'add', `${rx.url}/endpoint`, '--skip-verification', '--json'], { home, env });
    expect(added.exitCode, added.stderr).toBe(0);
    const { id, secret } = parseJson<{ id: string; secret: string }>(added.stdout);
    const result = await runCli(['replay', '--last', '1h', '--events', 'message.*', '--endpoint', id, '--json'], { home, env });
    expect(result.exitCode, result.stderr).toBe(0);
    const expected = (await allEvents()).filter((event) => event.type.startsWith('message.'));
    const replayed = rx.requests.filter((request) => request.url === '/endpoint');
    expect(replayed.map((request) => String(request.headers['x-mailmon-event-id'])).sort()).toEqual(expected.map((event) => event.id).sort());
    for (const request of replayed) expect(verifySignature({ payload: request.body, header: String(request.headers['x-mailmon-signature']), secret })).toBe(true);
    expect((await runCli(['webhooks', 'remove', id, '--yes'], { home, env })).exitCode).toBe(0);
    await rx.close();
  }, 60_000);

  it('events export writes what replay --file sends byte for byte', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-export-')), 'events.jsonl');
    const exported = await runCli(['events', 'export', '--last', '1h', '--events', 'message.*', '--output', file], { home, env });
    expect(exported.exitCode, exported.stderr).toBe(0);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line).type).toMatch(/^message\./);
    const rx = await receiver();
    const replayed = await runCli(['replay', '--file', file, '--forward-to', `${rx.url}/file`], { home, env });
    expect(replayed.exitCode, replayed.stderr).toBe(0);
    expect(rx.requests.map((request) => request.body).sort()).toEqual([...lines].sort());
    await rx.close();
  }, 60_000);

  it('tail --json prints the last N events as NDJSON, then new ones live', async () => {
    const tail = startCli(['tail', '--last', '3', '--json'], { home, env });
    const lines: string[] = [];
    tail.stdout.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
    await waitFor(() => lines.length >= 3);
    await server.control.send({ subject: 'seen by tail' });
    expect((await runCli(['sync'], { home, env })).exitCode).toBe(0);
    await waitFor(() => lines.some((line) => line.includes('seen by tail')));
    tail.kill('SIGINT');
    await new Promise((resolve) => tail.on('exit', resolve));
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  }, 60_000);

  it('bad durations, missing targets and unreachable receivers each get one clear line', async () => {
    const duration = await runCli(['replay', '--last', '5x', '--dry-run'], { home, env });
    expect(duration.exitCode).toBe(2);
    expect(duration.stderr).toMatch(/Invalid --last "5x"\.\n→ Use a number with a unit/);
    const noTarget = await runCli(['replay', '--last', '1h'], { home, env });
    expect(noTarget.stderr).toMatch(/Say where to replay to/);
    const port = await closedPort();
    const unreachable = await runCli(['replay', '--last', '1h', '--forward-to', `http://127.0.0.1:${port}/`, '--max-attempts', '1'], { home, env });
    expect(unreachable.exitCode).toBe(10);
    expect(unreachable.stderr).toMatch(/could not be delivered/);
  }, 60_000);
});
