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
  /** Every pushed sequence in push (= ascending) order; entries before `orderHead` are done. */
  private order: number[] = [];
  private orderHead = 0;
  /** Heads that are (or were, when pushed) not in flight, by sequence; stale entries are skipped when popped. */
  private readonly heads = new MinHeap<QueueItem<T>>((a, b) => a.sequence - b.sequence);
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

  /** Sequences must come in ascending order (the log's order); anything else is a bug in the caller. */
  push(sequence: number, key: string, payload: T, now: number): void {
    const last = this.order.length > 0 ? this.order[this.order.length - 1] : -Infinity;
    if (sequence <= last) throw new Error(`push() out of order: ${sequence} after ${last}`);
    const queue = this.byKey.get(key) ?? [];
    const item: QueueItem<T> = { sequence, key, payload, attempts: 0, notBefore: now, inFlight: false };
    queue.push(item);
    this.byKey.set(key, queue);
    if (queue.length === 1) this.heads.push(item);
    this.outstanding.add(sequence);
    this.order.push(sequence);
    this.advanceReadPosition(sequence);
  }

  /**
   * Heads that may be sent now, marked in flight, oldest first, within the in-flight bound.
   * Runs after every delivery, so it pops a heap of heads instead of scanning every thread.
   */
  takeReady(now: number, maxInFlight: number): Array<QueueItem<T>> {
    const taken: Array<QueueItem<T>> = [];
    const notYet: Array<QueueItem<T>> = [];
    while (this.inFlightCount < maxInFlight && this.heads.size > 0) {
      const item = this.heads.pop()!;
      if (item.inFlight || this.byKey.get(item.key)?.[0] !== item) continue; // stale entry
      if (item.notBefore > now) {
        notYet.push(item);
        continue;
      }
      item.inFlight = true;
      item.attempts += 1;
      this.inFlightCount += 1;
      taken.push(item);
    }
    for (const item of notYet) this.heads.push(item);
    return taken;
  }

  /** The head finished for good (delivered, or given up): the thread moves on. */
  complete(item: QueueItem<T>): void {
    const queue = this.byKey.get(item.key);
    if (!queue || queue[0] !== item) throw new Error(`complete() of an item that is not its thread's head (seq ${item.sequence})`);
    queue.shift();
    if (queue.length === 0) this.byKey.delete(item.key);
    else this.heads.push(queue[0]);
    if (item.inFlight) this.inFlightCount -= 1;
    item.inFlight = false;
    this.outstanding.delete(item.sequence);
  }

  /** The head failed: it stays first in its thread and is retried at `notBefore`. */
  retryLater(item: QueueItem<T>, notBefore: number): void {
    if (item.inFlight) this.inFlightCount -= 1;
    const wasInFlight = item.inFlight;
    item.inFlight = false;
    item.notBefore = notBefore;
    if (wasInFlight) this.heads.push(item);
  }

  /** Amortized O(1) (it runs after every delivery): the lowest outstanding sequence is the first not-done entry of `order`. */
  watermark(): number {
    while (this.orderHead < this.order.length && !this.outstanding.has(this.order[this.orderHead])) this.orderHead += 1;
    if (this.orderHead > 1024 && this.orderHead * 2 > this.order.length) {
      this.order = this.order.slice(this.orderHead);
      this.orderHead = 0;
    }
    return this.orderHead < this.order.length ? this.order[this.orderHead] - 1 : this.highestEnqueued;
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

/** A binary min-heap (the queue's ready heads). */
class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(value: T): void {
    const items = this.items;
    items.push(value);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.compare(items[index], items[parent]) >= 0) break;
      [items[index], items[parent]] = [items[parent], items[index]];
      index = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let smallest = index;
        if (left < items.length && this.compare(items[left], items[smallest]) < 0) smallest = left;
        if (right < items.length && this.compare(items[right], items[smallest]) < 0) smallest = right;
        if (smallest === index) break;
        [items[index], items[smallest]] = [items[smallest], items[index]];
        index = smallest;
      }
    }
    return top;
  }
}
