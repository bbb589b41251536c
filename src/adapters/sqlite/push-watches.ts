/**
 * The PushWatches port on SQLite: the push_watches table, one row per mailbox. Every method is
 * one statement, so each is atomic on its own (recordNotified compares historyIds in SQL).
 */
import type Database from 'better-sqlite3';
import type { PushWatchRow, PushWatches } from '../../app/ports/push-watches.js';

export type { PushWatchRow, WatchState } from '../../app/ports/push-watches.js';

const COLUMNS = `mailbox_id as mailboxId, topic, state, expiration, watched_at as watchedAt, error,
  last_notified_history_id as lastNotifiedHistoryId, last_notified_at as lastNotifiedAt, updated_at as updatedAt`;

/** historyIds are decimal uint64 strings: compare by length, then as text. */
const NEWER = `(last_notified_history_id is null or length(:historyId) > length(last_notified_history_id)
  or (length(:historyId) = length(last_notified_history_id) and :historyId > last_notified_history_id))`;

/** A store opened read-only without migrations (a home that cannot be written) may predate the table. */
function tableExists(sqlite: Database.Database): boolean {
  return sqlite.prepare(`select 1 from sqlite_master where type = 'table' and name = 'push_watches'`).get() !== undefined;
}

/** Every row, for readers that are not on the port yet. */
export function listPushWatchRows(sqlite: Database.Database): PushWatchRow[] {
  return tableExists(sqlite) ? (sqlite.prepare(`select ${COLUMNS} from push_watches order by mailbox_id`).all() as PushWatchRow[]) : [];
}

export function sqlitePushWatches(sqlite: Database.Database): PushWatches {
  const exists = () => tableExists(sqlite);
  return {
    async get(mailboxId) {
      if (!exists()) return null;
      return (sqlite.prepare(`select ${COLUMNS} from push_watches where mailbox_id = ?`).get(mailboxId) as PushWatchRow | undefined) ?? null;
    },
    list: async () => listPushWatchRows(sqlite),
    async recordWatched(mailboxId, input, now) {
      sqlite
        .prepare(`insert into push_watches (mailbox_id, topic, state, expiration, watched_at, error, updated_at) values (?, ?, 'active', ?, ?, null, ?)
          on conflict(mailbox_id) do update set topic = excluded.topic, state = 'active', expiration = excluded.expiration, watched_at = excluded.watched_at, error = null, updated_at = excluded.updated_at`)
        .run(mailboxId, input.topic, input.expiration, now, now);
    },
    async recordFailed(mailboxId, input, now) {
      sqlite
        .prepare(`insert into push_watches (mailbox_id, topic, state, error, updated_at) values (?, ?, 'failed', ?, ?)
          on conflict(mailbox_id) do update set topic = excluded.topic, state = 'failed', error = excluded.error, updated_at = excluded.updated_at`)
        .run(mailboxId, input.topic, input.error, now);
    },
    async recordStopped(mailboxId, now) {
      sqlite.prepare(`update push_watches set state = 'stopped', expiration = null, error = null, updated_at = ? where mailbox_id = ?`).run(now, mailboxId);
    },
    async recordNotified(mailboxId, historyId, now) {
      sqlite
        .prepare(`update push_watches set last_notified_history_id = case when ${NEWER} then :historyId else last_notified_history_id end,
          last_notified_at = :now, updated_at = :now where mailbox_id = :mailboxId`)
        .run({ historyId, now, mailboxId });
    },
  };
}
