/**
 * PostgreSQL leases beyond the port contract: a holder whose store becomes unreachable gives the
 * lease up (its signal aborts) once it could not renew for the stale period, and then cannot
 * commit; the holder is named by host and pid; staleness is judged by the database clock, so a
 * machine whose clock is off cannot take over a live holder.
 */
import os from 'node:os';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { openPostgres, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { postgresLeases } from '../../src/adapters/postgres/pg-leases.js';
import { postgresStorage } from '../../src/adapters/postgres/postgres-storage.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

let database: TestDatabase;
let store: PostgresStore;

beforeAll(async () => {
  database = await createTestDatabase();
  store = await openPostgres(database.url);
  await postgresStorage(store).mailboxes.insert({ id: 'mbx_a', emailAddress: 'a@example.com', name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1_000);
});
afterAll(async () => {
  await store?.close();
  await database?.drop();
});

it('a holder that cannot reach the store for the stale period loses the lease; the next holder takes it and the old epoch cannot commit', async () => {
  const lonely = await openPostgres(database.url, { poolSize: 1 });
  const lease = await postgresLeases(lonely, { heartbeatMs: 50 }).acquire('mbx_a', { staleMs: 400 });
  expect((await postgresLeases(store).holder('mbx_a'))?.owner).toBe(`pid ${process.pid} on ${os.hostname()}`);
  await lonely.close();
  const aborted = new Promise((resolve) => lease.signal.addEventListener('abort', resolve, { once: true }));
  const started = Date.now();
  await aborted;
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  expect(lease.signal.reason).toMatchObject({ code: 'lease_lost' });
  const next = await postgresLeases(store).acquire('mbx_a', { staleMs: 400, waitMs: 5_000 });
  const storage = postgresStorage(store);
  await expect(storage.syncCommit.commit({ mailbox: { id: 'mbx_a', emailAddress: 'a@example.com' }, epoch: lease.epoch, emitEvents: true, now: 1, remote: [] })).rejects.toMatchObject({ code: 'lease_lost' });
  await next.release();
});

it('a holder whose renewals hang (a connection that never answers) aborts once the stale period is over', async () => {
  let hang = false;
  const pool = new Proxy(store.pool, {
    get(target, property) {
      if (property === 'query' && hang) return () => new Promise(() => undefined);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const lease = await postgresLeases({ pool, display: store.display }, { heartbeatMs: 50 }).acquire('mbx_a', { staleMs: 300 });
  hang = true;
  const aborted = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 3_000);
    lease.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(true);
    }, { once: true });
  });
  expect(await aborted).toBe(true);
  expect(lease.signal.reason).toMatchObject({ code: 'lease_lost' });
  hang = false;
  await lease.release();
});

it('staleness is judged by the database clock, not the acquirer\'s: an acquirer whose clock runs an hour ahead does not take over a live holder', async () => {
  const holder = await postgresLeases(store, { heartbeatMs: 60_000 }).acquire('mbx_a');
  const skewed = vi.spyOn(Date, 'now').mockImplementation(() => performance.timeOrigin + performance.now() + 3_600_000);
  try {
    await expect(postgresLeases(store).acquire('mbx_a', { staleMs: 10_000 })).rejects.toMatchObject({ code: 'lease_held' });
  } finally {
    skewed.mockRestore();
  }
  expect(holder.signal.aborted).toBe(false);
  await holder.release();
});
