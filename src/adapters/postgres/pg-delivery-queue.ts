/**
 * The DeliveryQueue port on PostgreSQL (src/app/ports/delivery-queue.ts), shared by daemons on
 * any number of machines. How each promise holds under READ COMMITTED:
 * - fan-out locks the endpoints it serves (in id order, so two fan-outs never deadlock) and
 *   moves their `last_enqueued_sequence` in the same transaction: a concurrent fan-out waits,
 *   then sees the moved sequence, so no event is enqueued twice. The lock is `FOR NO KEY
 *   UPDATE`, which leaves the foreign-key checks of other deliveries' inserts (outcomes'
 *   next attempts) unblocked. The log's head is its highest committed sequence, which is safe
 *   because the event log commits sequences in order (no lower one can still appear);
 * - a claim is one statement: it picks due thread heads `FOR UPDATE SKIP LOCKED` and marks them
 *   in_flight with holder and time. The head condition reads in-flight rows and rows another
 *   claimer has locked alike (a plain read), so while one daemon holds or is claiming a
 *   thread's head, no other daemon can take that thread's next event;
 * - an outcome is conditional on `status = 'in_flight' and claimed_by = holder`; it and a
 *   stale-claim release both lock the row, so at most one of them closes the attempt;
 * - stale claims are found by age (`claimed_at` against the caller's cut-off), never by holder;
 * - retries of one endpoint are serialized by its row lock, so one given-up event gets one
 *   fresh attempt however many commands retry it at once.
 */
import type pg from 'pg';
import { describeOutcome, matchesSubscriptions, type SubscriptionRule } from '../../core/delivery-schedule.js';
import type { Claim, ClaimedDelivery, DeliveryQuery, DeliveryQueue, DeliveryRow, DeliveryStatus, Outcome } from '../../app/ports/delivery-queue.js';
import type { PostgresStore } from './database.js';
import { applyHealthUpdate } from './pg-endpoints.js';
import { inTransaction, query, rows, translatingErrors, type Queryable } from './pg-queries.js';

const COLUMNS = `d.id, d.endpoint_id as "endpointId", d.event_sequence as "eventSequence", d.event_id as "eventId", d.ordering_key as "orderingKey",
  d.attempt, d.kind, d.status, d.scheduled_at as "scheduledAt", d.started_at as "startedAt", d.finished_at as "finishedAt",
  d.response_status as "responseStatus", d.latency_ms as "latencyMs", d.response_headers as "responseHeaders", d.response_body as "responseBody",
  d.error_class as "errorClass", d.error_message as "errorMessage"`;

/**
 * The head-of-thread condition for an open normal row `d`: the lowest sequence among its
 * endpoint's and key's open normal rows is its own. Written as a scalar subquery, not
 * `not exists`, so it stays one probe of deliveries_open_idx per candidate whatever the
 * statistics say (an anti-join planned on stale statistics scans the whole endpoint per row).
 */
const IS_HEAD = `d.event_sequence <= (select min(o.event_sequence) from deliveries o where o.endpoint_id = d.endpoint_id and o.ordering_key = d.ordering_key
  and o.kind = 'normal' and o.status in ('pending', 'in_flight'))`;

/**
 * Due heads of one enabled endpoint, not being claimed by anyone else right now. Ordered by
 * due time alone, as deliveries_endpoint_due_idx yields them, so the scan stops after `limit`
 * heads instead of testing every pending row before a sort.
 */
const CLAIM = `with picked as (
    select d.id from deliveries d join webhook_endpoints w on w.id = d.endpoint_id
    where d.endpoint_id = $1 and d.kind = 'normal' and d.status = 'pending' and d.scheduled_at <= $2 and w.enabled and ${IS_HEAD}
      and exists (select 1 from events e where e.sequence = d.event_sequence)
    order by d.scheduled_at limit $3
    for update of d skip locked),
  claimed as (
    update deliveries d set status = 'in_flight', started_at = $2, claimed_by = $4, claimed_at = $2
    from picked where d.id = picked.id returning d.*)
  select ${COLUMNS}, e.type as "eventType", e.body from claimed d join events e on e.sequence = d.event_sequence
  order by d.scheduled_at, d.event_sequence`;

/**
 * Enabled endpoints with a due head. A lateral probe per endpoint, in the claim's order (oldest
 * due first, where heads usually are), stopping at the first head; an `exists` is planned as a
 * semi-join that tests every pending row.
 */
