/**
 * The delivery queue's SQL on one SQLite connection (the port and its promises:
 * src/app/ports/delivery-queue.ts). Every write runs in a BEGIN IMMEDIATE transaction, so
 * concurrent connections (other processes) serialize: two claimers of one attempt cannot both
 * move it from pending to in_flight, and two fan-outs cannot enqueue an event twice.
 */
import type Database from 'better-sqlite3';
import { describeOutcome, matchesSubscriptions } from '../../core/delivery-schedule.js';
import type { Claim, ClaimedDelivery, DeliveryQuery, DeliveryRow, DeliveryStatus, Outcome } from '../../app/ports/delivery-queue.js';
import { EndpointRepository } from './endpoint-repository.js';
import { cachedPreparer, type Prepare } from './statements.js';

export type { AttemptResult, ClaimedDelivery, DeliveryKind, DeliveryQuery, DeliveryRow, DeliveryStatus, DeliveryStatusFilter } from '../../app/ports/delivery-queue.js';

const COLUMNS = `d.id, d.endpoint_id as endpointId, d.event_sequence as eventSequence, d.event_id as eventId, d.ordering_key as orderingKey,
  d.attempt, d.kind, d.status, d.scheduled_at as scheduledAt, d.started_at as startedAt, d.finished_at as finishedAt,
  d.response_status as responseStatus, d.latency_ms as latencyMs, d.response_headers as responseHeaders, d.response_body as responseBody,
  d.error_class as errorClass, d.error_message as errorMessage`;

type RawDelivery = Omit<DeliveryRow, 'responseHeaders'> & { responseHeaders: string | null };

function toRow<T extends RawDelivery>(raw: T): Omit<T, 'responseHeaders'> & { responseHeaders: Record<string, string> | null } {
  return { ...raw, responseHeaders: raw.responseHeaders === null ? null : (JSON.parse(raw.responseHeaders) as Record<string, string>) };
}

/** The head-of-thread condition: no earlier open normal row of the same endpoint and key. */
const IS_HEAD = `not exists (select 1 from deliveries o where o.endpoint_id = d.endpoint_id and o.ordering_key = d.ordering_key
  and o.event_sequence < d.event_sequence and o.kind = 'normal' and o.status in ('pending', 'in_flight'))`;

export class DeliveryRepository {
  private readonly endpoints: EndpointRepository;
  private readonly prepare: Prepare;

  constructor(private readonly sqlite: Database.Database) {
    this.endpoints = new EndpointRepository(sqlite);
    this.prepare = cachedPreparer(sqlite);
  }

  /**
   * Enqueues events after each endpoint's `last_enqueued_sequence` (at most `batch` per endpoint
   * per call) that match its subscriptions. Disabled endpoints keep collecting a backlog.
   * Returns how many rows were created.
   */
  fanOut(now: number, newDeliveryId: () => string, batch = 1000): number {
    let created = 0;
    this.sqlite.transaction(() => {
      const head = (this.prepare('select coalesce(max(sequence), 0) as max from events').get() as { max: number }).max;
      const endpoints = this.prepare('select id, last_enqueued_sequence as last from webhook_endpoints where last_enqueued_sequence < ?').all(head) as Array<{ id: string; last: number }>;
      const readEvents = this.prepare('select sequence, id, type, mailbox_id as mailboxId, ordering_key as orderingKey from events where sequence > ? and sequence <= ? order by sequence limit ?');
      const insert = this.prepare(`insert into deliveries (id, endpoint_id, event_sequence, event_id, ordering_key, attempt, kind, status, scheduled_at) values (?, ?, ?, ?, ?, 1, 'normal', 'pending', ?)`);
      const advance = this.prepare('update webhook_endpoints set last_enqueued_sequence = ? where id = ?');
      for (const endpoint of endpoints) {
        const rules = this.endpoints.subscriptions(endpoint.id);
        const events = readEvents.all(endpoint.last, head, batch) as Array<{ sequence: number; id: string; type: string; mailboxId: string; orderingKey: string }>;
        for (const event of events) {
          if (!matchesSubscriptions(rules, event)) continue;
          insert.run(newDeliveryId(), endpoint.id, event.sequence, event.id, event.orderingKey, now);
          created += 1;
        }
        advance.run(events.length === batch ? events[events.length - 1].sequence : head, endpoint.id);
      }
    }).immediate();
    return created;
  }

  /** Claims up to `limit` due thread heads of one enabled endpoint for `holder`, with their events. */
  claimDue({ endpointId, holder, now, limit }: Claim): ClaimedDelivery[] {
    if (limit <= 0) return [];
    return this.sqlite.transaction(() => {
      const rows = this
        .prepare(`select ${COLUMNS}, e.type as eventType, e.body from deliveries d join events e on e.sequence = d.event_sequence
          join webhook_endpoints w on w.id = d.endpoint_id
          where d.endpoint_id = ? and d.kind = 'normal' and d.status = 'pending' and d.scheduled_at <= ? and w.enabled = 1 and ${IS_HEAD}
          order by d.scheduled_at limit ?`)
        .all(endpointId, now, limit) as Array<RawDelivery & { eventType: string; body: string }>;
      const mark = this.prepare(`update deliveries set status = 'in_flight', started_at = ?, claimed_by = ?, claimed_at = ? where id = ? and status = 'pending'`);
      const claimed = rows.filter((row) => mark.run(now, holder, now, row.id).changes === 1);
      return claimed.map((row) => ({ ...toRow(row), status: 'in_flight' as const, startedAt: now }));
    }).immediate();
  }

