/**
 * listen and replay when the app is down or refuses, through the built CLI with a real receiver
 * on 127.0.0.1: a restart resends at most what was in flight however far one stuck thread holds
 * the cursor back, and a final 4xx is the app's answer — reported at once, counted, not retried.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/sqlite/database.js';
import { EventLog } from '../../src/adapters/sqlite/event-log.js';
import { parseJsonLines, runCli, startCli, tempHome } from '../support/cli.js';
import { startServer, type TestServer } from '../support/http-server.js';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const env = { MAILMON_WEBHOOK_SECRET: SECRET, MAILMON_LISTEN_RETRY_SCHEDULE: '50ms' };
const MAILBOX = { id: 'mbx_01outageoutageoutageoutage', emailAddress: 'dev@mailmon.test' };

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh home (created by the CLI). */
async function newHome(): Promise<string> {
  const home = tempHome('mailmon-listen-outage-');
  expect((await runCli(['events', 'list', '--json'], { home, env })).exitCode).toBe(0);
  return home;
}

/** Appends `count` message.created events numbered from `first`; event i belongs to thread `threadOf(i)`. Returns their ids. */
function appendEvents(home: string, first: number, count: number, threadOf: (index: number) => string): string[] {
  const store = openDatabase(path.join(home, 'mailmon.db'));
  try {
    const drafts = Array.from({ length: count }, (_, offset) => {
      const index = first + offset;
      const thread = threadOf(index);
      return { id: `evt_outage${String(index).padStart(16, '0')}`, type: 'message.created' as const, orderingKey: `${MAILBOX.id}:thread:${thread}`, data: { threadId: thread, subject: `message ${index}` } };
    });
    store.sqlite.transaction(() => new EventLog(store.sqlite).append(drafts, MAILBOX, Date.now())).immediate();
    return drafts.map((draft) => draft.id);
  } finally {
    store.close();
  }
}

function threadOf(body: string): string {
  return (JSON.parse(body) as { data: { threadId: string } }).data.threadId;
}

/** A receiver whose `answer` gives each request's status, at once or later (a promise). */
async function receiver(answer: (body: string) => number | Promise<number>): Promise<TestServer & { accepted: Map<string, number> }> {
  const accepted = new Map<string, number>();
  const server = await startServer((request, response) => {
    void Promise.resolve(answer(request.body)).then((status) => {
      const id = String(request.headers['x-mailmon-event-id']);
      if (status >= 200 && status < 300) accepted.set(id, (accepted.get(id) ?? 0) + 1);
      // A little latency so several requests are really in flight when listen is killed.
      setTimeout(() => response.writeHead(status).end(status >= 400 ? `no, status ${status}` : 'ok'), 2);
    });
  });
  cleanups.push(() => server.close());
  return Object.assign(server, { accepted });
}

function exited(child: ReturnType<typeof startCli>): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));
}

