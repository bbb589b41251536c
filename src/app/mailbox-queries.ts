/** Read-only views of mailboxes for `mailmon mailboxes` and `mailmon status`. */
import type Database from 'better-sqlite3';
import { MailboxRepository } from '../adapters/sqlite/mailbox-repository.js';
import { PushWatches } from '../adapters/sqlite/push-watches.js';
import { watchHealth, type WatchHealth } from '../core/push.js';

/** A mailbox's Gmail push watch (issue 18); null when push never watched it. */
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

export function watchViews(sqlite: Database.Database, now: number): Map<string, WatchView> {
  return new Map(new PushWatches(sqlite).list().map((row) => [row.mailboxId, { state: watchHealth(row, now), topic: row.topic, expiration: iso(row.expiration), watchedAt: iso(row.watchedAt), error: row.error, lastNotifiedAt: iso(row.lastNotifiedAt) }]));
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

/** The mailbox a command means: by id or address, or the only one. */
export function resolveMailbox(sqlite: Database.Database, mailbox: string | undefined): { id: string; emailAddress: string } {
  const row = new MailboxRepository(sqlite).resolve(mailbox);
  return { id: row.id, emailAddress: row.emailAddress };
}

export function listMailboxes(sqlite: Database.Database, now = Date.now()): MailboxView[] {
  const repository = new MailboxRepository(sqlite);
  const watches = watchViews(sqlite, now);
  return repository.list().map((mailbox) => ({
    id: mailbox.id,
    emailAddress: mailbox.emailAddress,
    name: mailbox.name,
    status: mailbox.status,
    statusReason: mailbox.statusReason,
    syncState: mailbox.fullSyncCheckpoint ? 'full sync in progress' : mailbox.historyId ? 'synced' : 'never synced',
    historyId: mailbox.historyId,
    lastSyncAt: mailbox.lastSyncAt ? new Date(mailbox.lastSyncAt).toISOString() : null,
    lastSuccessAt: mailbox.lastSuccessAt ? new Date(mailbox.lastSuccessAt).toISOString() : null,
    lastError: mailbox.lastError,
    messageCount: repository.messageCount(mailbox.id),
    fullSync: mailbox.fullSyncCheckpoint ? { processed: mailbox.fullSyncCheckpoint.processed, total: mailbox.fullSyncCheckpoint.total } : null,
    push: watches.get(mailbox.id) ?? null,
  }));
}
