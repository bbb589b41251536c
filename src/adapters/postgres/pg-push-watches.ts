/**
 * The PushWatches port on PostgreSQL (src/app/ports/push-watches.ts): the push_watches table,
 * one row per mailbox. Every method is one statement, so each is atomic on its own; a
 * notification racing another one re-reads the row it waited for, so the newest historyId
 * never moves back (the comparison is in SQL, as in SQLite).
 */
import type { PushWatchRow, PushWatches, WatchState } from '../../app/ports/push-watches.js';
import { num, query, type PgHandle } from './pg-transaction.js';

const COLUMNS = 'mailbox_id, topic, state, expiration, watched_at, error, last_notified_history_id, last_notified_at, updated_at';

interface Row {
  mailbox_id: string;
  topic: string;
  state: WatchState;
  expiration: string | null;
  watched_at: string | null;
  error: string | null;
  last_notified_history_id: string | null;
  last_notified_at: string | null;
  updated_at: string;
}

function toWatch(row: Row): PushWatchRow {
  return {
    mailboxId: row.mailbox_id, topic: row.topic, state: row.state, expiration: num(row.expiration), watchedAt: num(row.watched_at), error: row.error,
    lastNotifiedHistoryId: row.last_notified_history_id, lastNotifiedAt: num(row.last_notified_at), updatedAt: num(row.updated_at),
  };
}

/** historyIds are decimal uint64 strings: compare by length, then bytewise ($1 is the new one). */
const NEWER = `(last_notified_history_id is null or length($1::text) > length(last_notified_history_id)
  or (length($1::text) = length(last_notified_history_id) and $1::text collate "C" > last_notified_history_id collate "C"))`;

export function postgresPushWatches(store: PgHandle): PushWatches {
  return {
    async get(mailboxId) {
      const result = await query<Row>(store, `select ${COLUMNS} from push_watches where mailbox_id = $1`, [mailboxId]);
      return result.rows[0] ? toWatch(result.rows[0]) : null;
    },
    async list() {
      // collate "C": ordered bytewise like SQLite, whatever the database's collation.
      const result = await query<Row>(store, `select ${COLUMNS} from push_watches order by mailbox_id collate "C"`);
      return result.rows.map(toWatch);
    },
    async recordWatched(mailboxId, input, now) {
      await query(store, `insert into push_watches (mailbox_id, topic, state, expiration, watched_at, error, updated_at) values ($1, $2, 'active', $3, $4, null, $4)
        on conflict (mailbox_id) do update set topic = excluded.topic, state = 'active', expiration = excluded.expiration, watched_at = excluded.watched_at,
        error = null, updated_at = excluded.updated_at`, [mailboxId, input.topic, input.expiration, now]);
    },
    async recordFailed(mailboxId, input, now) {
      await query(store, `insert into push_watches (mailbox_id, topic, state, error, updated_at) values ($1, $2, 'failed', $3, $4)
        on conflict (mailbox_id) do update set topic = excluded.topic, state = 'failed', error = excluded.error, updated_at = excluded.updated_at`,
      [mailboxId, input.topic, input.error, now]);
    },
    async recordStopped(mailboxId, now) {
      await query(store, `update push_watches set state = 'stopped', expiration = null, error = null, updated_at = $1 where mailbox_id = $2`, [now, mailboxId]);
    },
    async recordNotified(mailboxId, historyId, now) {
      await query(store, `update push_watches set last_notified_history_id = case when ${NEWER} then $1::text else last_notified_history_id end,
        last_notified_at = $2, updated_at = $2 where mailbox_id = $3`, [historyId, now, mailboxId]);
    },
  };
}
