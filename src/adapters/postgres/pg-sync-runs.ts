/** The SyncRuns port on PostgreSQL (src/app/ports/sync-runs.ts): one row per sync attempt. */
import type { RunningSyncRun, SyncRunRow, SyncRuns } from '../../app/ports/sync-runs.js';
import { num, query, type PgHandle } from './pg-transaction.js';

const ROW_COLUMNS = `id, mailbox_id, kind, status, started_at, finished_at, end_history_id, messages_created, messages_updated, messages_deleted,
  messages_fetched, events_emitted, quota_units, error_class, error_message`;

type Row = Record<'id' | 'mailbox_id' | 'kind' | 'status' | 'started_at' | 'end_history_id' | 'error_class' | 'error_message', string> & Record<'finished_at', string | null>
  & Record<'messages_created' | 'messages_updated' | 'messages_deleted' | 'messages_fetched' | 'events_emitted' | 'quota_units', string | number>;

function toRun(row: Row): SyncRunRow {
  return {
    id: row.id, mailboxId: row.mailbox_id, kind: row.kind as SyncRunRow['kind'], status: row.status as SyncRunRow['status'], startedAt: num(row.started_at), finishedAt: num(row.finished_at),
    endHistoryId: row.end_history_id, created: num(row.messages_created), updated: num(row.messages_updated), deleted: num(row.messages_deleted), fetched: num(row.messages_fetched),
    events: num(row.events_emitted), quotaUnits: num(row.quota_units), errorClass: row.error_class, errorMessage: row.error_message,
  };
}

export function postgresSyncRuns(store: PgHandle): SyncRuns {
  return {
    async start(run) {
      await query(store, `insert into sync_runs (id, mailbox_id, kind, status, pid, lease_epoch, started_at, start_history_id) values ($1, $2, $3, 'running', $4, $5, $6, $7)`,
        [run.id, run.mailboxId, run.kind, process.pid, run.epoch, run.now, run.startHistoryId]);
    },
    async finish(id, outcome, now) {
      await query(store, `update sync_runs set status = $1, kind = $2, finished_at = $3, end_history_id = $4, messages_created = $5, messages_updated = $6, messages_deleted = $7,
        messages_fetched = $8, events_emitted = $9, quota_units = $10, error_class = $11, error_message = $12 where id = $13`,
      [outcome.status, outcome.kind, now, outcome.endHistoryId, outcome.created, outcome.updated, outcome.deleted, outcome.fetched, outcome.events, outcome.quotaUnits, outcome.errorClass, outcome.errorMessage, id]);
    },
    async closeSuperseded(mailboxId, epoch, now) {
      const result = await query(store, `update sync_runs set status = 'abandoned', finished_at = $1, error_class = 'crashed',
        error_message = 'the sync stopped before finishing (its process exited or lost the lease); a later sync took over' where mailbox_id = $2 and status = 'running' and lease_epoch < $3`, [now, mailboxId, epoch]);
      return result.rowCount ?? 0;
    },
    async abandon(id, reason, now) {
      const result = await query(store, `update sync_runs set status = 'abandoned', finished_at = $1, error_class = 'crashed', error_message = $2 where id = $3 and status = 'running'`, [now, reason, id]);
      return result.rowCount === 1;
    },
    async running() {
      const rows = await query<{ id: string; mailbox_id: string; epoch: string | null; started_at: string }>(store, `select id, mailbox_id, lease_epoch as epoch, started_at from sync_runs where status = 'running' order by started_at, id`);
      return rows.rows.map((row): RunningSyncRun => ({ id: row.id, mailboxId: row.mailbox_id, epoch: num(row.epoch) ?? 0, startedAt: num(row.started_at) }));
    },
    async latest(mailboxId, limit = 10) {
      return (await query<Row>(store, `select ${ROW_COLUMNS} from sync_runs where mailbox_id = $1 order by started_at desc, id desc limit $2`, [mailboxId, limit])).rows.map(toRun);
    },
  };
}
