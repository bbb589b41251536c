/**
 * The push_watches table: each mailbox's users.watch as last called (topic, state, expiration,
 * error) and the newest notification seen for it. One row per mailbox; written by the push
 * service, read by `status` and `mailboxes`.
 */
import type Database from 'better-sqlite3';

export type WatchState = 'active' | 'failed' | 'stopped';

export interface PushWatchRow {
  mailboxId: string;
  topic: string;
  state: WatchState;
  expiration: number | null;
  watchedAt: number | null;
  error: string | null;
  lastNotifiedHistoryId: string | null;
  lastNotifiedAt: number | null;
  updatedAt: number;
}

const COLUMNS = `mailbox_id as mailboxId, topic, state, expiration, watched_at as watchedAt, error,
  last_notified_history_id as lastNotifiedHistoryId, last_notified_at as lastNotifiedAt, updated_at as updatedAt`;

export class PushWatches {
  constructor(private readonly sqlite: Database.Database) {}

  /** A store opened read-only without migrations (a home that cannot be written) may predate the table. */
  private exists(): boolean {
    return this.sqlite.prepare(`select 1 from sqlite_master where type = 'table' and name = 'push_watches'`).get() !== undefined;
  }

  get(mailboxId: string): PushWatchRow | null {
    if (!this.exists()) return null;
    return (this.sqlite.prepare(`select ${COLUMNS} from push_watches where mailbox_id = ?`).get(mailboxId) as PushWatchRow | undefined) ?? null;
  }

  list(): PushWatchRow[] {
    if (!this.exists()) return [];
    return this.sqlite.prepare(`select ${COLUMNS} from push_watches`).all() as PushWatchRow[];
  }

  recordWatched(mailboxId: string, input: { topic: string; expiration: number }, now: number): void {
    this.sqlite
      .prepare(`insert into push_watches (mailbox_id, topic, state, expiration, watched_at, error, updated_at) values (?, ?, 'active', ?, ?, null, ?)
        on conflict(mailbox_id) do update set topic = excluded.topic, state = 'active', expiration = excluded.expiration, watched_at = excluded.watched_at, error = null, updated_at = excluded.updated_at`)
      .run(mailboxId, input.topic, input.expiration, now, now);
  }

  /** A failed watch keeps the previous expiration: the old watch may still be live until then. */
  recordFailed(mailboxId: string, input: { topic: string; error: string }, now: number): void {
    this.sqlite
      .prepare(`insert into push_watches (mailbox_id, topic, state, error, updated_at) values (?, ?, 'failed', ?, ?)
        on conflict(mailbox_id) do update set topic = excluded.topic, state = 'failed', error = excluded.error, updated_at = excluded.updated_at`)
      .run(mailboxId, input.topic, input.error, now);
  }

  recordStopped(mailboxId: string, now: number): void {
    this.sqlite.prepare(`update push_watches set state = 'stopped', expiration = null, error = null, updated_at = ? where mailbox_id = ?`).run(now, mailboxId);
  }

  recordNotified(mailboxId: string, historyId: string, now: number): void {
    const row = this.get(mailboxId);
    if (!row) return;
    const newer = row.lastNotifiedHistoryId === null || BigInt(historyId) > BigInt(row.lastNotifiedHistoryId);
    this.sqlite
      .prepare(`update push_watches set last_notified_history_id = ?, last_notified_at = ?, updated_at = ? where mailbox_id = ?`)
      .run(newer ? historyId : row.lastNotifiedHistoryId, now, now, mailboxId);
  }
}
