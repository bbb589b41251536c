import { describe, expect, it } from 'vitest';
import { ForwardQueue } from '../../src/core/forward-queue.js';
import { listenRetryPolicy, retryDelayMs } from '../../src/core/delivery-schedule.js';

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

  it('agrees with a naive model (scan every thread, sort by sequence) over random pushes, completions and retries', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 20; trial++) {
      const queue = new ForwardQueue<number>(0);
      // The model: per-key FIFOs of {sequence, inFlight, notBefore}.
      const model = new Map<string, Array<{ sequence: number; inFlight: boolean; notBefore: number }>>();
      const outstanding = new Set<number>();
      let sequence = 0;
      let now = 0;
      const inFlight: Array<ReturnType<ForwardQueue<number>['takeReady']>[number]> = [];
      for (let step = 0; step < 400; step++) {
        const roll = random();
        if (roll < 0.4) {
          sequence += 1 + Math.floor(random() * 3); // gaps: filtered events
          const key = `k${Math.floor(random() * 6)}`;
          queue.push(sequence, key, sequence, now);
          model.set(key, [...(model.get(key) ?? []), { sequence, inFlight: false, notBefore: now }]);
          outstanding.add(sequence);
        } else if (roll < 0.65) {
          const max = 1 + Math.floor(random() * 4);
          const expected = [...model.values()].map((q) => q[0]).filter((head) => head && !head.inFlight && head.notBefore <= now)
            .sort((a, b) => a.sequence - b.sequence).slice(0, Math.max(0, max - inFlight.length)).map((head) => head.sequence);
          const taken = queue.takeReady(now, max);
          expect(taken.map((item) => item.sequence)).toEqual(expected);
          for (const item of taken) model.get(item.key)![0].inFlight = true;
          inFlight.push(...taken);
        } else if (roll < 0.85 && inFlight.length > 0) {
          const [item] = inFlight.splice(Math.floor(random() * inFlight.length), 1);
          queue.complete(item);
          model.get(item.key)!.shift();
          if (model.get(item.key)!.length === 0) model.delete(item.key);
          outstanding.delete(item.sequence);
        } else if (inFlight.length > 0) {
          const [item] = inFlight.splice(Math.floor(random() * inFlight.length), 1);
          const notBefore = now + Math.floor(random() * 5);
          queue.retryLater(item, notBefore);
          Object.assign(model.get(item.key)![0], { inFlight: false, notBefore });
        } else {
          now += 1;
        }
        expect(queue.watermark()).toBe(outstanding.size ? Math.min(...outstanding) - 1 : sequence);
        expect(queue.inFlight).toBe(inFlight.length);
      }
    }
  });

  it('refuses sequences out of order (a caller bug)', () => {
    const queue = new ForwardQueue<number>(0);
    queue.push(5, 'a', 5, 0);
    expect(() => queue.push(5, 'b', 5, 0)).toThrow(/out of order/);
  });

  it('retry schedule: the last delay repeats', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => retryDelayMs(listenRetryPolicy([1000, 5000, 30_000, 60_000]), n, { ok: false, status: 500, errorClass: 'http_status', retryAfterMs: null }))).toEqual([1000, 5000, 30_000, 60_000, 60_000, 60_000]);
  });
});
