/** `mailmon events list|show`, and the filter every reader of the log builds from its flags. */
import { MailmonError } from '../core/errors.js';
import { expandEventTypes } from '../core/event-filter.js';
import type { MailmonEvent } from '../core/events.js';
import type { EventFilter } from './ports/event-log.js';
import type { MailboxRow } from './ports/mailboxes.js';
import type { Storage } from './ports/storage.js';
import { parseEvent } from './read-log.js';

export interface EventQuery {
  types?: string;
  mailbox?: string;
  since?: number;
  until?: number;
  limit: number;
}

export async function eventFilter(deps: Pick<Storage, 'mailboxes'>, query: Omit<EventQuery, 'limit'>): Promise<EventFilter> {
  return {
    types: expandEventTypes(query.types),
    mailboxIds: query.mailbox ? [(await mailboxByRef(deps, query.mailbox)).id] : undefined,
    since: query.since,
    until: query.until,
  };
}

/** A mailbox named by id, address (any case) or name. */
async function mailboxByRef(deps: Pick<Storage, 'mailboxes'>, ref: string): Promise<MailboxRow> {
  const found = (await deps.mailboxes.list()).find((m) => m.id === ref || m.emailAddress.toLowerCase() === ref.toLowerCase() || m.name === ref);
  if (!found) throw new MailmonError('mailbox_not_found', `No mailbox "${ref}".`, { hint: 'Run "mailmon mailboxes" to list them.' });
  return found;
}

/** More than one mailbox connected: listings then name each event's mailbox. */
export async function severalMailboxes(deps: Pick<Storage, 'mailboxes'>): Promise<boolean> {
  return (await deps.mailboxes.list()).length > 1;
}

/** The newest `limit` matching events, oldest first. */
export async function listEvents(deps: Pick<Storage, 'mailboxes' | 'events'>, query: EventQuery): Promise<MailmonEvent[]> {
  return (await deps.events.readLatest(query.limit, await eventFilter(deps, query))).map((event) => parseEvent(event.body));
}

export async function showEvent(deps: Pick<Storage, 'events'>, id: string): Promise<MailmonEvent> {
  const stored = await deps.events.get(id);
  if (!stored) throw new MailmonError('not_found', `No event "${id}".`, { hint: 'Use an id (evt_…) or sequence number from "mailmon events list".' });
  return parseEvent(stored.body);
}
