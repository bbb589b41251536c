/**
 * `mailmon tail` follows the log: a burst larger than one read (12,000 events in one commit)
 * is printed in full, every event once, in sequence order — woken by the commit itself, with
 * nothing calling notify by hand.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openDatabase, type SqliteStore } from '../../src/adapters/sqlite/database.js';
import { EventLog } from '../../src/adapters/sqlite/event-log.js';
import { sqliteStorage } from '../../src/adapters/sqlite/sqlite-storage.js';
import { tailEvents } from '../../src/app/tail.js';

const MAILBOX = { id: 'mbx_01tailtailtailtailtailtailta', emailAddress: 'dev@mailmon.test' };
let store: SqliteStore;
afterEach(() => store?.close());

it('prints every event of a 12,000-event burst once, in order', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-tail-'));
  store = openDatabase(path.join(dir, 'mailmon.db'));
  const stop = new AbortController();
  const seen: number[] = [];
  const following = (async () => {
    for await (const event of tailEvents(sqliteStorage(store), { last: 0, filter: {}, signal: stop.signal })) {
      seen.push(event.sequence);
      if (seen.length === 12_000) stop.abort();
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const drafts = Array.from({ length: 12_000 }, (_, index) => ({ id: `evt_t${index}`, type: 'message.created' as const, orderingKey: `${MAILBOX.id}:thread:t${index % 7}`, data: {} }));
  store.sqlite.transaction(() => new EventLog(store.sqlite).append(drafts, MAILBOX, Date.now()))();
  await Promise.race([following, new Promise((resolve) => setTimeout(resolve, 3000))]);
  stop.abort();
  await following;
  expect(seen.length).toBe(12_000);
  expect(seen).toEqual(Array.from({ length: 12_000 }, (_, index) => index + 1));
});
