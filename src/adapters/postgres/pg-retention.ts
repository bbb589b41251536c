/**
 * The Retention port on PostgreSQL (src/app/ports/retention.ts): the same rules as SQLite,
 * batched deletes of finished delivery attempts, then of events, each batch its own short
 * transaction so writers are never blocked for long. The newest event is never deleted, so an
 * appender (which counts from max(sequence)) never reuses a sequence; a reader never sees a gap
 * below the head because only events below it, oldest dates first, are deleted.
 */
import type { Retention } from '../../app/ports/retention.js';
import { query, type PgHandle } from './pg-transaction.js';

const BATCH = 5000;

const DELETE_ATTEMPTS = `delete from deliveries where id in (
  select d.id from deliveries d where d.status in ('succeeded', 'failed', 'abandoned') and coalesce(d.finished_at, d.scheduled_at) < $1
    and not exists (select 1 from deliveries o where o.endpoint_id = d.endpoint_id and o.event_sequence = d.event_sequence and o.kind = d.kind and o.status in ('pending', 'in_flight'))
  limit ${BATCH})`;

const DELETE_EVENTS = `delete from events where sequence in (
  select e.sequence from events e where e.occurred_at < $1
    and e.sequence < (select max(sequence) from events)
    and e.sequence <= coalesce((select min(last_enqueued_sequence) from webhook_endpoints), e.sequence)
    and not exists (select 1 from deliveries d where d.event_sequence = e.sequence and d.status in ('pending', 'in_flight'))
  limit ${BATCH})`;

/** Runs `sql` (one autocommitted statement per batch) until a batch deletes fewer than BATCH rows. */
async function deleteInBatches(store: PgHandle, sql: string, cutoff: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const changes = (await query(store, sql, [cutoff])).rowCount ?? 0;
    deleted += changes;
    if (changes < BATCH) return deleted;
  }
}

export function postgresRetention(store: PgHandle): Retention {
  return {
    async pruneOlderThan(cutoff) {
      const attemptsDeleted = await deleteInBatches(store, DELETE_ATTEMPTS, cutoff);
      const eventsDeleted = await deleteInBatches(store, DELETE_EVENTS, cutoff);
      return { attemptsDeleted, eventsDeleted };
    },
  };
}
