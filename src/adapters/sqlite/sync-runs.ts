/** sync_runs: one row per sync attempt (start, end, outcome, counts, error class). */
import type Database from 'better-sqlite3';

import type { RunningSyncRun, SyncKind, SyncRunOutcome, SyncRunRow, SyncRuns as SyncRunsPort, SyncRunStatus } from '../../app/ports/sync-runs.js';

export type { SyncKind, SyncRunOutcome, SyncRunRow, SyncRunStatus };

/** The SyncRuns port on SQLite (src/app/ports/sync-runs.ts). */
export function sqliteSyncRuns(sqlite: Database.Database): SyncRunsPort {
  const runs = new SyncRuns(sqlite);
  return {
    start: async (run) => runs.start(run),
    finish: async (id, outcome, now) => runs.finish(id, outcome, now),
    closeSuperseded: async (mailboxId, epoch, now) => runs.closeSuperseded(mailboxId, epoch, now),
    abandon: async (id, reason, now) => runs.abandon(id, reason, now),
    running: async () => runs.running(),
    latest: async (mailboxId, limit) => runs.latest(mailboxId, limit),
  };
}

export class SyncRuns {
  constructor(private readonly sqlite: Database.Database) {}

  start(run: { id: string; mailboxId: string; kind: SyncKind; epoch: number; startHistoryId: string | null; now: number }): void {
    this.sqlite
      .prepare(`insert into sync_runs (id, mailbox_id, kind, status, pid, lease_epoch, started_at, start_history_id) values (?, ?, ?, 'running', ?, ?, ?, ?)`)
      .run(run.id, run.mailboxId, run.kind, process.pid, run.epoch, run.now, run.startHistoryId);
  }

  finish(id: string, outcome: SyncRunOutcome, now: number): void {
    this.sqlite
      .prepare(`update sync_runs set status = ?, kind = ?, finished_at = ?, end_history_id = ?, messages_created = ?, messages_updated = ?, messages_deleted = ?,
        messages_fetched = ?, events_emitted = ?, quota_units = ?, error_class = ?, error_message = ? where id = ?`)
      .run(outcome.status, outcome.kind, now, outcome.endHistoryId, outcome.created, outcome.updated, outcome.deleted, outcome.fetched, outcome.events, outcome.quotaUnits, outcome.errorClass, outcome.errorMessage, id);
  }

  /**
   * Runs of the mailbox still "running" under an older lease epoch: their process exited (crash,
   * SIGKILL) or lost the lease, and fencing stops them from ever committing. The next holder of the
   * lease closes them as abandoned. Returns how many.
   */
  closeSuperseded(mailboxId: string, epoch: number, now: number): number {
    return this.sqlite
      .prepare(`update sync_runs set status = 'abandoned', finished_at = ?, error_class = 'crashed', error_message = 'the sync stopped before finishing (its process exited or lost the lease); a later sync took over' where mailbox_id = ? and status = 'running' and lease_epoch < ?`)
      .run(now, mailboxId, epoch).changes;
  }

  abandon(id: string, reason: string, now: number): boolean {
    return this.sqlite.prepare(`update sync_runs set status = 'abandoned', finished_at = ?, error_class = 'crashed', error_message = ? where id = ? and status = 'running'`).run(now, reason, id).changes === 1;
  }

  running(): RunningSyncRun[] {
    return this.sqlite.prepare(`select id, mailbox_id as mailboxId, lease_epoch as epoch, started_at as startedAt from sync_runs where status = 'running' order by started_at`).all() as RunningSyncRun[];
  }

  latest(mailboxId: string, limit = 10): SyncRunRow[] {
    return this.sqlite
      .prepare(`select id, mailbox_id as mailboxId, kind, status, started_at as startedAt, finished_at as finishedAt, end_history_id as endHistoryId,
        messages_created as created, messages_updated as updated, messages_deleted as deleted, messages_fetched as fetched, events_emitted as events,
        quota_units as quotaUnits, error_class as errorClass, error_message as errorMessage from sync_runs where mailbox_id = ? order by started_at desc limit ?`)
      .all(mailboxId, limit) as SyncRunRow[];
  }
}
