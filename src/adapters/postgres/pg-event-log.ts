/**
 * The event log on PostgreSQL: appended inside the writer's transaction, read by the EventLog
 * port (src/app/ports/event-log.ts).
 *
 * Exactly-once and gap-free for readers, by construction. A PostgreSQL sequence is taken before
 * commit, so a transaction holding 41 could commit after a reader has read 42, and the reader
 * would skip 41 forever. Instead every append takes ONE transaction-level advisory lock
 * (pg_advisory_xact_lock, AdvisoryLock.eventLog) as the last step of its transaction, reads
 * max(sequence) under it (in READ COMMITTED each statement sees what committed before it began,
 * so the previous holder's rows are visible) and inserts max+1…; the lock is released only when
 * the transaction ends, after its commit became visible. So sequence order is commit order: when
 * a reader sees sequence n committed, every sequence below n is committed too, and nothing at or
 * below max(sequence) can still appear. `head()` = the highest committed sequence is safe.
 * The price is that appends serialize on that lock; it is held only from the append to the
 * commit (the appender does all its other work first).
 */
import type { EventDraft } from '../../core/event-drafts.js';
import type { EventFilter, EventLog, StoredEvent } from '../../app/ports/event-log.js';
import { ADVISORY_NAMESPACE, AdvisoryLock } from './advisory-locks.js';
import { eventsAppended } from './pg-commit-signal.js';
import { chunks, num, query, valuesList, type PgHandle, type Queryable } from './pg-transaction.js';

const EVENT_COLUMNS = 'sequence, id, type, mailbox_id, ordering_key, occurred_at, body';

interface EventRow {
  sequence: string;
  id: string;
  type: string;
  mailbox_id: string;
  ordering_key: string;
  occurred_at: string;
  body: string;
}

/** Must be the last writes of the caller's transaction: from here to its commit, every other appender waits. */
export async function appendEvents(client: Queryable, drafts: readonly EventDraft[], mailbox: { id: string; emailAddress: string }, occurredAt: number): Promise<StoredEvent[]> {
  if (drafts.length === 0) return [];
  await client.query('select pg_advisory_xact_lock($1, $2)', [ADVISORY_NAMESPACE, AdvisoryLock.eventLog]);
  const head = await client.query<{ max: string }>('select coalesce(max(sequence), 0) as max from events');
  let sequence = Number(head.rows[0].max);
  const occurredIso = new Date(occurredAt).toISOString();
  const events = drafts.map((draft): StoredEvent => {
    sequence += 1;
    const envelope = { id: draft.id, object: 'event', type: draft.type, schemaVersion: 1, sequence, occurredAt: occurredIso, mailboxId: mailbox.id, emailAddress: mailbox.emailAddress, data: draft.data };
    return { sequence, id: draft.id, type: draft.type, mailboxId: mailbox.id, orderingKey: draft.orderingKey, occurredAt, body: JSON.stringify(envelope) };
  });
  for (const chunk of chunks(events, 1000)) {
    const params = chunk.flatMap((event) => [event.sequence, event.id, event.type, event.mailboxId, event.orderingKey, event.occurredAt, event.body]);
    await client.query(`insert into events (${EVENT_COLUMNS}) values ${valuesList(chunk.length, 7)}`, params);
  }
  eventsAppended(client);
  return events;
}

export function postgresEventLog(store: PgHandle): EventLog {
  const select = async (where: string, params: unknown[], order: string) => {
    const rows = await query<EventRow>(store, `select ${EVENT_COLUMNS} from events where ${where} ${order}`, params);
    return rows.rows.map(toStoredEvent);
  };
  return {
    async head() {
      const rows = await query<{ max: string }>(store, 'select coalesce(max(sequence), 0) as max from events');
      return Number(rows.rows[0].max);
    },
    async readAfter(afterSequence, limit, filter = {}) {
      const { where, params } = filterSql(filter, [afterSequence]);
      return select(`sequence > $1${where}`, [...params, limit], `order by sequence limit $${params.length + 1}`);
    },
    async readLatest(limit, filter = {}) {
      const { where, params } = filterSql(filter, []);
      return (await select(`true${where}`, [...params, limit], `order by sequence desc limit $${params.length + 1}`)).reverse();
    },
    async get(idOrSequence) {
      const bySequence = /^\d+$/.test(idOrSequence);
      return (await select(bySequence ? 'sequence = $1' : 'id = $1', [bySequence ? Number(idOrSequence) : idOrSequence], ''))[0];
    },
    async count(filter = {}) {
      const { where, params } = filterSql(filter, []);
      return Number((await query<{ n: string }>(store, `select count(*) as n from events where true${where}`, params)).rows[0].n);
    },
  };
}

function toStoredEvent(row: EventRow): StoredEvent {
  return { sequence: num(row.sequence), id: row.id, type: row.type, mailboxId: row.mailbox_id, orderingKey: row.ordering_key, occurredAt: num(row.occurred_at), body: row.body };
}

/** `params` are the ones already in the statement; the filter's follow them. */
function filterSql(filter: EventFilter, params: unknown[]): { where: string; params: unknown[] } {
  const all = [...params];
  const clauses: string[] = [];
  const add = (clause: (n: string) => string, value: unknown) => {
    all.push(value);
    clauses.push(clause(`$${all.length}`));
  };
  if (filter.mailboxIds && filter.mailboxIds.length > 0) add((n) => `mailbox_id = any(${n}::text[])`, filter.mailboxIds);
  if (filter.types && filter.types.length > 0) add((n) => `type = any(${n}::text[])`, filter.types);
  if (filter.since !== undefined) add((n) => `occurred_at >= ${n}`, filter.since);
  if (filter.until !== undefined) add((n) => `occurred_at < ${n}`, filter.until);
  if (filter.maxSequence !== undefined) add((n) => `sequence <= ${n}`, filter.maxSequence);
  return { where: clauses.map((clause) => ` and ${clause}`).join(''), params: all };
}
