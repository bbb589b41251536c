/**
 * Reading the event log by cursor, the one rule shared by `GET /v1/events` and the stream: a
 * cursor is a sequence; a page holds the matching events after it, up to the log's head, so a
 * page never skips an event that could still commit below it.
 */
import type { EventFilter, EventLog, StoredEvent } from '../app/ports/event-log.js';
import type { Mailboxes } from '../app/ports/mailboxes.js';
import { readUpToHead } from '../app/read-log.js';
import { expandEventTypes } from '../core/event-filter.js';
import { ApiError } from './errors.js';

export interface EventPage {
  events: StoredEvent[];
  /** Where the next read starts: past every event this read covered, matching or not. */
  cursor: number;
  /** False when the read stopped at `limit` and more may follow at once. */
  caughtUp: boolean;
}

export async function eventFilterOf(mailboxes: Pick<Mailboxes, 'get' | 'findByAddress'>, query: { type?: string; mailboxId?: string }): Promise<EventFilter> {
  const filter: EventFilter = { types: expandEventTypes(query.type) };
  if (query.mailboxId !== undefined) {
    const mailbox = (await mailboxes.get(query.mailboxId)) ?? (await mailboxes.findByAddress(query.mailboxId));
    if (!mailbox) throw new ApiError(404, 'mailbox_not_found', `No mailbox "${query.mailboxId}".`, 'List them with GET /v1/mailboxes.');
    filter.mailboxIds = [mailbox.id];
  }
  return filter;
}

export async function readEventPage(events: EventLog, after: number, limit: number, filter: EventFilter): Promise<EventPage> {
  const batch = await readUpToHead(events, after, limit, filter);
  return { events: batch.events, cursor: batch.scannedTo, caughtUp: batch.events.length < limit };
}

export function parseCursor(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const cursor = Number(value);
  if (!Number.isSafeInteger(cursor) || cursor < 0) throw new ApiError(400, 'bad_request', `Invalid cursor "${value}".`, 'A cursor is an event sequence number (0 = the beginning).');
  return cursor;
}
