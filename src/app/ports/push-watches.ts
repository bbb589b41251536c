/**
 * Each mailbox's Gmail users.watch as last called (topic, state, expiration, error) and the newest
 * notification seen for it. One row per mailbox; each method is one atomic write or read.
 */
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

export interface PushWatches {
  get(mailboxId: string): Promise<PushWatchRow | null>;
  list(): Promise<PushWatchRow[]>;
  /** The watch is active until `expiration`; clears the error. */
  recordWatched(mailboxId: string, input: { topic: string; expiration: number }, now: number): Promise<void>;
  /** A failed watch keeps the previous expiration: the old watch may still be live until then. */
  recordFailed(mailboxId: string, input: { topic: string; error: string }, now: number): Promise<void>;
  /** No-op without a row. */
  recordStopped(mailboxId: string, now: number): Promise<void>;
  /** Keeps the newest historyId (never moves back) and stamps the time; no-op without a row. */
  recordNotified(mailboxId: string, historyId: string, now: number): Promise<void>;
}
