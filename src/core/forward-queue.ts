/**
 * The scheduling heart of forwarding (listen, replay, endpoint delivery). Pure: time is an input.
 *
 * - Events enter in sequence order. Each ordering key (a thread, or a mailbox) is a FIFO: only its
 *   head may be in flight, so events of one thread arrive in order; different threads go
 *   concurrently, up to `maxInFlight`.
 * - A failed head stays at the head with a `notBefore` time; it blocks only its own thread.
 * - The watermark is the highest sequence such that every event at or below it is done: the
 *   durable cursor may move to it and never past an event that is not delivered yet.
 */

export interface QueueItem<T> {
  sequence: number;
  key: string;
  payload: T;
  attempts: number;
  notBefore: number;
  inFlight: boolean;
}

export class ForwardQueue<T> {
  private readonly byKey = new Map<string, Array<QueueItem<T>>>();
  private readonly outstanding = new Set<number>();
  private inFlightCount = 0;
  private highestEnqueued: number;

  constructor(startAfter: number) {
    this.highestEnqueued = startAfter;
  }

  get size(): number {
    return this.outstanding.size;
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Sequences read but filtered out still move the read position (and so the watermark). */
  advanceReadPosition(sequence: number): void {
    if (sequence > this.highestEnqueued) this.highestEnqueued = sequence;
  }

  push(sequence: number, key: string, payload: T, now: number): void {
    const queue = this.byKey.get(key) ?? [];
    queue.push({ sequence, key, payload, attempts: 0, notBefore: now, inFlight: false });
    this.byKey.set(key, queue);
    this.outstanding.add(sequence);
    this.advanceReadPosition(sequence);
  }

  /** Heads that may be sent now, marked in flight, oldest first, within the in-flight bound. */
  takeReady(now: number, maxInFlight: number): Array<QueueItem<T>> {
    const ready: Array<QueueItem<T>> = [];
    for (const queue of this.byKey.values()) {
      const head = queue[0];
      if (head && !head.inFlight && head.notBefore <= now) ready.push(head);
    }
    ready.sort((a, b) => a.sequence - b.sequence);
    const taken = ready.slice(0, Math.max(0, maxInFlight - this.inFlightCount));
    for (const item of taken) {
      item.inFlight = true;
      item.attempts += 1;
      this.inFlightCount += 1;
    }
    return taken;
  }

  /** The head finished for good (delivered, or given up): the thread moves on. */
  complete(item: QueueItem<T>): void {
    const queue = this.byKey.get(item.key);
    if (!queue || queue[0] !== item) throw new Error(`complete() of an item that is not its thread's head (seq ${item.sequence})`);
    queue.shift();
    if (queue.length === 0) this.byKey.delete(item.key);
    if (item.inFlight) this.inFlightCount -= 1;
    item.inFlight = false;
    this.outstanding.delete(item.sequence);
  }

  /** The head failed: it stays first in its thread and is retried at `notBefore`. */
  retryLater(item: QueueItem<T>, notBefore: number): void {
    if (item.inFlight) this.inFlightCount -= 1;
    item.inFlight = false;
    item.notBefore = notBefore;
  }

  watermark(): number {
    let lowest = Infinity;
    for (const sequence of this.outstanding) if (sequence < lowest) lowest = sequence;
    return lowest === Infinity ? this.highestEnqueued : lowest - 1;
  }

  /** When the earliest waiting (not in flight) head becomes sendable; null if none waits. */
  nextWakeAt(): number | null {
    let earliest: number | null = null;
    for (const queue of this.byKey.values()) {
      const head = queue[0];
      if (head && !head.inFlight && (earliest === null || head.notBefore < earliest)) earliest = head.notBefore;
    }
    return earliest;
  }

  /** Items that failed at least once and are still not delivered. */
  failing(): Array<QueueItem<T>> {
    const result: Array<QueueItem<T>> = [];
    for (const queue of this.byKey.values()) for (const item of queue) if (item.attempts > 0) result.push(item);
    return result;
  }
}

/** listen's schedule: delay after the n-th failed attempt; the last entry repeats. */
export function scheduleDelay(schedule: readonly number[], failedAttempts: number): number {
  if (schedule.length === 0) return 1000;
  return schedule[Math.min(failedAttempts - 1, schedule.length - 1)];
}
