/**
 * Where listen starts (openListenConsumer) and what it keeps above its cursor, on a real SQLite store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteStore } from '../../src/adapters/sqlite/database.js';
import { EventLog } from '../../src/adapters/sqlite/event-log.js';
import { sqliteStorage } from '../../src/adapters/sqlite/sqlite-storage.js';
import { openListenConsumer } from '../../src/app/listen.js';

const MAILBOX = { id: 'mbx_01consumerconsumerconsumer', emailAddress: 'dev@mailmon.test' };
const URL = 'http://127.0.0.1:3000/hook';
let store: SqliteStore;

function newStore(): SqliteStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-listen-consumer-'));
  store = openDatabase(path.join(dir, 'mailmon.db'));
  return store;
}
afterEach(() => store?.close());

let counter = 0;
function commit(sqlite: SqliteStore['sqlite'], at: number, thread = 't1'): number {
  const [event] = sqlite.transaction(() => new EventLog(sqlite).append([{ id: `evt_c${counter++}`, type: 'message.created', orderingKey: `${MAILBOX.id}:thread:${thread}`, data: {} }], MAILBOX, at))();
  return event.sequence;
}

describe('openListenConsumer', () => {
  it('"from now" is when the command was invoked: an event committed while it was starting is forwarded', async () => {
    const { sqlite } = newStore();
    const storage = sqliteStorage(store);
    const invokedAt = 1_800_000_000_000;
    const before = commit(sqlite, invokedAt - 1000);
    commit(sqlite, invokedAt + 5); // the daemon committed this while listen was loading
    for (const start of [{ kind: 'now' as const }, { kind: 'resume' as const }]) {
      const consumer = await openListenConsumer(storage, { url: URL, name: `c-${start.kind}`, start, invokedAt, now: () => invokedAt + 300, pid: process.pid });
      expect(consumer.startAfter, start.kind).toBe(before);
      expect(consumer.backlog).toBe(1);
      await consumer.release();
    }
  });

  it('a restart resumes at the cursor and skips what finished above it; moving the consumer forgets those positions', async () => {
    newStore();
    const storage = sqliteStorage(store);
    const { consumers } = storage;
    const now = () => 1_800_000_000_000;
    const first = await openListenConsumer(storage, { url: URL, start: { kind: 'start' }, invokedAt: now(), now, pid: process.pid });
    expect(first.startAfter).toBe(0);
    await consumers.checkpoint(first.name, { watermark: 3, threads: new Map([['a', 9], ['b', 2]]) }, now());
    await first.release();
    const again = await openListenConsumer(storage, { url: URL, start: { kind: 'resume' }, invokedAt: now(), now, pid: process.pid });
    expect(again.startAfter).toBe(3);
    expect([...again.threads]).toEqual([['a', 9]]); // b's position is below the cursor: nothing to keep
    await consumers.checkpoint(again.name, { watermark: 9, threads: new Map() }, now());
    expect((await consumers.threadPositions(again.name)).size).toBe(0);
    await consumers.checkpoint(again.name, { watermark: 9, threads: new Map([['c', 12]]) }, now());
    const moved = await openListenConsumer(storage, { url: URL, start: { kind: 'start' }, invokedAt: now(), now, pid: process.pid });
    expect(moved.startAfter).toBe(0);
    expect(moved.threads.size).toBe(0);
  });
});