const DUE = `select w.id from webhook_endpoints w cross join lateral (select 1 from deliveries d
  where d.endpoint_id = w.id and d.status = 'pending' and d.kind = 'normal' and d.scheduled_at <= $1 and ${IS_HEAD} order by d.scheduled_at limit 1) as due
  where w.enabled order by w.id`;

type NextAttempt = Pick<DeliveryRow, 'endpointId' | 'eventSequence' | 'eventId' | 'orderingKey' | 'attempt' | 'kind'> & { id: string; scheduledAt: number };

export function postgresDeliveryQueue(store: Pick<PostgresStore, 'pool' | 'display'>): DeliveryQueue {
  const { pool } = store;
  return translatingErrors<DeliveryQueue>({
    fanOut: (now, newDeliveryId, batch = 1000) => inTransaction(pool, (client) => fanOut(client, now, newDeliveryId, batch)),
    claimDue: async ({ endpointId, holder, now, limit }: Claim) => (limit <= 0 ? [] : rows<ClaimedDelivery>(pool, CLAIM, [endpointId, now, limit, holder])),
    endpointsWithDueWork: async (now) => (await rows<{ id: string }>(pool, DUE, [now])).map((row) => row.id),
    nextScheduledAfter: async (now) =>
      (await rows<{ at: number }>(pool, `select d.scheduled_at as at from deliveries d join webhook_endpoints w on w.id = d.endpoint_id
        where d.status = 'pending' and d.kind = 'normal' and d.scheduled_at > $1 and w.enabled and ${IS_HEAD} order by d.scheduled_at limit 1`, [now]))[0]?.at ?? null,
    release: async (id, holder) => {
      await query(pool, `update deliveries set status = 'pending', started_at = null, claimed_by = null, claimed_at = null where id = $1 and status = 'in_flight' and claimed_by = $2`, [id, holder]);
    },
    recordOutcome: (outcome) => inTransaction(pool, (client) => recordOutcome(client, outcome)),
    releaseStaleClaims: (input) => inTransaction(pool, (client) => releaseStaleClaims(client, input)),
    logAttempt: (row) => logAttempt(pool, row),
    get: async (id) => (await rows<DeliveryRow>(pool, `select ${COLUMNS} from deliveries d where d.id = $1`, [id]))[0],
    list: (deliveryQuery) => list(pool, deliveryQuery),
    attemptsOf: (endpointId, eventSequence) => rows<DeliveryRow>(pool, `select ${COLUMNS} from deliveries d where d.endpoint_id = $1 and d.event_sequence = $2 order by d.attempt, d.id`, [endpointId, eventSequence]),
    retry: (input, now, newDeliveryId) => inTransaction(pool, (client) => retry(client, input, now, newDeliveryId)),
    pendingCount: async (endpointId) => (await rows<{ n: number }>(pool, `select count(*) as n from deliveries where endpoint_id = $1 and status in ('pending', 'in_flight')`, [endpointId]))[0].n,
    lastError: (endpointId) => lastError(pool, endpointId),
    lastDeliveryAt: async (endpointId) => (await rows<{ at: number | null }>(pool, `select max(finished_at) as at from deliveries where endpoint_id = $1 and kind = 'normal'`, [endpointId]))[0].at,
  }, store.display);
}

interface FanOutEvent { sequence: number; id: string; type: string; mailboxId: string; orderingKey: string }

/** One transaction: lock the endpoints behind the log's head, insert all their new attempts in one statement, move their sequences. */
async function fanOut(client: pg.PoolClient, now: number, newDeliveryId: () => string, batch: number): Promise<number> {
  const [{ head }] = await rows<{ head: number }>(client, 'select coalesce(max(sequence), 0) as head from events');
  const endpoints = await rows<{ id: string; last: number }>(client, 'select id, last_enqueued_sequence as last from webhook_endpoints where last_enqueued_sequence < $1 order by id for no key update', [head]);
  if (endpoints.length === 0) return 0;
  const rules = await subscriptionsOf(client, endpoints.map((endpoint) => endpoint.id));
  const eventsAfter = new Map<number, FanOutEvent[]>();
  const inserts: NextAttempt[] = [];
  const advances: Array<{ id: string; to: number }> = [];
  for (const endpoint of endpoints) {
    // Endpoints usually share one position: read each distinct range once.
    if (!eventsAfter.has(endpoint.last)) eventsAfter.set(endpoint.last, await readEvents(client, endpoint.last, head, batch));
    const events = eventsAfter.get(endpoint.last) ?? [];
    for (const event of events) {
      if (!matchesSubscriptions(rules.get(endpoint.id) ?? [], event)) continue;
      inserts.push({ id: newDeliveryId(), endpointId: endpoint.id, eventSequence: event.sequence, eventId: event.id, orderingKey: event.orderingKey, attempt: 1, kind: 'normal', scheduledAt: now });
    }
    advances.push({ id: endpoint.id, to: events.length === batch ? events[events.length - 1].sequence : head });
  }
  await insertAttempts(client, inserts);
  await query(client, `update webhook_endpoints w set last_enqueued_sequence = a.seq from unnest($1::text[], $2::bigint[]) as a(id, seq) where w.id = a.id`, [
    advances.map((advance) => advance.id), advances.map((advance) => advance.to),
  ]);
  return inserts.length;
}

