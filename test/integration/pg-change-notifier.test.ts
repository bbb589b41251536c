/**
 * The PostgreSQL ChangeNotifier beyond its contract: the trigger notifies at commit only, the
 * listening connection comes back after its backend is terminated (and a commit made while it
 * was down is not missed), the safety poll catches a commit whose notification never came, and
 * a notifier does not keep its process alive.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { postgresChangeNotifier, type PostgresChangeNotifier } from '../../src/adapters/postgres/pg-change-notifier.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

let database: TestDatabase;
let store: PostgresStore;
const notifiers: PostgresChangeNotifier[] = [];
let sequence = 0;

beforeEach(async () => {
  database = await createTestDatabase();
  store = await openPostgres(database.url, { poolSize: 4, applicationName: 'notifier-test' });
});
afterEach(async () => {
  for (const notifier of notifiers.splice(0)) await notifier.close();
  await store.close();
  await database.drop();
});

function notifier(options: Parameters<typeof postgresChangeNotifier>[1] = {}): PostgresChangeNotifier {
  const created = postgresChangeNotifier(store, { reconnectMs: { min: 20, max: 200 }, ...options });
  notifiers.push(created);
  return created;
}

const insertEvent = (client: Pick<PostgresStore['pool'], 'query'> = store.pool) => {
  sequence += 1;
  return client.query('insert into events (sequence, id, type, mailbox_id, ordering_key, occurred_at, body) values ($1, $2, $3, $4, $5, $6, $7)',
    [sequence, `evt_${sequence}`, 'message.created', 'mbx_a', 'thread', Date.now(), '{}']);
};

/** Resolves to how long the wait took; the wait starts now. */
function timed(wait: Promise<void>): Promise<number> {
  const started = performance.now();
  return wait.then(() => performance.now() - started);
}

async function listenerPids(): Promise<number[]> {
  const result = await store.pool.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and application_name = 'notifier-test listener'`);
  return result.rows.map((row) => row.pid);
}

describe('PostgreSQL change notifier', () => {
  it('an open transaction that appended wakes nobody; its commit does, within milliseconds; a rollback never does', async () => {
    const changes = notifier();
    const client = await store.pool.connect();
    try {
      let mark = await changes.mark();
      await client.query('begin');
      await insertEvent(client);
      expect(await timed(changes.waitForChange(mark, 300))).toBeGreaterThanOrEqual(250);
      await client.query('rollback');
      expect(await timed(changes.waitForChange(mark, 300))).toBeGreaterThanOrEqual(250);
      mark = await changes.mark();
      await client.query('begin');
      await insertEvent(client);
      const woken = timed(changes.waitForChange(mark, 5_000));
      await client.query('commit');
      expect(await woken).toBeLessThan(1_000);
    } finally {
      client.release();
    }
  });

  it('reconnects after its backend is terminated; a commit made while it was down is not missed', async () => {
    // No safety poll within the test: the reconnection alone must wake the waiter.
    const changes = notifier({ pollMs: 60_000 });
    await changes.mark();
    const [first] = await listenerPids();
    expect(first).toBeGreaterThan(0);
    let mark = await changes.mark();
    const woken = timed(changes.waitForChange(mark, 10_000));
    await store.pool.query('select pg_terminate_backend($1)', [first]);
    await insertEvent();
    expect(await woken).toBeLessThan(5_000);
    await expect.poll(listenerPids, { timeout: 5_000 }).toHaveLength(1);
    expect((await listenerPids())[0]).not.toBe(first);
    mark = await changes.mark();
    const again = timed(changes.waitForChange(mark, 10_000));
    await insertEvent();
    expect(await again).toBeLessThan(1_000);
  });

  it('the safety poll wakes a waiter for a commit whose notification never came', async () => {
    const changes = notifier({ pollMs: 200 });
    await store.pool.query('alter table events disable trigger events_appended');
    const mark = await changes.mark();
    const woken = timed(changes.waitForChange(mark, 10_000));
    await insertEvent();
    const took = await woken;
    expect(took).toBeLessThan(2_000);
  });

  it('close() wakes waiters and ends the listening connection', async () => {
    const changes = notifier();
    const mark = await changes.mark();
    const woken = timed(changes.waitForChange(mark, 10_000));
    await changes.close();
    expect(await woken).toBeLessThan(1_000);
    await expect.poll(listenerPids, { timeout: 5_000 }).toHaveLength(0);
  });

  it('a commit made by another process wakes a waiter here within milliseconds', async () => {
    const changes = notifier({ pollMs: 60_000 });
    await store.pool.query(`insert into mailboxes (id, email_address, created_at, updated_at) values ('mbx_a', 'a@example.com', 1, 1)`);
    const mark = await changes.mark();
    let wokeAt = 0;
    const woken = changes.waitForChange(mark, 30_000).then(() => {
      wokeAt = Date.now();
    });
    const script = `
      import { openPostgres } from './src/adapters/postgres/database.ts';
      import { postgresStorage } from './src/adapters/postgres/postgres-storage.ts';
      const store = await openPostgres(process.env.URL, { poolSize: 1 });
      await postgresStorage(store).mailboxes.setStatus('mbx_a', 'active', null, { now: Date.now(), newEventId: () => 'evt_other_process' });
      console.log(Date.now());
      await store.close();`;
    const committedAt = Number((await runScript(script)).trim());
    await woken;
    expect(wokeAt - committedAt).toBeLessThan(500);
  });

  it('a process with a listening notifier and nothing waiting exits by itself', async () => {
    const script = `
      import { openPostgres } from './src/adapters/postgres/database.ts';
      import { postgresChangeNotifier } from './src/adapters/postgres/pg-change-notifier.ts';
      const store = await openPostgres(process.env.URL, { poolSize: 1 });
      const changes = postgresChangeNotifier(store);
      await changes.waitForChange(await changes.mark(), 50);
      await store.pool.end();
      console.log('done');`;
    expect((await runScript(script)).trim()).toBe('done');
  });
});

/** Runs an ES module script from the repository root, the database's URL in URL; resolves to its stdout. */
function runScript(script: string): Promise<string> {
  const root = path.resolve(import.meta.dirname, '..', '..');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, env: { ...process.env, URL: database.url }, timeout: 30_000, encoding: 'utf8' }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  });
}
