/**
 * The SQLite change notifier polls `PRAGMA data_version` fast only while something happens: a
 * wait with no change for a second slows to the idle pace (an idle daemon waits for minutes), a
 * process whose waits keep timing out stays there, a new wait while changes are coming polls fast
 * again, and a commit by another connection still wakes it well within the port's promise.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase, type SqliteStore } from '../../src/adapters/sqlite/database.js';
import { sqliteChangeNotifier } from '../../src/adapters/sqlite/sqlite-change-notifier.js';
import { sqliteStorage } from '../../src/adapters/sqlite/sqlite-storage.js';
import { countingPolls } from '../support/counting-polls.js';

let dir: string;
let stores: SqliteStore[];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-pacing-'));
  stores = [openDatabase(path.join(dir, 'mailmon.db')), openDatabase(path.join(dir, 'mailmon.db'))];
});
afterEach(() => {
  for (const store of stores) store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('slows to the idle pace once quiet, and another connection still wakes it promptly', async () => {
  const { sqlite, polls } = countingPolls(stores[0]!.sqlite);
  const notifier = sqliteChangeNotifier(sqlite);
  const mark = await notifier.mark();
  const started = performance.now();
  const woken = notifier.waitForChange(mark, 10_000).then(() => performance.now());
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  // At 5 ms this second would hold ~200 polls; at the idle pace ~20.
  const idleSecond = polls.filter((at) => at - started > 1_000 && at - started <= 2_000).length;
  expect(idleSecond).toBeLessThan(60);
  const committed = performance.now();
  await sqliteStorage(stores[1]!).mailboxes.insert({ id: 'mbx_a', emailAddress: 'a@example.com', name: null, gmailApiUrl: 'http://127.0.0.1:1/gmail/v1', oauthUrl: 'http://127.0.0.1:1/oauth', scope: 'https://www.googleapis.com/auth/gmail.readonly' }, 1_000);
  expect((await woken) - committed).toBeLessThan(100);
});

/** Polls in the second after `body` starts, while it runs. */
async function pollsDuring(polls: number[], body: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await body();
  return polls.filter((at) => at > started && at <= started + 1_000).length;
}

/** One second of short waits that time out, each with a fresh mark (a worker's safety poll). */
async function shortWaits(notifier: ReturnType<typeof sqliteChangeNotifier>): Promise<void> {
  const until = performance.now() + 1_000;
  while (performance.now() < until) await notifier.waitForChange(await notifier.mark(), 100);
}

it('an idle process whose waits keep timing out stays at the idle pace', async () => {
  const { sqlite, polls } = countingPolls(stores[0]!.sqlite);
  const notifier = sqliteChangeNotifier(sqlite, 5, 50, 300);
  await notifier.waitForChange(await notifier.mark(), 600);
  // Re-arming the fast pace at every new wait would poll ~200 times in this second; idle, ~20.
  expect(await pollsDuring(polls, () => shortWaits(notifier))).toBeLessThan(60);
});

it('a new notifier whose waits keep timing out is idle-paced after its first moment, not for its first seconds', async () => {
  const { sqlite, polls } = countingPolls(stores[0]!.sqlite);
  // The default "following" window (10 s): a new daemon's workers re-wait every second from the start.
  const notifier = sqliteChangeNotifier(sqlite);
  await notifier.waitForChange(await notifier.mark(), 400);
  // Fast-paced this second would hold ~200 polls; idle-paced, ~20.
  expect(await pollsDuring(polls, () => shortWaits(notifier))).toBeLessThan(60);
});

it('while changes are coming, a new wait polls fast again', async () => {
  const { sqlite, polls } = countingPolls(stores[0]!.sqlite);
  const notifier = sqliteChangeNotifier(sqlite, 5, 50, 10_000);
  const woken = notifier.waitForChange(await notifier.mark(), 5_000);
  await new Promise((resolve) => setTimeout(resolve, 400));
  await sqliteStorage(stores[1]!).mailboxes.insert({ id: 'mbx_b', emailAddress: 'b@example.com', name: null, gmailApiUrl: 'http://127.0.0.1:1/gmail/v1', oauthUrl: 'http://127.0.0.1:1/oauth', scope: 'https://www.googleapis.com/auth/gmail.readonly' }, 1_000);
  await woken;
  expect(await pollsDuring(polls, () => shortWaits(notifier))).toBeGreaterThan(60);
});

it('sees a commit on another connection (as by another process) at once, not at the next poll', async () => {
  // Polls far apart: only a write to the WAL seen as it happens can wake the wait in time.
  const notifier = sqliteChangeNotifier(stores[0]!.sqlite, 2_000, 2_000);
  const mark = await notifier.mark();
  const woken = notifier.waitForChange(mark, 10_000).then(() => performance.now());
  await new Promise((resolve) => setTimeout(resolve, 50));
  const committed = performance.now();
  await sqliteStorage(stores[1]!).mailboxes.insert({ id: 'mbx_b', emailAddress: 'b@example.com', name: null, gmailApiUrl: 'http://127.0.0.1:1/gmail/v1', oauthUrl: 'http://127.0.0.1:1/oauth', scope: 'https://www.googleapis.com/auth/gmail.readonly' }, 1_000);
  expect((await woken) - committed).toBeLessThan(500);
});
