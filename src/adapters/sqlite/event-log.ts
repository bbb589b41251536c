/**
 * The append-only event log. Appending happens only inside a caller's transaction (so events
 * commit with the state they describe); `sequence` is global, gap-free and assigned here.
 * The stored `body` is the exact JSON that consumers receive and signatures cover.
 */
import type Database from 'better-sqlite3';
import type { EventDraft } from '../../core/event-drafts.js';
import type { MailmonEvent } from '../../core/events.js';
import { eventsAppended } from './commit-signal.js';
import { cachedPreparer, type Prepare } from './statements.js';

import type { EventFilter, StoredEvent } from '../../app/ports/event-log.js';

export type { EventFilter, StoredEvent };

export class EventLog {
  private readonly maxStatement: Database.Statement;
  private readonly insertStatement: Database.Statement;
  // Readers (listen, replay, the API) read the log in batches with the same filter every time.
  private readonly prepare: Prepare;

  constructor(private readonly sqlite: Database.Database) {
    this.prepare = cachedPreparer(sqlite);
    this.maxStatement = sqlite.prepare('select coalesce(max(sequence), 0) as max from events');
    this.insertStatement = sqlite.prepare('insert into events (sequence, id, type, mailbox_id, ordering_key, occurred_at, body) values (?, ?, ?, ?, ?, ?, ?)');
  }

  maxSequence(): number {
    return (this.maxStatement.get() as { max: number }).max;
  }

  /** Must run inside a write transaction; the change notifiers of this process wake after it. Returns the stored events in order. */
  append(drafts: readonly EventDraft[], mailbox: { id: string; emailAddress: string }, occurredAt: number): StoredEvent[] {
    if (drafts.length === 0) return [];
    eventsAppended(this.sqlite);
    let sequence = this.maxSequence();
    const occurredIso = new Date(occurredAt).toISOString();
    return drafts.map((draft) => {
      sequence += 1;
      const envelope = { id: draft.id, object: 'event', type: draft.type, schemaVersion: 1, sequence, occurredAt: occurredIso, mailboxId: mailbox.id, emailAddress: mailbox.emailAddress, data: draft.data };
      const body = JSON.stringify(envelope);
      this.insertStatement.run(sequence, draft.id, draft.type, mailbox.id, draft.orderingKey, occurredAt, body);
      return { sequence, id: draft.id, type: draft.type, mailboxId: mailbox.id, orderingKey: draft.orderingKey, occurredAt, body };
    });
  }

  /** Events after a sequence, oldest first. */
  readAfter(afterSequence: number, limit: number, filter: EventFilter = {}): StoredEvent[] {
    const { where, params } = filterSql(filter);
    return this
      .prepare(`select sequence, id, type, mailbox_id as mailboxId, ordering_key as orderingKey, occurred_at as occurredAt, body from events where sequence > ?${where} order by sequence limit ?`)
      .all(afterSequence, ...params, limit) as StoredEvent[];
  }

  /** The newest events (for `events list` / `tail --last N`), returned oldest first. */
  readLatest(limit: number, filter: EventFilter = {}): StoredEvent[] {
    const { where, params } = filterSql(filter);
    const rows = this.sqlite
      .prepare(`select sequence, id, type, mailbox_id as mailboxId, ordering_key as orderingKey, occurred_at as occurredAt, body from events where 1 = 1${where} order by sequence desc limit ?`)
      .all(...params, limit) as StoredEvent[];
    return rows.reverse();
  }

  get(idOrSequence: string): StoredEvent | undefined {
    const bySequence = /^\d+$/.test(idOrSequence);
    return this.sqlite
      .prepare(`select sequence, id, type, mailbox_id as mailboxId, ordering_key as orderingKey, occurred_at as occurredAt, body from events where ${bySequence ? 'sequence' : 'id'} = ?`)
      .get(bySequence ? Number(idOrSequence) : idOrSequence) as StoredEvent | undefined;
  }

  count(filter: EventFilter = {}): number {
    const { where, params } = filterSql(filter);
    return (this.sqlite.prepare(`select count(*) as n from events where 1 = 1${where}`).get(...params) as { n: number }).n;
  }
}

function filterSql(filter: EventFilter): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.mailboxIds && filter.mailboxIds.length > 0) {
    clauses.push(`mailbox_id in (${filter.mailboxIds.map(() => '?').join(',')})`);
    params.push(...filter.mailboxIds);
  }
  if (filter.types && filter.types.length > 0) {
    clauses.push(`type in (${filter.types.map(() => '?').join(',')})`);
    params.push(...filter.types);
  }
  if (filter.since !== undefined) {
    clauses.push('occurred_at >= ?');
    params.push(filter.since);
  }
  if (filter.until !== undefined) {
    clauses.push('occurred_at < ?');
    params.push(filter.until);
  }
  if (filter.maxSequence !== undefined) {
    clauses.push('sequence <= ?');
    params.push(filter.maxSequence);
  }
  return { where: clauses.map((clause) => ` and ${clause}`).join(''), params };
}

export function parseStoredEvent(event: StoredEvent): MailmonEvent {
  return JSON.parse(event.body) as MailmonEvent;
}
