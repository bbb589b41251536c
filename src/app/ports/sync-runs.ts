/**
 * The sync run journal: one row per sync attempt (start, end, outcome, counts, error class), for
 * `status`, `doctor` and crash recovery. A run records the lease epoch it ran under: a run still
 * "running" under an epoch below the mailbox's current one can never commit again.
 */
export type SyncKind = 'full' | 'incremental' | 'resync';
/** superseded: the run handed over to another (an incremental run whose cursor expired, continued as a resync). */
export type SyncRunStatus = 'running' | 'succeeded' | 'failed' | 'superseded' | 'abandoned';

export interface SyncRunOutcome {
  status: Exclude<SyncRunStatus, 'running'>;
  kind: SyncKind;
  endHistoryId: string | null;
  created: number;
  updated: number;
  deleted: number;
  fetched: number;
  events: number;
  quotaUnits: number;
  errorClass: string | null;
  errorMessage: string | null;
}

export interface SyncRunRow extends SyncRunOutcome {
  id: string;
  mailboxId: string;
  startedAt: number;
  finishedAt: number | null;
}

export interface RunningSyncRun {
  id: string;
  mailboxId: string;
  epoch: number;
  startedAt: number;
}

export interface SyncRuns {
  start(run: { id: string; mailboxId: string; kind: SyncKind; epoch: number; startHistoryId: string | null; now: number }): Promise<void>;
  finish(id: string, outcome: SyncRunOutcome, now: number): Promise<void>;
  /** Closes as abandoned the mailbox's runs still running under an epoch below `epoch`. Returns how many. */
  closeSuperseded(mailboxId: string, epoch: number, now: number): Promise<number>;
  /** Closes as abandoned one run if it is still running (a crashed holder's). Returns whether it did. */
  abandon(id: string, reason: string, now: number): Promise<boolean>;
  /** Runs still marked running, oldest first. */
  running(): Promise<RunningSyncRun[]>;
  /** The mailbox's latest runs, newest first. */
  latest(mailboxId: string, limit?: number): Promise<SyncRunRow[]>;
}
