/** Read-only views of mailboxes for `mailmon mailboxes` and `mailmon status`. */
import { resolveMailboxRef } from '../core/mailbox-ref.js';
import { watchHealth, type WatchHealth } from '../core/push.js';
import type { MailboxRow, Mailboxes } from './ports/mailboxes.js';
import type { PushWatchRow } from './ports/push-watches.js';
import type { Storage } from './ports/storage.js';

/** A mailbox's Gmail push watch; null when push never watched it. */
export interface WatchView {
  state: WatchHealth;
  topic: string;
  expiration: string | null;
  watchedAt: string | null;
  /** Why the last users.watch failed (state failed). */
  error: string | null;
  lastNotifiedAt: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Each watch row as `mailboxes` and `status` show it, by mailbox id. */
export function watchViews(rows: PushWatchRow[], now: number): Map<string, WatchView> {
  return new Map(rows.map((row) => [row.mailboxId, { state: watchHealth(row, now), topic: row.topic, expiration: iso(row.expiration), watchedAt: iso(row.watchedAt), error: row.error, lastNotifiedAt: iso(row.lastNotifiedAt) }]));
}

export interface MailboxView {
  id: string;
  emailAddress: string;
  name: string | null;
  status: string;
  statusReason: string | null;
  syncState: 'never synced' | 'full sync in progress' | 'synced';
  historyId: string | null;
  lastSyncAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  messageCount: number;
  fullSync: { processed: number; total: number } | null;
  push: WatchView | null;
}

/** Which mailbox a MAILBOX argument means (core/mailbox-ref.ts) among the connected ones. */
export async function resolveMailbox(mailboxes: Pick<Mailboxes, 'list'>, ref: string | undefined): Promise<MailboxRow> {
  return resolveMailboxRef(await mailboxes.list(), ref);
}

export async function listMailboxes(storage: Pick<Storage, 'mailboxes' | 'pushWatches'>, now: number): Promise<MailboxView[]> {
  const watches = watchViews(await storage.pushWatches.list(), now);
  const mailboxes = await storage.mailboxes.list();
  return Promise.all(mailboxes.map(async (mailbox) => ({
    id: mailbox.id,
    emailAddress: mailbox.emailAddress,
    name: mailbox.name,
    status: mailbox.status,
    statusReason: mailbox.statusReason,
    syncState: mailbox.fullSyncCheckpoint ? 'full sync in progress' as const : mailbox.historyId ? 'synced' as const : 'never synced' as const,
    historyId: mailbox.historyId,
    lastSyncAt: mailbox.lastSyncAt ? new Date(mailbox.lastSyncAt).toISOString() : null,
    lastSuccessAt: mailbox.lastSuccessAt ? new Date(mailbox.lastSuccessAt).toISOString() : null,
    lastError: mailbox.lastError,
    messageCount: await storage.mailboxes.messageCount(mailbox.id),
    fullSync: mailbox.fullSyncCheckpoint ? { processed: mailbox.fullSyncCheckpoint.processed, total: mailbox.fullSyncCheckpoint.total } : null,
    push: watches.get(mailbox.id) ?? null,
  })));
}