async function subscriptionsOf(client: Queryable, endpointIds: string[]): Promise<Map<string, SubscriptionRule[]>> {
  const found = await rows<SubscriptionRule & { endpointId: string }>(client, 'select endpoint_id as "endpointId", event_type as "eventType", mailbox_id as "mailboxId" from subscriptions where endpoint_id = any($1) order by id', [endpointIds]);
  const rules = new Map<string, SubscriptionRule[]>();
  for (const { endpointId, ...rule } of found) rules.set(endpointId, [...(rules.get(endpointId) ?? []), rule]);
  return rules;
}

function readEvents(client: Queryable, after: number, head: number, batch: number): Promise<FanOutEvent[]> {
  return rows<FanOutEvent>(client, 'select sequence, id, type, mailbox_id as "mailboxId", ordering_key as "orderingKey" from events where sequence > $1 and sequence <= $2 order by sequence limit $3', [after, head, batch]);
}

/** Pending attempts, any number, in one statement. */
async function insertAttempts(client: Queryable, attempts: NextAttempt[]): Promise<void> {
  if (attempts.length === 0) return;
  const column = <K extends keyof NextAttempt>(key: K) => attempts.map((attempt) => attempt[key]);
  await query(client, `insert into deliveries (id, endpoint_id, event_sequence, event_id, ordering_key, attempt, kind, status, scheduled_at)
    select id, endpoint_id, event_sequence, event_id, ordering_key, attempt, kind, 'pending', scheduled_at
    from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::int[], $7::text[], $8::bigint[])
      as a(id, endpoint_id, event_sequence, event_id, ordering_key, attempt, kind, scheduled_at)`, [
    column('id'), column('endpointId'), column('eventSequence'), column('eventId'), column('orderingKey'), column('attempt'), column('kind'), column('scheduledAt'),
  ]);
}

async function recordOutcome(client: pg.PoolClient, { delivery, holder, result, finishedAt, next, abandoned, health }: Outcome): Promise<boolean> {
  const status: DeliveryStatus = result.ok ? 'succeeded' : abandoned ? 'abandoned' : 'failed';
  const updated = await query(client, `update deliveries set status = $1, finished_at = $2, response_status = $3, latency_ms = $4, response_headers = $5, response_body = $6, error_class = $7, error_message = $8
    where id = $9 and status = 'in_flight' and claimed_by = $10`, [
    status, finishedAt, result.status, result.latencyMs, JSON.stringify(result.responseHeaders), result.responseBody, result.errorClass, result.errorMessage, delivery.id, holder,
  ]);
  // The claim went stale and was released, or the endpoint was removed: someone else owns what happens next.
  if (updated.rowCount === 0) return false;
  if (next) await insertAttempts(client, [{ ...delivery, attempt: delivery.attempt + 1, id: next.id, scheduledAt: next.scheduledAt }]);
  if (health) await applyHealthUpdate(client, delivery.endpointId, health, finishedAt);
  return true;
}

/** Closes claims older than the cut-off as failed/interrupted, with a new attempt due at `now` for each. */
async function releaseStaleClaims(client: pg.PoolClient, { claimedBefore, now, newDeliveryId }: { claimedBefore: number; now: number; newDeliveryId: () => string }): Promise<number> {
  // A claim another releaser (or its holder's late outcome) has locked is theirs to close: skipped, never waited for.
  const closed = await rows<DeliveryRow>(client, `with stale as (
      select id from deliveries where status = 'in_flight' and claimed_at < $1 for update skip locked)
    update deliveries d set status = 'failed', finished_at = $2, error_class = 'interrupted',
      error_message = 'the attempt was in flight when its worker stopped (its claim expired)'
    from stale where d.id = stale.id returning ${COLUMNS}`, [claimedBefore, now]);
  await insertAttempts(client, closed.map((row) => ({ ...row, attempt: row.attempt + 1, id: newDeliveryId(), scheduledAt: now })));
  return closed.length;
}

