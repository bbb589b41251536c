/**
 * Pruning what is older than the retention window. Never pruned: an event some endpoint has not
 * enqueued yet, an event or attempt whose delivery is still open (pending / in flight), and the
 * newest event (the next event's sequence is counted from it).
 */
export interface PruneResult {
  attemptsDeleted: number;
  eventsDeleted: number;
}

export interface Retention {
  /**
   * Deletes finished delivery attempts and events older than `cutoff` (epoch ms). Runs in small
   * batches, each its own transaction, so writers are never blocked for long; a batch that
   * commits stays committed if a later one fails.
   */
  pruneOlderThan(cutoff: number): Promise<PruneResult>;
}
