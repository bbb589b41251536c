/** Store rows as the API's JSON resources: ISO timestamps, an `object` name, no internals. */
import type { Static } from 'typebox';
import type { MailboxRow, Mailboxes } from '../app/ports/mailboxes.js';
import type { StoredEvent } from '../app/ports/event-log.js';
import type { Event, Mailbox } from './schemas.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function mailboxView(row: MailboxRow, mailboxes: Pick<Mailboxes, 'messageCount'>): Promise<Static<typeof Mailbox>> {
  const checkpoint = row.fullSyncCheckpoint;
  return {
    id: row.id,
    object: 'mailbox',
    emailAddress: row.emailAddress,
    name: row.name,
    status: row.status,
    statusReason: row.statusReason,
    syncState: checkpoint ? 'full sync in progress' : row.historyId ? 'synced' : 'never synced',
    historyId: row.historyId,
    fullSync: checkpoint ? { processed: checkpoint.processed, total: checkpoint.total } : null,
    messageCount: await mailboxes.messageCount(row.id),
    lastSyncAt: iso(row.lastSyncAt),
    lastSuccessAt: iso(row.lastSuccessAt),
    lastError: row.lastError,
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
  };
}

/** The stored body is the exact JSON webhooks deliver. */
export function eventView(event: StoredEvent): Static<typeof Event> {
  return JSON.parse(event.body) as Static<typeof Event>;
}