  /** Enabled endpoints that have due thread heads (one indexed probe per endpoint). */
  endpointsWithDueWork(now: number): string[] {
    return (this
      .prepare(`select w.id from webhook_endpoints w where w.enabled = 1 and exists (select 1 from deliveries d
        where d.endpoint_id = w.id and d.status = 'pending' and d.kind = 'normal' and d.scheduled_at <= ? and ${IS_HEAD})`)
      .all(now) as Array<{ id: string }>).map((row) => row.id);
  }

  /** The earliest thread head of an enabled endpoint scheduled after `now`, if any. */
  nextScheduledAfter(now: number): number | null {
    const row = this
      .prepare(`select d.scheduled_at as at from deliveries d join webhook_endpoints w on w.id = d.endpoint_id
        where d.status = 'pending' and d.kind = 'normal' and d.scheduled_at > ? and w.enabled = 1 and ${IS_HEAD}
        order by d.scheduled_at limit 1`)
      .get(now) as { at: number } | undefined;
    return row?.at ?? null;
  }

  /** An attempt cancelled by a graceful stop goes back to pending, unchanged, as if never claimed. */
  release(id: string, holder: string): void {
    this.prepare(`update deliveries set status = 'pending', started_at = null, claimed_by = null, claimed_at = null where id = ? and status = 'in_flight' and claimed_by = ?`).run(id, holder);
  }

  /**
   * Writes an attempt's outcome; when `next` is given, the next attempt's pending row; and the
   * endpoint's health update — all in one transaction. Returns false (and writes nothing) when
   * `holder` no longer holds the attempt's claim.
   */
  recordOutcome({ delivery, holder, result, finishedAt, next, abandoned, health }: Outcome): boolean {
    const status: DeliveryStatus = result.ok ? 'succeeded' : abandoned ? 'abandoned' : 'failed';
    return this.sqlite.transaction(() => {
      const updated = this
        .prepare(`update deliveries set status = ?, finished_at = ?, response_status = ?, latency_ms = ?, response_headers = ?, response_body = ?, error_class = ?, error_message = ?
          where id = ? and status = 'in_flight' and claimed_by = ?`)
        .run(status, finishedAt, result.status, result.latencyMs, JSON.stringify(result.responseHeaders), result.responseBody, result.errorClass, result.errorMessage, delivery.id, holder);
      // The claim went stale and was released, or the endpoint was removed: someone else owns what happens next.
      if (updated.changes === 0) return false;
      if (next) this.insertNextAttempt(delivery, next.id, next.scheduledAt);
      if (health) this.endpoints.applyHealthInTransaction(delivery.endpointId, health, finishedAt);
      return true;
    }).immediate();
  }

  private insertNextAttempt(delivery: Pick<DeliveryRow, 'endpointId' | 'eventSequence' | 'eventId' | 'orderingKey' | 'attempt' | 'kind'>, id: string, scheduledAt: number): void {
    this
      .prepare(`insert into deliveries (id, endpoint_id, event_sequence, event_id, ordering_key, attempt, kind, status, scheduled_at) values (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`)
      .run(id, delivery.endpointId, delivery.eventSequence, delivery.eventId, delivery.orderingKey, delivery.attempt + 1, delivery.kind, scheduledAt);
  }

  /**
   * Claims taken before `claimedBefore` (whoever holds them) are closed as failed/interrupted
   * and a new attempt is scheduled at `now`. Returns how many were released.
   */
  releaseStaleClaims({ claimedBefore, now, newDeliveryId }: { claimedBefore: number; now: number; newDeliveryId: () => string }): number {
    return this.sqlite.transaction(() => {
      const rows = this.prepare(`select ${COLUMNS} from deliveries d where d.status = 'in_flight' and d.claimed_at < ?`).all(claimedBefore) as RawDelivery[];
      const close = this.prepare(`update deliveries set status = 'failed', finished_at = ?, error_class = 'interrupted', error_message = 'the attempt was in flight when its worker stopped (its claim expired)' where id = ?`);
      for (const row of rows) {
        close.run(now, row.id);
        this.insertNextAttempt(row, newDeliveryId(), now);
      }
      return rows.length;
    }).immediate();
  }

