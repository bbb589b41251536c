/** The Retention port on SQLite: batched deletes of old delivery attempts, then old events. */
import type Database from 'better-sqlite3';
import type { Retention } from '../../app/ports/retention.js';

const BATCH = 5000;

const DELETE_ATTEMPTS = `delete from deliveries where id in (
  select d.id from deliveries d where d.status in ('succeeded', 'failed', 'abandoned') and coalesce(d.finished_at, d.scheduled_at) < ?
    and not exists (select 1 from deliveries o where o.endpoint_id = d.endpoint_id and o.event_sequence = d.event_sequence and o.kind = d.kind and o.status in ('pending', 'in_flight'))
  limit ${BATCH})`;

const DELETE_EVENTS = `delete from events where sequence in (
  select e.sequence from events e where e.occurred_at < ?
    and e.sequence < (select max(sequence) from events)
    and e.sequence <= coalesce((select min(last_enqueued_sequence) from webhook_endpoints), e.sequence)
    and not exists (select 1 from deliveries d where d.event_sequence = e.sequence and d.status in ('pending', 'in_flight'))
  limit ${BATCH})`;

/** Runs `sql` in batches of BATCH rows, one immediate transaction each; returns the rows deleted. */
function deleteInBatches(sqlite: Database.Database, sql: string, cutoff: number): number {
  const statement = sqlite.prepare(sql);
  let deleted = 0;
  for (;;) {
    const changes = sqlite.transaction(() => statement.run(cutoff).changes).immediate();
    deleted += changes;
    if (changes < BATCH) return deleted;
  }
}

export function sqliteRetention(sqlite: Database.Database): Retention {
  return {
    async pruneOlderThan(cutoff) {
      const attemptsDeleted = deleteInBatches(sqlite, DELETE_ATTEMPTS, cutoff);
      const eventsDeleted = deleteInBatches(sqlite, DELETE_EVENTS, cutoff);
      return { attemptsDeleted, eventsDeleted };
    },
  };
}
