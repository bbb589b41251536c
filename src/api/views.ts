/** Store rows as the API's JSON resources: ISO timestamps, an `object` name, no internals. */
import type { Static } from 'typebox';
import type { MailboxRow, Mailboxes } from '../app/ports/mailboxes.js';
import type { StoredEvent } from '../app/ports/event-log.js';
import type { DeliveryRow } from '../app/ports/delivery-queue.js';
import type { EndpointRow } from '../app/ports/endpoints.js';
import type { SyncRunRow } from '../app/ports/sync-runs.js';
import type { EndpointListItem } from '../app/endpoint-queries.js';
import type { Delivery, Endpoint, Event, Mailbox, SyncRun } from './schemas.js';

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

export function syncRunView(row: SyncRunRow): Static<typeof SyncRun> {
  return {
    id: row.id, object: 'sync_run', mailboxId: row.mailboxId, kind: row.kind, status: row.status, startedAt: iso(row.startedAt)!, finishedAt: iso(row.finishedAt),
    endHistoryId: row.endHistoryId, created: row.created, updated: row.updated, deleted: row.deleted, fetched: row.fetched, events: row.events, quotaUnits: row.quotaUnits,
    errorClass: row.errorClass, errorMessage: row.errorMessage,
  };
}

export function endpointView(item: EndpointListItem, row: Pick<EndpointRow, 'headers' | 'previousSecretExpiresAt'>, now: number): Static<typeof Endpoint> {
  const rotating = row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt > now;
  return {
    id: item.id, object: 'endpoint', url: item.url, description: item.description, signatureScheme: item.signatureScheme, headerNames: Object.keys(row.headers),
    health: item.health, enabled: item.enabled, disabledReason: item.disabledReason, consecutiveFailures: item.consecutiveFailures, failingSince: iso(item.failingSince),
    pending: item.pending, lastDeliveryAt: iso(item.lastDeliveryAt), lastError: item.lastError, subscriptions: item.subscriptions.map(({ eventType, mailboxId }) => ({ eventType, mailboxId })),
    previousSecretExpiresAt: rotating ? iso(row.previousSecretExpiresAt) : null, createdAt: iso(item.createdAt)!,
  };
}

export function deliveryView(row: DeliveryRow): Static<typeof Delivery> {
  return {
    id: row.id, object: 'delivery', endpointId: row.endpointId, eventId: row.eventId, eventSequence: row.eventSequence, attempt: row.attempt, kind: row.kind, status: row.status,
    scheduledAt: iso(row.scheduledAt)!, startedAt: iso(row.startedAt), finishedAt: iso(row.finishedAt), responseStatus: row.responseStatus, latencyMs: row.latencyMs,
    errorClass: row.errorClass, errorMessage: row.errorMessage,
  };
}