  /** A delivery attempt sent outside the queue (a test ping): logged, never retried, never counted. */
  logAttempt(row: DeliveryRow): void {
    this
      .prepare(`insert into deliveries (id, endpoint_id, event_sequence, event_id, ordering_key, attempt, kind, status, scheduled_at, started_at, finished_at, response_status, latency_ms, response_headers, response_body, error_class, error_message)
        values (@id, @endpointId, @eventSequence, @eventId, @orderingKey, @attempt, @kind, @status, @scheduledAt, @startedAt, @finishedAt, @responseStatus, @latencyMs, @responseHeaders, @responseBody, @errorClass, @errorMessage)`)
      .run({ ...row, responseHeaders: row.responseHeaders === null ? null : JSON.stringify(row.responseHeaders) });
  }

  get(id: string): DeliveryRow | undefined {
    const raw = this.prepare(`select ${COLUMNS} from deliveries d where d.id = ?`).get(id) as RawDelivery | undefined;
    return raw ? toRow(raw) : undefined;
  }

  list(query: DeliveryQuery): DeliveryRow[] {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (query.endpointId) {
      clauses.push('d.endpoint_id = ?');
      params.push(query.endpointId);
    }
    if (query.status === 'failed') clauses.push(`d.status in ('failed', 'abandoned')`);
    else if (query.status === 'pending') clauses.push(`d.status in ('pending', 'in_flight')`);
    else if (query.status === 'abandoned') clauses.push(`d.status = 'abandoned'`);
    else if (query.status === 'succeeded') clauses.push(`d.status = 'succeeded'`);
    if (query.since !== undefined) {
      clauses.push('coalesce(d.finished_at, d.scheduled_at) >= ?');
      params.push(query.since);
    }
    const where = clauses.length > 0 ? `where ${clauses.join(' and ')}` : '';
    return (this.prepare(`select ${COLUMNS} from deliveries d ${where} order by coalesce(d.finished_at, d.scheduled_at) desc, d.id desc limit ?`).all(...params, query.limit) as RawDelivery[]).map(toRow);
  }

  /** All attempts of one event to one endpoint, oldest first. */
  attemptsOf(endpointId: string, eventSequence: number): DeliveryRow[] {
    return (this.prepare(`select ${COLUMNS} from deliveries d where d.endpoint_id = ? and d.event_sequence = ? order by d.attempt, d.id`).all(endpointId, eventSequence) as RawDelivery[]).map(toRow);
  }

  /**
   * Schedules a fresh attempt now for abandoned deliveries (one id, or every abandoned one of an
   * endpoint), unless the event already has an open or succeeded attempt. Returns the new rows' ids.
   */
  retry(input: { deliveryId?: string; endpointId?: string }, now: number, newDeliveryId: () => string): string[] {
    return this.sqlite.transaction(() => {
      const candidates = input.deliveryId
        ? (this.prepare(`select ${COLUMNS} from deliveries d where d.id = ?`).all(input.deliveryId) as RawDelivery[])
        : (this.prepare(`select ${COLUMNS} from deliveries d where d.endpoint_id = ? and d.status = 'abandoned' and d.kind = 'normal' order by d.event_sequence`).all(input.endpointId) as RawDelivery[]);
      const open = this.prepare(`select 1 from deliveries where endpoint_id = ? and event_sequence = ? and kind = 'normal' and status in ('pending', 'in_flight', 'succeeded') limit 1`);
      const last = this.prepare(`select max(attempt) as attempt from deliveries where endpoint_id = ? and event_sequence = ? and kind = 'normal'`);
      const created: string[] = [];
      for (const row of candidates) {
        if (row.kind !== 'normal' || !['failed', 'abandoned'].includes(row.status)) continue;
        if (open.get(row.endpointId, row.eventSequence)) continue;
        const attempt = (last.get(row.endpointId, row.eventSequence) as { attempt: number }).attempt;
        const id = newDeliveryId();
        this.insertNextAttempt({ ...row, attempt }, id, now);
        created.push(id);
      }
      return created;
    }).immediate();
  }

  pendingCount(endpointId: string): number {
    return (this.prepare(`select count(*) as n from deliveries where endpoint_id = ? and status in ('pending', 'in_flight')`).get(endpointId) as { n: number }).n;
  }

  /** The last finished attempt's failure (`HTTP 500`, `Connection refused …`), or null when it succeeded or none finished. */
  lastError(endpointId: string): { message: string; at: number } | null {
    const row = this.prepare(`select status, response_status as responseStatus, error_class as errorClass, error_message as errorMessage, finished_at as finishedAt from deliveries where endpoint_id = ? and kind = 'normal' and finished_at is not null order by finished_at desc limit 1`).get(endpointId) as
      | { status: DeliveryStatus; responseStatus: number | null; errorClass: string | null; errorMessage: string | null; finishedAt: number }
      | undefined;
    if (!row || row.status === 'succeeded') return null;
    return { message: describeOutcome({ status: row.responseStatus, errorClass: row.errorClass, errorMessage: row.errorMessage }), at: row.finishedAt };
  }

  lastDeliveryAt(endpointId: string): number | null {
    return (this.prepare(`select max(finished_at) as at from deliveries where endpoint_id = ? and kind = 'normal'`).get(endpointId) as { at: number | null }).at;
  }
}

