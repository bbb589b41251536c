/**
 * `store copy`: a synced SQLite home (mailboxes, credential envelopes, messages, events, an
 * endpoint with deliveries) lands in an empty PostgreSQL database row for row, in one
 * transaction; a database that is not empty is refused, and a failure leaves nothing behind.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyPlan } from '../../src/adapters/postgres/copy-from-sqlite.js';
import { openPostgres } from '../../src/adapters/postgres/database.js';
import { copyStoreTo } from '../../src/cli/wiring.js';
import { hasCode } from '../../src/core/errors.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';

let harness: SyncHarness;
const databases: TestDatabase[] = [];

async function newDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Every row of a table on both sides, as comparable JSON (booleans as 0/1, json as parsed values). */
async function bothSides(url: string, table: { name: string; columns: Array<{ name: string; kind: string }> }) {
  const columns = table.columns.map((column) => `"${column.name}"`).join(', ');
  const sqlite = (await harness.ctx.store()).sqlite;
  const normalize = (row: Record<string, unknown>) => Object.fromEntries(table.columns.map((column) => {
    const value = row[column.name];
    if (value === null || value === undefined) return [column.name, null];
    if (column.kind === 'boolean') return [column.name, value === true || value === 1 ? 1 : 0];
    if (column.kind === 'json') return [column.name, typeof value === 'string' ? JSON.parse(value) : value];
    // pg returns bigint as text: digits compare as numbers on both sides.
    return [column.name, typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value];
  }));
  // A table only PostgreSQL has (its own bookkeeping) has nothing to copy.
  const inSqlite = sqlite.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(table.name) !== undefined;
  const local = (inSqlite ? (sqlite.prepare(`select ${columns} from "${table.name}"`).all() as Array<Record<string, unknown>>) : []).map(normalize);
  const remote = (await query<Record<string, unknown>>(url, `select ${columns} from "${table.name}"`)).map(normalize);
  const key = (row: Record<string, unknown>) => JSON.stringify(row);
  return { local: local.map(key).sort(), remote: remote.map(key).sort() };
}

describe('store copy', () => {
  beforeAll(async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 25 } }] });
    await harness.sync();
    const storage = await harness.ctx.storage();
    await storage.endpoints.insert({ id: 'whe_copy', url: 'https://example.com/hook', description: 'copied', signatureScheme: 'both', headers: { 'x-env': 'test' }, lastEnqueuedSequence: 0, createdAt: 1_000 }, [{ eventType: '*', mailboxId: null }]);
    let next = 0;
    await storage.deliveries.fanOut(Date.now(), () => `dlv_${++next}`);
    if (copyPlan().some((table) => table.name === 'api_keys')) await storage.apiKeys.create({ id: 'key_copy', name: 'ci', scope: 'read', keyHash: 'a'.repeat(64), keyPrefix: 'mm_live_ab' }, 1_000);
  });
  afterAll(async () => {
    await harness?.close();
    for (const database of databases) await database.drop();
  });

  it('copies every table row for row (ids, sequences, json, flags) in one go; pg bigint sequences as numbers', async () => {
    const database = await newDatabase();
    const progress: string[] = [];
    const result = await copyStoreTo(harness.ctx, database.url, { onProgress: (step) => progress.push(step.table) });
    expect(result.rows).toBeGreaterThan(50);
    expect(progress).toEqual(copyPlan().map((table) => table.name));
    const counts = Object.fromEntries(result.tables.map((table) => [table.table, table.rows]));
    expect(counts.mailboxes).toBe(1);
    expect(counts.credentials).toBe(1);
    expect(counts.messages).toBe(25);
    expect(counts.events).toBeGreaterThan(0);
    expect(counts.deliveries).toBe(counts.events);
    for (const table of copyPlan()) {
      const { local, remote } = await bothSides(database.url, table);
      expect(remote, table.name).toEqual(local);
    }
    const [{ max }] = await query<{ max: string }>(database.url, 'select max(sequence)::text as max from events');
    expect(Number(max)).toBe(harness.maxSequence());
  });

  it('refuses a database that is not empty, and changes nothing there', async () => {
    const database = await newDatabase();
    await copyStoreTo(harness.ctx, database.url, {});
    const before = await query<{ n: string }>(database.url, 'select count(*)::text as n from events');
    const refused = await copyStoreTo(harness.ctx, database.url, {}).catch((error: unknown) => error);
    expect(hasCode(refused, 'store_not_empty')).toBe(true);
    expect(await query<{ n: string }>(database.url, 'select count(*)::text as n from events')).toEqual(before);
  });

  it('a SQLite table with rows PostgreSQL has no table for stops the copy before anything is written', async () => {
    const database = await newDatabase();
    const sqlite = (await harness.ctx.store()).sqlite;
    sqlite.exec(`create table unknown_rows (id text); insert into unknown_rows values ('x')`);
    try {
      const refused = await copyStoreTo(harness.ctx, database.url, {}).catch((error: unknown) => error);
      expect(hasCode(refused, 'store_sqlite_only')).toBe(true);
      expect((refused as Error).message).toContain('unknown_rows');
      expect(await query<{ n: string }>(database.url, 'select count(*)::text as n from mailboxes')).toEqual([{ n: '0' }]);
    } finally {
      sqlite.exec('drop table unknown_rows');
    }
  });

  it('all or nothing: a failure in the last table leaves every table empty', async () => {
    const database = await newDatabase();
    const store = await openPostgres(database.url);
    await store.pool.query(`create function refuse() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$`);
    await store.pool.query('create trigger refuse before insert on deliveries for each statement execute function refuse()');
    await store.close();
    const failed = await copyStoreTo(harness.ctx, database.url, {}).catch((error: unknown) => error);
    expect(String((failed as Error)?.message)).toContain('refused');
    for (const table of copyPlan()) expect(await query<{ n: string }>(database.url, `select count(*)::text as n from "${table.name}"`), table.name).toEqual([{ n: '0' }]);
  });
});

describe('copy plan', () => {
  it('every table comes after the tables its foreign keys reference; leases and daemons are not copied', () => {
    const order = copyPlan().map((table) => table.name);
    expect(order.indexOf('mailboxes')).toBeLessThan(order.indexOf('credentials'));
    expect(order.indexOf('consumers')).toBeLessThan(order.indexOf('consumer_threads'));
    expect(order.indexOf('webhook_endpoints')).toBeLessThan(order.indexOf('deliveries'));
    expect(order).not.toContain('leases');
    expect(order).not.toContain('daemons');
  });
});
