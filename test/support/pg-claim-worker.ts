/**
 * One daemon's delivery loop against a PostgreSQL store, in its own process, for the
 * cross-process claim race: claims due heads of one endpoint (a few at a time, as its holder)
 * until none are left for a while. For each claimed attempt it first writes a receipt (the
 * `receipts` table the test created: a serial number per send, so the test can check each
 * thread's sends arrived in order), then fails about one in five with a retry due at once and
 * records the rest as sent. Prints the claimed delivery ids as one JSON line.
 * With `hang <n>` it claims n, sends them, prints their ids and hangs, for its test to SIGKILL.
 * Run with `node --import tsx test/support/pg-claim-worker.ts <store url> <endpoint id> <holder> [hang <n>]`.
 */
import { randomUUID } from 'node:crypto';
import { openPostgres } from '../../src/adapters/postgres/database.js';
import { postgresDeliveryQueue } from '../../src/adapters/postgres/pg-delivery-queue.js';
import type { AttemptResult, ClaimedDelivery, DeliveryQueue } from '../../src/app/ports/delivery-queue.js';

const [url, endpointId, holder] = process.argv.slice(2);
const store = await openPostgres(url, { migrate: false, poolSize: 2 });
const deliveries = postgresDeliveryQueue(store);
const result = (ok: boolean): AttemptResult => ({ ok, status: ok ? 200 : 503, latencyMs: 1, responseHeaders: {}, responseBody: '', errorClass: ok ? null : 'http_error', errorMessage: null });

async function send(queue: DeliveryQueue, delivery: ClaimedDelivery): Promise<void> {
  await store.pool.query('insert into receipts (delivery_id, event_sequence, ordering_key, holder) values ($1, $2, $3, $4)', [delivery.id, delivery.eventSequence, delivery.orderingKey, holder]);
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 2));
  const ok = Math.random() > 0.2;
  const recorded = await queue.recordOutcome({
    delivery, holder, finishedAt: Date.now(), abandoned: false, health: null, result: result(ok),
    next: ok ? null : { id: `dlv_${randomUUID()}`, scheduledAt: Date.now() },
  });
  if (!recorded) throw new Error(`${holder} lost its claim of ${delivery.id}`);
}

if (process.argv[5] === 'hang') {
  // A daemon that dies mid-send: claims a batch, sends it, then never records an outcome.
  const batch = await deliveries.claimDue({ endpointId, holder, now: Date.now(), limit: Number(process.argv[6]) });
  for (const delivery of batch) await store.pool.query('insert into receipts (delivery_id, event_sequence, ordering_key, holder) values ($1, $2, $3, $4)', [delivery.id, delivery.eventSequence, delivery.orderingKey, holder]);
  process.stdout.write(`${JSON.stringify(batch.map((delivery) => delivery.id))}\n`);
  await new Promise(() => undefined);
}

const claimed: string[] = [];
for (let idle = 0; idle < 40;) {
  const batch = await deliveries.claimDue({ endpointId, holder, now: Date.now(), limit: 3 });
  idle = batch.length === 0 ? idle + 1 : 0;
  for (const delivery of batch) {
    claimed.push(delivery.id);
    await send(deliveries, delivery);
  }
  if (batch.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
}
process.stdout.write(`${JSON.stringify(claimed)}\n`);
await store.close();
