/**
 * Reading the append-only event log. Events are appended only by the store's own transactions
 * (the sync commit, a status change), never through this port. `sequence` is global and
 * gap-free; `body` is the exact JSON consumers receive and signatures cover.
 */
export interface StoredEvent {
  sequence: number;
  id: string;
  type: string;
  mailboxId: string;
  orderingKey: string;
  occurredAt: number;
  body: string;
}

export interface EventFilter {
  mailboxIds?: string[];
  /** Exact types; patterns are expanded by the caller. */
  types?: string[];
  since?: number;
  until?: number;
  /** Only events at or below this sequence. */
  maxSequence?: number;
}

export interface EventLog {
  /**
   * The highest sequence a reader may read up to: every event at or below it is committed and
   * no event at or below it can still appear. 0 when the log is empty.
   */
  head(): Promise<number>;
  /** Events after a sequence, oldest first. */
  readAfter(afterSequence: number, limit: number, filter?: EventFilter): Promise<StoredEvent[]>;
  /** The newest events, returned oldest first. */
  readLatest(limit: number, filter?: EventFilter): Promise<StoredEvent[]>;
  /** By event id, or by sequence when all digits. */
  get(idOrSequence: string): Promise<StoredEvent | undefined>;
  count(filter?: EventFilter): Promise<number>;
}