describe('listen restart with one stuck thread', () => {
  it('after SIGKILL resends at most --max-in-flight events the app already accepted, and delivers everything', async () => {
    const MAX_IN_FLIGHT = 8;
    // Event 0 opens the stuck thread (so the cursor stays before it); every 10th event joins it.
    const layout = (index: number) => (index % 10 === 0 ? 'stuck' : `t${index % 37}`);
    const home = await newHome();
    const ids = appendEvents(home, 0, 400, layout);
    let stuckAnswers = 500;
    let listen: ReturnType<typeof startCli> | null = null;
    let killAtAccepted: number | null = null;
    const rx = await receiver((body) => {
      if (threadOf(body) === 'stuck') return stuckAnswers;
      // SIGKILL from inside the receiver at an exact point mid-stream, with requests in flight.
      if (killAtAccepted !== null && rx.accepted.size >= killAtAccepted) {
        listen?.kill('SIGKILL');
        killAtAccepted = null;
      }
      return 200;
    });
    const start = () => {
      const child = startCli(['listen', '--forward-to', `${rx.url}/hook`, '--from-start', '--no-sync', '--max-in-flight', String(MAX_IN_FLIGHT), '--json'], { home, env });
      cleanups.push(() => child.kill('SIGKILL'));
      listen = child;
      return child;
    };
    const resume = () => {
      const child = startCli(['listen', '--forward-to', `${rx.url}/hook`, '--no-sync', '--max-in-flight', String(MAX_IN_FLIGHT), '--json'], { home, env });
      cleanups.push(() => child.kill('SIGKILL'));
      listen = child;
      return child;
    };
    const waitUntil = async (what: string, condition: () => boolean) => {
      const deadline = Date.now() + 30_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting until ${what} (${rx.accepted.size} accepted)`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const notStuck = (list: string[]) => list.filter((_, index) => index % 10 !== 0);

    // 1. The case: the stuck thread fails while every other event is accepted; SIGKILL.
    let child = start();
    await waitUntil('every other event was accepted', () => notStuck(ids).every((id) => rx.accepted.has(id)));
    child.kill('SIGKILL');
    await exited(child);
    // 2. More events while it was down; restarted (still stuck) and killed mid-stream.
    const more = appendEvents(home, 400, 300, layout);
    killAtAccepted = rx.accepted.size + 100;
    child = resume();
    expect(await exited(child)).toBe(null); // killed by the receiver
    expect(rx.accepted.size).toBeLessThan(notStuck([...ids, ...more]).length);
    // 3. Restarted once more, and now the app accepts the stuck thread too: everything arrives.
    stuckAnswers = 200;
    child = resume();
    await waitUntil('every event was accepted', () => [...ids, ...more].every((id) => rx.accepted.has(id)));
    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);

    // Two kills: each may resend what was in flight at that moment, nothing more.
    const resent = [...rx.accepted.entries()].filter(([, count]) => count > 1);
    expect(resent.reduce((sum, [, count]) => sum + count - 1, 0), `resent: ${resent.length} events`).toBeLessThanOrEqual(2 * MAX_IN_FLIGHT);
  }, 60_000);
});

interface DeliveryLine {
  type: string;
  id: string;
  attempt: number;
  status: number | null;
  verdict: string;
  gaveUp: boolean;
  nextAttemptInMs: number | null;
  responseBody?: string;
}

describe('a 4xx from the app is its final answer', () => {
  // A retry schedule of an hour: any retry of a rejected event would hang the command.
  const slowRetries = { ...env, MAILMON_LISTEN_RETRY_SCHEDULE: '1h' };

  it('listen reports it at once with the response body, counts it, moves on, and does not send it again', async () => {
    const home = await newHome();
    const ids = appendEvents(home, 0, 60, (index) => (index % 6 === 0 ? 'bad' : `t${index % 5}`));
    const bad = ids.filter((_, index) => index % 6 === 0);
    // The rejected events are one thread, as long as each accepted one: the app holds its 200s
    // until it has refused them all, or --exit-after could be reached (and the last rejection,
    // still in flight, cut off) first.
    let refused = 0;
    let allRefused: () => void = () => undefined;
    const refusedAll = new Promise<void>((resolve) => (allRefused = resolve));
    const rx = await receiver(async (body) => {
      if (threadOf(body) !== 'bad') return await refusedAll.then(() => 200);
      if (++refused === bad.length) allRefused();
      return 422;
    });
    const listen = startCli(['listen', '--forward-to', `${rx.url}/hook`, '--from-start', '--no-sync', '--exit-after', String(ids.length - bad.length), '--timeout', '30', '--show-response', '--json'], { home, env: slowRetries });
    cleanups.push(() => listen.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    listen.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    listen.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await exited(listen);
    const lines = parseJsonLines<DeliveryLine & { rejected?: number; delivered?: number }>(stdout);
    expect(lines[0].type).toBe('ready');
    const rejections = lines.filter((line) => line.type === 'delivery' && line.status === 422);
    expect(rejections.map((line) => line.id).sort()).toEqual([...bad].sort()); // one attempt each
    expect(rejections.every((line) => line.verdict === 'rejected' && line.gaveUp && line.nextAttemptInMs === null && line.responseBody === 'no, status 422')).toBe(true);
    expect(lines.at(-2)).toMatchObject({ type: 'summary', delivered: ids.length - bad.length, rejected: bad.length, pending: 0 });
    // CI mode: not everything was delivered, so it fails — saying the app answered, not that it is down.
    expect(code).toBe(10);
    expect(lines.at(-1)).toMatchObject({ error: { code: 'delivery_failed' } });
    expect(stdout).toMatch(/answered HTTP 422 \(rejected\)/);
    expect(stdout).not.toMatch(/check that your app is up/);
    // The cursor moved past the rejected events: a restart does not send them again.
    const store = openDatabase(path.join(home, 'mailmon.db'));
    const cursor = store.sqlite.prepare('select last_sequence as last from consumers').get() as { last: number };
    store.close();
    expect(cursor.last).toBe(ids.length);
    expect(stderr).toMatch(/Ready!/);
  }, 60_000);

  it('replay fails fast with a count and the app\'s answer; --max-attempts still bounds retryable failures', async () => {
    const home = await newHome();
    const ids = appendEvents(home, 0, 20, (index) => `t${index % 4}`);
    const rejecting = await receiver(() => 400);
    const started = Date.now();
    const rejected = await runCli(['replay', '--last', '1h', '--forward-to', `${rejecting.url}/hook`, '--max-attempts', '5', '--show-response', '--json'], { home, env: slowRetries, timeoutMs: 30_000 });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(rejected.exitCode).toBe(10);
    expect(rejecting.requests).toHaveLength(ids.length); // one attempt each
    const lines = parseJsonLines<DeliveryLine & { sent?: number; rejected?: number; failed?: number; error?: { message: string; hint: string } }>(rejected.stdout);
    expect(lines.filter((line) => line.type === 'delivery').every((line) => line.verdict === 'rejected' && line.responseBody === 'no, status 400')).toBe(true);
    expect(lines.find((line) => line.type === 'summary')).toMatchObject({ sent: 0, rejected: ids.length, failed: 0 });
    expect(lines.at(-1)?.error?.hint).toMatch(/answered HTTP 400 \(rejected\)/);

    // 503 (and 408/409/425/429) may pass: retried, but only --max-attempts times.
    const failing = await receiver(() => 503);
    const retried = await runCli(['replay', '--last', '1h', '--forward-to', `${failing.url}/hook`, '--max-attempts', '2'], { home, env });
    expect(retried.exitCode).toBe(10);
    expect(failing.requests).toHaveLength(2 * ids.length);
    expect(retried.stderr).toMatch(/20 failed/);
    expect(retried.stderr).toMatch(/answered HTTP 503 \(rejected\)/);

    // Nothing listening: "unreachable", told apart from an answer.
    const port = failing.port;
    await failing.close();
    const unreachable = await runCli(['replay', '--last', '1h', '--forward-to', `http://127.0.0.1:${port}/hook`, '--max-attempts', '1'], { home, env });
    expect(unreachable.exitCode).toBe(10);
    expect(unreachable.stderr).toMatch(/Nothing answered at .*check that your app is up/);
  }, 60_000);
});

describe('listen that saw no event', () => {
  it('does not claim undelivered events are kept when none arrived; it says what "from now" means', async () => {
    const home = await newHome();
    appendEvents(home, 0, 3, () => 'old'); // committed before listen started: not forwarded
    const rx = await receiver(() => 200);
    const result = await runCli(['listen', '--forward-to', `${rx.url}/hook`, '--no-sync', '--exit-after', '1', '--timeout', '1'], { home, env });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/Timed out after 1s with 0 delivered, 0 undelivered \(--exit-after 1 not reached\)/);
    expect(result.stderr).not.toMatch(/kept/);
    expect(result.stderr).toMatch(/forwards events committed after it started/);
    expect(rx.requests).toHaveLength(0);
  }, 30_000);
});
