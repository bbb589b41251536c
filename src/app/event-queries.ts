/** `mailmon events list|show`: query the durable log. */
import type Database from 'better-sqlite3';
import { MailmonError } from '../core/errors.js';
import { expandEventTypes } from '../core/event-filter.js';
import type { MailmonEvent } from '../core/events.js';
import { EventLog, parseStoredEvent, type EventFilter } from '../adapters/sqlite/event-log.js';
import { MailboxRepository } from '../adapters/sqlite/mailbox-repository.js';

export interface EventQuery {
  types?: string;
  mailbox?: string;
  since?: number;
  until?: number;
  limit: number;
}

export function eventFilter(sqlite: Database.Database, query: Omit<EventQuery, 'limit'>): EventFilter {
  return {
    types: expandEventTypes(query.types),
    mailboxIds: query.mailbox ? [new MailboxRepository(sqlite).resolve(query.mailbox).id] : undefined,
    since: query.since,
    until: query.until,
  };
}

/** More than one mailbox connected: listings then name each event's mailbox. */
export function severalMailboxes(sqlite: Database.Database): boolean {
  return new MailboxRepository(sqlite).list().length > 1;
}

/** The newest `limit` matching events, oldest first. */
export function listEvents(sqlite: Database.Database, query: EventQuery): MailmonEvent[] {
  return new EventLog(sqlite).readLatest(query.limit, eventFilter(sqlite, query)).map(parseStoredEvent);
}

export function showEvent(sqlite: Database.Database, id: string): MailmonEvent {
  const stored = new EventLog(sqlite).get(id);
  if (!stored) throw new MailmonError('not_found', `No event "${id}".`, { hint: 'Use an id (evt_…) or sequence number from "mailmon events list".' });
  return parseStoredEvent(stored);
}
