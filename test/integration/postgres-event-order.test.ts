/**
 * The PostgreSQL event log is gap-free for readers under concurrent writers: many writers on
 * their own pools (as on many machines) commit sync commits and status changes on different
 * mailboxes at once, while a reader follows the log with readAfter up to head(). The reader must
 * see every committed event exactly once, in consecutive sequences. Without the append's
 * advisory lock (pg-event-log.ts) concurrent appenders pick the same sequence and fail.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgres, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { postgresStorage, type PostgresStorage } from '../../src/adapters/postgres/postgres-storage.js';
import type { MessageState } from '../../src/core/message-state.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const WRITERS = 8;
const COMMITS = 25;

let database: TestDatabase;
const pools: PostgresStore[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const pool of pools) await pool.close();
  await database?.drop();
});

async function connect(): Promise<PostgresStorage> {
  const store = await openPostgres(database.url, { poolSize: 2 });
  pools.push(store);
  return postgresStorage(store);
}

function message(id: string, threadId: string): MessageState {
  return {
    providerMessageId: id, providerThreadId: threadId, labelIds: ['INBOX'], subject: id, from: null, to: [], cc: [], dateHeader: null, messageIdHeader: null,
    inReplyTo: null, references: null, snippet: id, internalDate: 1_000, sizeEstimate: 1, historyId: '1', attachmentCount: 0, attachmentNames: [],
  };
}

/** One writer: sync commits of new threads on its own mailbox, every fifth commit a status change too. */
async function writer(storage: PostgresStorage, index: number): Promise<string[]> {
  const mailbox = { id: `mbx_${index}`, emailAddress: `w${index}@example.com` };
  await storage.mailboxes.insert({ ...mailbox, name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1_000);
  const epoch = await storage.mailboxes.bumpLeaseEpoch(mailbox.id);
  const written: string[] = [];
  let n = 0;
  for (let commit = 0; commit < COMMITS; commit++) {
    const thread = `t${index}_${commit}`;
    const result = await storage.syncCommit.commit({ mailbox, epoch, emitEvents: true, now: 2_000 + commit, remote: [{ kind: 'present', state: message(`${thread}_a`, thread) }, { kind: 'present', state: message(`${thread}_b`, thread) }] });
    written.push(...result.events.map((event) => event.id));
    if (commit % 5 === 0) {
      const status = commit % 10 === 0 ? 'paused' : 'active';
      const deps = { now: 3_000 + commit, newEventId: () => `evt_status_${index}_${++n}` };
      if (await storage.mailboxes.setStatus(mailbox.id, status, null, deps)) written.push(`evt_status_${index}_${n}`);
    }
  }
  return written;
}

/** Follows the log up to head() until `done` and caught up; fails at the first gap or repeat. */
async function follow(storage: PostgresStorage, done: () => boolean): Promise<string[]> {
  const seen: string[] = [];
  let last = 0;
  for (;;) {
    const finished = done();
    const head = await storage.events.head();
    while (last < head) {
      const page = await storage.events.readAfter(last, 200, { maxSequence: head });
      for (const event of page) {
        if (event.sequence !== last + 1) throw new Error(`the reader skipped from ${last} to ${event.sequence}`);
        last = event.sequence;
        seen.push(event.id);
      }
      if (page.length === 0) throw new Error(`head() was ${head} but nothing after ${last} is readable`);
    }
    if (finished) return seen;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

it('many concurrent writers on their own pools; a reader following head() sees every event exactly once, without a gap', async () => {
  const storages = await Promise.all(Array.from({ length: WRITERS + 1 }, () => connect()));
  let finished = false;
  const writing = Promise.all(storages.slice(1).map((storage, index) => writer(storage, index))).finally(() => {
    finished = true;
  });
  const [written, seen] = await Promise.all([writing, follow(storages[0], () => finished)]);
  const all = written.flat();
  expect(all.length).toBe(WRITERS * (COMMITS * 3 + 5));
  expect(seen.length).toBe(all.length);
  expect(new Set(seen).size).toBe(seen.length);
  expect(new Set(seen)).toEqual(new Set(all));
});