async function logAttempt(client: Queryable, row: DeliveryRow): Promise<void> {
  await query(client, `insert into deliveries (id, endpoint_id, event_sequence, event_id, ordering_key, attempt, kind, status, scheduled_at, started_at, finished_at, response_status, latency_ms, response_headers, response_body, error_class, error_message)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`, [
    row.id, row.endpointId, row.eventSequence, row.eventId, row.orderingKey, row.attempt, row.kind, row.status, row.scheduledAt, row.startedAt, row.finishedAt,
    row.responseStatus, row.latencyMs, row.responseHeaders === null ? null : JSON.stringify(row.responseHeaders), row.responseBody, row.errorClass, row.errorMessage,
  ]);
}

const STATUS_FILTER: Record<NonNullable<DeliveryQuery['status']>, string> = {
  failed: `d.status in ('failed', 'abandoned')`,
  pending: `d.status in ('pending', 'in_flight')`,
  abandoned: `d.status = 'abandoned'`,
  succeeded: `d.status = 'succeeded'`,
};

function list(client: Queryable, { endpointId, status, since, limit }: DeliveryQuery): Promise<DeliveryRow[]> {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (endpointId) clauses.push(`d.endpoint_id = $${params.push(endpointId)}`);
  if (status) clauses.push(STATUS_FILTER[status]);
  if (since !== undefined) clauses.push(`coalesce(d.finished_at, d.scheduled_at) >= $${params.push(since)}`);
  const where = clauses.length > 0 ? `where ${clauses.join(' and ')}` : '';
  return rows<DeliveryRow>(client, `select ${COLUMNS} from deliveries d ${where} order by coalesce(d.finished_at, d.scheduled_at) desc, d.id desc limit $${params.push(limit)}`, params);
}

/**
 * A fresh attempt now for each given-up delivery whose event has no open or succeeded attempt.
 * The endpoint's row lock serializes retries of one endpoint, so two at once create one attempt.
 */
async function retry(client: pg.PoolClient, input: { deliveryId?: string; endpointId?: string }, now: number, newDeliveryId: () => string): Promise<string[]> {
  const endpointId = input.deliveryId
    ? (await rows<{ endpointId: string }>(client, 'select endpoint_id as "endpointId" from deliveries where id = $1', [input.deliveryId]))[0]?.endpointId
    : input.endpointId;
  if (endpointId === undefined) return [];
  await query(client, 'select 1 from webhook_endpoints where id = $1 for no key update', [endpointId]);
  const candidates = input.deliveryId
    ? await rows<DeliveryRow>(client, `select ${COLUMNS} from deliveries d where d.id = $1`, [input.deliveryId])
    : await rows<DeliveryRow>(client, `select ${COLUMNS} from deliveries d where d.endpoint_id = $1 and d.status = 'abandoned' and d.kind = 'normal' order by d.event_sequence`, [endpointId]);
  const created: NextAttempt[] = [];
  for (const row of candidates) {
    if (row.kind !== 'normal' || !['failed', 'abandoned'].includes(row.status)) continue;
    const [state] = await rows<{ open: boolean; attempt: number }>(client, `select bool_or(status in ('pending', 'in_flight', 'succeeded')) as open, max(attempt) as attempt
      from deliveries where endpoint_id = $1 and event_sequence = $2 and kind = 'normal'`, [row.endpointId, row.eventSequence]);
    // An endpoint-wide retry may list two given-up attempts of one event: the first one's new attempt counts as open.
    if (state.open || created.some((attempt) => attempt.eventSequence === row.eventSequence)) continue;
    created.push({ ...row, attempt: state.attempt + 1, id: newDeliveryId(), scheduledAt: now });
  }
  await insertAttempts(client, created);
  return created.map((attempt) => attempt.id);
}

async function lastError(client: Queryable, endpointId: string): Promise<{ message: string; at: number } | null> {
  const [row] = await rows<{ status: DeliveryStatus; responseStatus: number | null; errorClass: string | null; errorMessage: string | null; finishedAt: number }>(client,
    `select status, response_status as "responseStatus", error_class as "errorClass", error_message as "errorMessage", finished_at as "finishedAt"
     from deliveries where endpoint_id = $1 and kind = 'normal' and finished_at is not null order by finished_at desc limit 1`, [endpointId]);
  if (!row || row.status === 'succeeded') return null;
  return { message: describeOutcome({ status: row.responseStatus, errorClass: row.errorClass, errorMessage: row.errorMessage }), at: row.finishedAt };
}
