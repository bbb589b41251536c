/**
 * Wake-ups for readers of the event log: "wait until the log may have grown". Every commit that
 * appends events wakes the waiters of the same process at once, and waiters in other processes
 * within a few milliseconds. A wake-up may be spurious (the reader then finds nothing new); a
 * commit after the mark is never missed, however long the reader took between mark and wait.
 */

/** Where the store's changes stood when it was taken; opaque to callers. */
export interface ChangeMark {
  readonly changeMark: unknown;
}

export interface ChangeNotifier {
  /** Take it BEFORE reading the log; pass it to `waitForChange` after. */
  mark(): Promise<ChangeMark>;
  /**
   * Resolves once the store may have changed since `mark` (at once when it already has), after
   * `timeoutMs`, or when `signal` aborts. Never rejects.
   */
  waitForChange(mark: ChangeMark, timeoutMs: number, signal?: AbortSignal): Promise<void>;
}
