/**
 * Durable cursors of event consumers (one per `listen --forward-to` target): name → the sequence
 * up to which everything is finished, plus per-thread positions above it, so that what finished
 * above a stuck thread is not sent again after a restart.
 */

export interface ConsumerProgress {
  /** Everything at or below it is finished. */
  watermark: number;
  /** Per ordering key, the last finished sequence (above the watermark). */
  threads: ReadonlyMap<string, number>;
}

export interface ConsumerRow {
  name: string;
  kind: string;
  target: string | null;
  lastSequence: number;
  pid: number | null;
  heartbeatAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface Consumers {
  get(name: string): Promise<ConsumerRow | undefined>;
  /** By name. */
  list(): Promise<ConsumerRow[]>;
  /**
   * Creates the consumer at `startAfter`, or moves an existing one there when `reposition` (its
   * thread positions are then dropped); records `pid` as the process holding it.
   */
  upsert(input: { name: string; kind: string; target: string | null; startAfter: number; reposition: boolean; pid: number; now: number }): Promise<ConsumerRow>;
  /**
   * One transaction: moves the cursor forward (never back) to `watermark`, drops the thread
   * positions it now covers, and records the new ones above it.
   */
  checkpoint(name: string, progress: ConsumerProgress, now: number): Promise<void>;
  /** Per-thread positions above the cursor (what a restart must not send again). */
  threadPositions(name: string): Promise<Map<string, number>>;
  /** Deletes the consumer and its cursor; false when there was none. */
  remove(name: string): Promise<boolean>;
  /** No process holds it any more. */
  release(name: string, now: number): Promise<void>;
}
