/**
 * The sync commit's message lookups on PostgreSQL probe the index per id, even while the
 * table's statistics are stale, as they are during a mailbox's first full sync (the table grows
 * faster than autovacuum re-analyzes it; here autovacuum is off, so they stay stale). Planned
 * from such statistics, `key = any($2)` scanned every stored message of the mailbox against the
 * list, so each page of a full sync cost more than the last. Every lookup a commit and loadLocal
 * make is run again under EXPLAIN ANALYZE: no scan of `messages` may read rows only to drop them.
 */
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgres, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { postgresStorage } from '../../src/adapters/postgres/postgres-storage.js';
import type { PgHandle } from '../../src/adapters/postgres/pg-transaction.js';
import type { MessageState } from '../../src/core/message-state.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const MAILBOX = { id: 'mbx_lookups', emailAddress: 'lookups@example.com' };
const STORED = 4_000;

let database: TestDatabase;
let store: PostgresStore;

beforeAll(async () => {
  database = await createTestDatabase();
  store = await openPostgres(database.url, { poolSize: 2 });
  await store.pool.query('alter table messages set (autovacuum_enabled = false)');
});
afterAll(async () => {
  await store?.close();
  await database?.drop();
});

function message(index: number): MessageState {
  const id = `m${String(index).padStart(6, '0')}`;
  return {
    providerMessageId: id, providerThreadId: `t${String(Math.floor(index / 2)).padStart(6, '0')}`, labelIds: ['INBOX'], subject: id, from: null, to: [], cc: [], dateHeader: null,
    messageIdHeader: null, inReplyTo: null, references: null, snippet: id, internalDate: index, sizeEstimate: 1, historyId: String(index), attachmentCount: 0, attachmentNames: [],
  };
}

type Statement = { text: string; values: unknown[] };

/** The store, with every statement that reads `messages` recorded (pool queries and transactions alike). */
function recording(statements: Statement[]): PgHandle {
  const record = (text: unknown, values: unknown) => {
    if (typeof text === 'string' && /^\s*select\b/i.test(text) && /\bmessages\b/.test(text)) statements.push({ text, values: (values as unknown[]) ?? [] });
  };
  const wrap = <T extends { query: (...args: never[]) => unknown }>(target: T): T => new Proxy(target, {
    get: (object, property, receiver) => (property === 'query' ? (text: string, values?: unknown[]) => {
      record(text, values);
      return (object.query as (text: string, values?: unknown[]) => unknown).call(object, text, values);
    } : Reflect.get(object, property, receiver)),
  });
  const pool = new Proxy(store.pool, {
    get: (object, property, receiver) => {
      if (property === 'query') return wrap(object).query;
      if (property === 'connect') return async () => wrap(await object.connect());
      const value = Reflect.get(object, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  }) as pg.Pool;
  return { pool, display: store.display };
}

/** Rows the statement's scans of `messages` read and then discarded by a filter. */
async function rowsDiscarded(statement: Statement): Promise<number> {
  const result = await store.pool.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (analyze, format json) ${statement.text}`, statement.values);
  return discarded(result.rows[0]['QUERY PLAN'][0].Plan);
}

interface PlanNode {
  'Relation Name'?: string;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

function discarded(node: PlanNode): number {
  const own = node['Relation Name'] === 'messages' ? (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0) : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + discarded(child), 0);
}

it('looks messages up by id and by thread with index probes, without reading the rest of the mailbox, while statistics are stale', async () => {
  const seed = postgresStorage(store);
  await seed.mailboxes.insert({ ...MAILBOX, name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1_000);
  const epoch = await seed.mailboxes.bumpLeaseEpoch(MAILBOX.id);
  for (let page = 0; page < STORED / 500; page += 1) {
    const remote = Array.from({ length: 500 }, (_, index) => ({ kind: 'present' as const, state: message(page * 500 + index) }));
    await seed.syncCommit.commit({ mailbox: MAILBOX, epoch, remote, emitEvents: false, now: 2_000 + page, cursor: String(page) });
  }
  const statements: Statement[] = [];
  const storage = postgresStorage(recording(statements));
  // New messages, and changed ones whose threads hold stored messages: both lookups run.
  const remote = [...Array.from({ length: 100 }, (_, index) => message(STORED + index)), ...Array.from({ length: 100 }, (_, index) => ({ ...message(index * 7), labelIds: ['INBOX', 'STARRED'] }))];
  const result = await storage.syncCommit.commit({ mailbox: MAILBOX, epoch, remote: remote.map((state) => ({ kind: 'present' as const, state })), emitEvents: true, now: 9_000, cursor: 'next' });
  expect(result).toMatchObject({ created: 100, updated: 100, deleted: 0 });
  expect((await storage.syncCommit.loadLocal(MAILBOX.id, remote.map((state) => state.providerMessageId))).size).toBe(200);

  expect(statements.length).toBeGreaterThanOrEqual(3);
  for (const statement of statements) expect({ statement: statement.text.slice(0, 120), discarded: await rowsDiscarded(statement) }).toEqual({ statement: statement.text.slice(0, 120), discarded: 0 });
}, 120_000);
