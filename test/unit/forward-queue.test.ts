import { describe, expect, it } from 'vitest';
import { ForwardQueue, scheduleDelay } from '../../src/core/forward-queue.js';

describe('ForwardQueue', () => {
  it('keeps per-thread order: only the head of a thread is in flight; threads run concurrently', () => {
    const queue = new ForwardQueue<string>(0);
    queue.push(1, 'a', 'a1', 0);
    queue.push(2, 'b', 'b1', 0);
    queue.push(3, 'a', 'a2', 0);
    const first = queue.takeReady(0, 16);
    expect(first.map((item) => item.payload)).toEqual(['a1', 'b1']);
    expect(queue.takeReady(0, 16)).toEqual([]);
    queue.complete(first[0]);
    expect(queue.takeReady(0, 16).map((item) => item.payload)).toEqual(['a2']);
  });

  it('a failing head blocks only its thread, and is retried at its time', () => {
    const queue = new ForwardQueue<string>(0);
    queue.push(1, 'a', 'a1', 0);
    queue.push(2, 'a', 'a2', 0);
    queue.push(3, 'b', 'b1', 0);
    const [a1, b1] = queue.takeReady(0, 16);
    queue.retryLater(a1, 1000);
    queue.complete(b1);
    expect(queue.takeReady(500, 16)).toEqual([]);
    expect(queue.nextWakeAt()).toBe(1000);
    const retried = queue.takeReady(1000, 16);
    expect(retried.map((item) => [item.payload, item.attempts])).toEqual([['a1', 2]]);
  });

  it('the watermark never passes an undelivered event', () => {
    const queue = new ForwardQueue<string>(10);
    expect(queue.watermark()).toBe(10);
    queue.push(11, 'a', 'x', 0);
    queue.push(12, 'b', 'y', 0);
    queue.advanceReadPosition(15);
    const [x, y] = queue.takeReady(0, 16);
    queue.complete(y);
    expect(queue.watermark()).toBe(10);
    queue.retryLater(x, 5);
    expect(queue.watermark()).toBe(10);
    queue.takeReady(5, 16);
    queue.complete(x);
    expect(queue.watermark()).toBe(15);
  });

  it('respects the in-flight bound', () => {
    const queue = new ForwardQueue<number>(0);
    for (let i = 1; i <= 10; i++) queue.push(i, `k${i}`, i, 0);
    expect(queue.takeReady(0, 4)).toHaveLength(4);
    expect(queue.takeReady(0, 4)).toHaveLength(0);
    expect(queue.inFlight).toBe(4);
  });

  it('retry schedule: the last delay repeats', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => scheduleDelay([1000, 5000, 30_000, 60_000], n))).toEqual([1000, 5000, 30_000, 60_000, 60_000, 60_000]);
  });
});
