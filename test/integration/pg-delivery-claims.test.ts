/**
 * Claims across processes on PostgreSQL: several daemon-like processes, each with its own
 * pool, claim one endpoint's deliveries at the same time. Every attempt is claimed by exactly
 * one of them, every event is delivered exactly once in the end (failed attempts are retried),
 * and each thread's sends happen in event order, across processes and retries. A process
 * SIGKILLed while sending costs at most what it had in flight as duplicates, once its claims
 * are released by age.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { inTransaction, rows } from '../../src/adapters/postgres/pg-queries.js';
import type { Storage } from '../../src/app/ports/storage.js';
import { ROOT } from '../support/cli.js';
import { appendTestEvents, pgDeliveryStorage } from '../support/pg-delivery-store.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const PROCESSES = 4;
const THREADS = 60;
const EVENTS_PER_THREAD = 5;
const EVENTS = THREADS * EVENTS_PER_THREAD;

interface Receipt { n: number; deliveryId: string; eventSequence: number; orderingKey: string }

function startClaimer(url: string, holder: string, extra: string[] = []): { child: ChildProcess; output: Promise<string[]> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/pg-claim-worker.ts'), url, 'whe_race', holder, ...extra], { cwd: ROOT, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const output = new Promise<string[]>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // A hanging claimer prints its line and never exits.
      if (extra[0] === 'hang' && stdout.endsWith('\n')) resolve(JSON.parse(stdout) as string[]);
    });
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout) as string[]) : reject(new Error(`${holder} exited ${code}: ${stderr}`))));
  });
  return { child, output };
}

/** The threads' events interleaved in the log: t0 e0, t1 e0, …, t0 e1, … */
function interleavedEvents() {
  return Array.from({ length: EVENTS }, (_, i) => {
    const thread = `mbx_race:thread:t${i % THREADS}`;
    return { id: `evt_${i}`, type: 'message.created', mailboxId: 'mbx_race', orderingKey: thread, occurredAt: 1, body: JSON.stringify({ id: `evt_${i}`, type: 'message.created' }) };
  });
}

describe('delivery claims across processes (PostgreSQL)', () => {
  let database: TestDatabase;
  let store: PostgresStore;
  let storage: Storage;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    database = await createTestDatabase();
    store = await openPostgres(database.url);
    storage = pgDeliveryStorage(store);
    await store.pool.query('create table receipts (n bigserial primary key, delivery_id text not null, event_sequence bigint not null, ordering_key text not null, holder text not null)');
    await storage.endpoints.insert({ id: 'whe_race', url: 'https://example.com/', description: null, signatureScheme: 'both', headers: {}, lastEnqueuedSequence: 0, createdAt: 1 }, [{ eventType: '*', mailboxId: null }]);
    await inTransaction(store.pool, (client) => appendTestEvents(client, interleavedEvents()));
    let ids = 0;
    expect(await storage.deliveries.fanOut(1, () => `dlv_fan_${String(++ids).padStart(4, '0')}`)).toBe(EVENTS);
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await store.close();
    await database.drop();
  });

  const claimers = () => Promise.all(Array.from({ length: PROCESSES }, (_, i) => {
    const claimer = startClaimer(database.url, `host:${i}:race`);
    children.push(claimer.child);
    return claimer.output;
  }));
  const receipts = () => rows<Receipt>(store.pool, 'select n, delivery_id as "deliveryId", event_sequence as "eventSequence", ordering_key as "orderingKey" from receipts order by n');

  async function expectEachEventSucceededOnce(): Promise<void> {
    const succeeded = await storage.deliveries.list({ endpointId: 'whe_race', status: 'succeeded', limit: 10_000 });
    expect(new Set(succeeded.map((row) => row.eventSequence)).size).toBe(EVENTS);
    expect(succeeded).toHaveLength(EVENTS);
    expect(await storage.deliveries.pendingCount('whe_race')).toBe(0);
  }

  it(`${PROCESSES} processes claiming at once: each attempt claimed once, each event delivered once, per-thread order kept`, async () => {
    const all = (await claimers()).flat();

    expect(new Set(all).size).toBe(all.length);
    const sent = await receipts();
    expect(sent.map((receipt) => receipt.deliveryId).sort()).toEqual([...all].sort());
    await expectEachEventSucceededOnce();
    expect(all.length).toBeGreaterThan(EVENTS);
    expect(outOfOrder(sent)).toEqual([]);
  });

  it('a process SIGKILLed mid-send: its claims are released by age; duplicates are at most what it had in flight', async () => {
    const dying = startClaimer(database.url, 'host:dead:race', ['hang', '7']);
    children.push(dying.child);
    const inFlight = await dying.output;
    expect(inFlight).toHaveLength(7);
    dying.child.kill('SIGKILL');
    // Every claim so far is the dead process's; the cut-off is their age, not its pid.
    expect(await storage.deliveries.releaseStaleClaims({ claimedBefore: Date.now() + 1, now: Date.now(), newDeliveryId: () => `dlv_retry_${Math.random()}` })).toBe(7);

    await claimers();

    await expectEachEventSucceededOnce();
    const sent = await receipts();
    const failedSends = (await storage.deliveries.list({ endpointId: 'whe_race', status: 'failed', limit: 10_000 })).filter((row) => row.errorClass !== 'interrupted').length;
    // Sends beyond one per event: the retries of failed sends, plus the 7 the dead process had in flight.
    expect(sent.length - EVENTS - failedSends).toBe(7);
    expect(outOfOrder(sent)).toEqual([]);
  });
});

/** Per thread, every send of an event must come after every send of the thread's earlier events. */
function outOfOrder(receipts: Receipt[]): string[] {
  const highest = new Map<string, number>();
  const problems: string[] = [];
  for (const receipt of receipts) {
    const previous = highest.get(receipt.orderingKey) ?? 0;
    if (receipt.eventSequence < previous) problems.push(`${receipt.orderingKey}: event ${receipt.eventSequence} sent (receipt ${receipt.n}) after event ${previous}`);
    highest.set(receipt.orderingKey, Math.max(previous, receipt.eventSequence));
  }
  return problems;
}
