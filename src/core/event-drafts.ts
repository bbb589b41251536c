/**
 * Event drafts about a mailbox itself and the ordering keys every event is grouped by. Apart from
 * the message diff (diff.ts) so that writers of status changes need not load it and its MIME
 * address parser.
 */
import type { EventType, MailboxResyncedData, MailboxStatusChangedData } from './events.js';

export interface EventDraft {
  id: string;
  type: EventType;
  orderingKey: string;
  data: unknown;
}

export function threadOrderingKey(mailboxId: string, providerThreadId: string): string {
  return `${mailboxId}:thread:${providerThreadId}`;
}

export function mailboxOrderingKey(mailboxId: string): string {
  return `${mailboxId}:mailbox`;
}

export function statusChangedEvent(mailboxId: string, data: MailboxStatusChangedData, newId: () => string): EventDraft {
  return { id: newId(), type: 'mailbox.status_changed', orderingKey: mailboxOrderingKey(mailboxId), data };
}

export function resyncedEvent(mailboxId: string, data: MailboxResyncedData, newId: () => string): EventDraft {
  return { id: newId(), type: 'mailbox.resynced', orderingKey: mailboxOrderingKey(mailboxId), data };
}
