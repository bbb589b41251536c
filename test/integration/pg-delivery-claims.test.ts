/**
 * Claims across processes on PostgreSQL: several daemon-like processes, each with its own
 * pool, claim one endpoint's deliveries at the same time. Every attempt is claimed by exactly
 * one of them, every event is delivered exactly once in the end (failed attempts are retried),
 * and each thread's sends happen in event order, across processes and retries.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { inTransaction, rows } from '../../src/adapters/postgres/pg-queries.js';
import { ROOT } from '../support/cli.js';
import { appendTestEvents, pgDeliveryStorage } from '../support/pg-delivery-store.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const PROCESSES = 4;
const THREADS = 60;
const EVENTS_PER_THREAD = 5;

function claimer(url: string, endpointId: string, holder: string): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/pg-claim-worker.ts'), url, endpointId, holder], { cwd: ROOT, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout) as string[]) : reject(new Error(`${holder} exited ${code}: ${stderr}`))));
  });
}

/** The threads' events interleaved in the log: t0 e0, t1 e0, …, t0 e1, … */
function interleavedEvents() {
  return Array.from({ length: THREADS * EVENTS_PER_THREAD }, (_, i) => {
    const thread = `mbx_race:thread:t${i % THREADS}`;
    return { id: `evt_${i}`, type: 'message.created', mailboxId: 'mbx_race', orderingKey: thread, occurredAt: 1, body: JSON.stringify({ id: `evt_${i}`, type: 'message.created' }) };
  });
}

describe('delivery claims across processes (PostgreSQL)', () => {
  let database: TestDatabase;
  let store: PostgresStore;
  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openPostgres(database.url);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it(`${PROCESSES} processes claiming at once: each attempt claimed once, each event delivered once, per-thread order kept`, async () => {
    const storage = pgDeliveryStorage(store);
    await store.pool.query('create table receipts (n bigserial primary key, delivery_id text not null, event_sequence bigint not null, ordering_key text not null, holder text not null)');
    await storage.endpoints.insert({ id: 'whe_race', url: 'https://example.com/', description: null, signatureScheme: 'both', headers: {}, lastEnqueuedSequence: 0, createdAt: 1 }, [{ eventType: '*', mailboxId: null }]);
    await inTransaction(store.pool, (client) => appendTestEvents(client, interleavedEvents()));
    let ids = 0;
    expect(await storage.deliveries.fanOut(1, () => `dlv_fan_${String(++ids).padStart(4, '0')}`)).toBe(THREADS * EVENTS_PER_THREAD);

    const claims = await Promise.all(Array.from({ length: PROCESSES }, (_, i) => claimer(database.url, 'whe_race', `host:${i}:race`)));

    const all = claims.flat();
    expect(new Set(all).size).toBe(all.length);
    const receipts = await rows<{ n: number; deliveryId: string; eventSequence: number; orderingKey: string }>(store.pool, 'select n, delivery_id as "deliveryId", event_sequence as "eventSequence", ordering_key as "orderingKey" from receipts order by n');
    expect(receipts.map((receipt) => receipt.deliveryId).sort()).toEqual([...all].sort());
    const succeeded = await storage.deliveries.list({ endpointId: 'whe_race', status: 'succeeded', limit: 10_000 });
    expect(new Set(succeeded.map((row) => row.eventSequence)).size).toBe(THREADS * EVENTS_PER_THREAD);
    expect(succeeded).toHaveLength(THREADS * EVENTS_PER_THREAD);
    expect(all.length).toBeGreaterThan(THREADS * EVENTS_PER_THREAD);
    expect(outOfOrder(receipts)).toEqual([]);
  });
});

/** Per thread, every send of an event must come after every send of the thread's earlier events. */
function outOfOrder(receipts: Array<{ n: number; eventSequence: number; orderingKey: string }>): string[] {
  const highest = new Map<string, number>();
  const problems: string[] = [];
  for (const receipt of receipts) {
    const previous = highest.get(receipt.orderingKey) ?? 0;
    if (receipt.eventSequence < previous) problems.push(`${receipt.orderingKey}: event ${receipt.eventSequence} sent (receipt ${receipt.n}) after event ${previous}`);
    highest.set(receipt.orderingKey, Math.max(previous, receipt.eventSequence));
  }
  return problems;
}
