/**
 * The SQLite change notifier's watch on the WAL file: once it has seen the WAL written, an idle
 * wait polls `PRAGMA data_version` only at the slow pace, and a commit on another connection (as
 * by another process: nothing signals in this process) still wakes it within ~100 ms, also after
 * the WAL file was removed and created again. Until the watch has shown it works, the fallback
 * poll keeps its fast idle pace.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase, type SqliteStore } from '../../src/adapters/sqlite/database.js';
import { sqliteChangeNotifier } from '../../src/adapters/sqlite/sqlite-change-notifier.js';
import { countingPolls } from '../support/counting-polls.js';

let dir: string;
let stores: SqliteStore[];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-walwatch-'));
  stores = [openDatabase(path.join(dir, 'mailmon.db')), openDatabase(path.join(dir, 'mailmon.db'))];
  stores[1]!.sqlite.exec('create table if not exists poke (at real)');
});
afterEach(() => {
  for (const store of stores) store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A commit by the other connection, with raw SQL: no in-process signal, only the file changes. */
function commitElsewhere(): number {
  stores[1]!.sqlite.prepare('insert into poke (at) values (?)').run(Date.now());
  return performance.now();
}

/** Waits for a change, commits on the other connection after `afterMs`, and returns how long the wake-up took. */
async function wakeLatency(notifier: ReturnType<typeof sqliteChangeNotifier>, afterMs: number): Promise<number> {
  const woken = notifier.waitForChange(await notifier.mark(), 10_000).then(() => performance.now());
  await sleep(afterMs);
  const committed = commitElsewhere();
  return (await woken) - committed;
}

it('once the watch has seen the WAL written, an idle wait polls only at the slow pace', async () => {
  const { sqlite, polls } = countingPolls(stores[0]!.sqlite);
  const notifier = sqliteChangeNotifier(sqlite, 5, 50, 0, 1_000);
  await wakeLatency(notifier, 50);
  const started = performance.now();
  await notifier.waitForChange(await notifier.mark(), 1_600);
  // At the 50-ms fallback pace this second would hold ~20 polls; at the slow pace one or two.
  expect(polls.filter((at) => at - started > 500 && at - started <= 1_500).length).toBeLessThanOrEqual(3);
});

it('at the slow pace, a commit by another connection still wakes a waiter within ~100 ms', async () => {
  const notifier = sqliteChangeNotifier(stores[0]!.sqlite, 5, 50, 0, 2_000);
  await wakeLatency(notifier, 50);
  for (let round = 0; round < 3; round++) expect(await wakeLatency(notifier, 400)).toBeLessThan(100);
});

it('after the WAL file is removed and created again, a commit by another connection still wakes within ~100 ms', async () => {
  const notifier = sqliteChangeNotifier(stores[0]!.sqlite, 5, 50, 0, 2_000);
  await wakeLatency(notifier, 50);
  // Leaving WAL mode (alone on the file) checkpoints and deletes the WAL file; going back creates a new one.
  stores[1]!.close();
  stores[0]!.sqlite.pragma('journal_mode = DELETE');
  expect(fs.existsSync(path.join(dir, 'mailmon.db-wal'))).toBe(false);
  stores[0]!.sqlite.pragma('journal_mode = WAL');
  stores[1] = openDatabase(path.join(dir, 'mailmon.db'));
  await wakeLatency(notifier, 50);
  for (let round = 0; round < 2; round++) expect(await wakeLatency(notifier, 400)).toBeLessThan(100);
});

it('until the watch has seen a write, an idle wait keeps the fast fallback pace', async () => {
  const { sqlite, polls } = countingPolls(stores[0]!.sqlite);
  const notifier = sqliteChangeNotifier(sqlite, 5, 50, 0, 1_000);
  const started = performance.now();
  await notifier.waitForChange(await notifier.mark(), 1_600);
  expect(polls.filter((at) => at - started > 500 && at - started <= 1_500).length).toBeGreaterThan(10);
});
