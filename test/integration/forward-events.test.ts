import { describe, expect, it } from 'vitest';
import { forwardEvents } from '../../src/app/forward-events.js';
import { staticSource } from '../../src/app/replay.js';
import type { StoredEvent } from '../../src/adapters/sqlite/event-log.js';
import type { DeliveryResult } from '../../src/adapters/http/webhook-sender.js';
import { systemClock } from '../../src/adapters/system/clock.js';
import type { Clock } from '../../src/app/ports/clock.js';

function events(count: number): StoredEvent[] {
  return Array.from({ length: count }, (_, index) => ({ sequence: index + 1, id: `evt_${index + 1}`, type: 'message.created', mailboxId: 'mbx_1', orderingKey: `k${index % 50}`, occurredAt: 0, body: '{}' }));
}

const ok: DeliveryResult = { ok: true, status: 200, latencyMs: 1, responseHeaders: {}, responseBody: '', errorClass: null, errorMessage: null, retryAfterMs: null };

describe('forwardEvents over a finite source (replay)', () => {
  it('delivers a backlog larger than its buffer without starving I/O', async () => {
    let sent = 0;
    // Completions arrive on the I/O queue, like real HTTP responses: a loop that spins on
    // microtasks while its buffer is full never lets them run.
    const send = () => new Promise<DeliveryResult>((resolve) => setImmediate(() => {
      sent += 1;
      resolve(ok);
    }));
    const result = await forwardEvents({
      // A log window's source: its wait for new commits resolves at once (nothing more will come).
      source: { ...staticSource(events(6_000)), waitForChange: async () => undefined }, startAfter: 0, target: { url: 'http://127.0.0.1/', headers: {}, secrets: ['whsec_x'], scheme: 'mailmon' },
      send, maxInFlight: 16, retryScheduleMs: [10], maxAttempts: 2, follow: false, timeoutMs: 1000, userAgent: 'test',
      onRecord: () => undefined, clock: systemClock, newDeliveryId: () => 'dlv_1', signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ delivered: 6_000, failed: 0, pending: 0, stoppedBecause: 'caught_up' });
    expect(sent).toBe(6_000);
  }, 20_000);
});

describe('forwardEvents following the log (listen)', () => {
  it('waits for new commits only once it has read the whole backlog, not while catching up', async () => {
    const log = events(6_000);
    let readTo = 0;
    const waitsBeforeCaughtUp: number[] = [];
    const stop = new AbortController();
    const source = {
      async read(afterSequence: number, limit: number) {
        const slice = log.slice(afterSequence, afterSequence + limit);
        readTo = Math.max(readTo, afterSequence + slice.length);
        return { events: slice, scannedTo: afterSequence + slice.length };
      },
      // Every store write (its own checkpoints too) would wake this wait: it costs a check each.
      waitForChange: (_timeoutMs: number, signal: AbortSignal) => {
        if (readTo < log.length) waitsBeforeCaughtUp.push(readTo);
        return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      },
    };
    const send = () => new Promise<DeliveryResult>((resolve) => setImmediate(() => resolve(ok)));
    const result = await forwardEvents({
      source, startAfter: 0, target: { url: 'http://127.0.0.1/', headers: {}, secrets: ['whsec_x'], scheme: 'mailmon' },
      send, maxInFlight: 16, retryScheduleMs: [10], follow: true, exitAfter: log.length, timeoutMs: 1000, userAgent: 'test',
      onRecord: () => undefined, checkpoint: () => undefined, clock: systemClock, newDeliveryId: () => 'dlv_1', signal: stop.signal,
    });
    expect(result).toMatchObject({ delivered: 6_000, stoppedBecause: 'exit_after' });
    expect(waitsBeforeCaughtUp).toEqual([]);
  }, 20_000);

  it('still sees events committed after it caught up', async () => {
    const log = events(1_200);
    let visible = 1_000;
    let wake: (() => void) | null = null;
    const source = {
      async read(afterSequence: number, limit: number) {
        const slice = log.slice(afterSequence, Math.min(visible, afterSequence + limit));
        return { events: slice, scannedTo: afterSequence + slice.length };
      },
      waitForChange: () => new Promise<void>((resolve) => (wake = resolve)),
    };
    let delivered = 0;
    const send = () => new Promise<DeliveryResult>((resolve) => setImmediate(() => {
      delivered += 1;
      // Caught up on the first 1,000: more commit, and the store says so.
      if (delivered === 1_000) setTimeout(() => ((visible = log.length), wake?.()), 5);
      resolve(ok);
    }));
    const result = await forwardEvents({
      source, startAfter: 0, target: { url: 'http://127.0.0.1/', headers: {}, secrets: ['whsec_x'], scheme: 'mailmon' },
      send, maxInFlight: 16, retryScheduleMs: [10], follow: true, exitAfter: log.length, timeoutMs: 1000, userAgent: 'test',
      onRecord: () => undefined, checkpoint: () => undefined, clock: systemClock, newDeliveryId: () => 'dlv_1', signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ delivered: 1_200, stoppedBecause: 'exit_after' });
  }, 20_000);
});

describe('forwardEvents read-ahead', () => {
  const target = { url: 'http://127.0.0.1/', headers: {}, secrets: ['whsec_x'], scheme: 'mailmon' as const };

  it('reads just ahead of sending while all is well, so a backlog\'s bodies are not held long', async () => {
    const log = events(6_000);
    let read = 0;
    let finished = 0;
    let mostHeld = 0;
    const source = {
      async read(afterSequence: number, limit: number) {
        const slice = log.slice(afterSequence, afterSequence + limit);
        read += slice.length;
        mostHeld = Math.max(mostHeld, read - finished);
        return { events: slice, scannedTo: afterSequence + slice.length };
      },
      waitForChange: async () => undefined,
    };
    const send = () => new Promise<DeliveryResult>((resolve) => setImmediate(() => {
      finished += 1;
      resolve(ok);
    }));
    const result = await forwardEvents({
      source, startAfter: 0, target, send, maxInFlight: 16, retryScheduleMs: [10], follow: false, timeoutMs: 1000, userAgent: 'test',
      onRecord: () => undefined, clock: systemClock, newDeliveryId: () => 'dlv_1', signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ delivered: 6_000, stoppedBecause: 'caught_up' });
    // A few batches at most, not thousands (2,500 were held before).
    expect(mostHeld).toBeLessThanOrEqual(300);
  }, 20_000);

  it('reads far ahead while a thread is retried, so the other threads go on past its events', async () => {
    // Every other event is in a thread the app refuses: far more than a just-in-time read-ahead.
    const log = events(1_500).map((event) => ({ ...event, orderingKey: event.sequence % 2 === 1 ? 'stuck' : `k${event.sequence % 23}` }));
    const healthy = log.filter((event) => event.orderingKey !== 'stuck').length;
    let delivered = 0;
    const send = (request: { eventId: string }) => new Promise<DeliveryResult>((resolve) => setImmediate(() => {
      if (log[Number(request.eventId.slice('evt_'.length)) - 1].orderingKey === 'stuck') return resolve({ ...ok, ok: false, status: 500, errorClass: 'http_status' });
      delivered += 1;
      resolve(ok);
    }));
    const stop = new AbortController();
    const deadline = setTimeout(() => stop.abort(), 5_000);
    const result = await forwardEvents({
      source: { ...staticSource(log), waitForChange: async () => undefined }, startAfter: 0, target, send, maxInFlight: 16, retryScheduleMs: [1], follow: false, timeoutMs: 1000, userAgent: 'test',
      onRecord: () => (delivered === healthy ? stop.abort() : undefined), clock: systemClock, newDeliveryId: () => 'dlv_1', signal: stop.signal,
    }).finally(() => clearTimeout(deadline));
    expect(result.delivered).toBe(healthy);
    expect(result.watermark).toBe(0); // the stuck thread's first event holds it
  }, 20_000);
});

describe('forwardEvents progress (listen\'s checkpoints)', () => {
  it('makes every finished event durable before it sends another: a crash at any send resends at most maxInFlight', async () => {
    const MAX_IN_FLIGHT = 8;
    // Every 7th event is in a thread the app refuses (500), so the watermark stays behind it.
    const log = events(600).map((event) => ({ ...event, orderingKey: event.sequence % 7 === 1 ? 'stuck' : `k${event.sequence % 23}` }));
    const durable = { watermark: 0, threads: new Map<string, number>() };
    const covered = (event: StoredEvent) => event.sequence <= durable.watermark || event.sequence <= (durable.threads.get(event.orderingKey) ?? 0);
    const accepted = new Set<StoredEvent>();
    let inFlight = 0;
    let worst = 0;
    const send = (request: { eventId: string }) => {
      // A crash now would resend what the app accepted but the checkpoints do not cover, and what is in flight.
      inFlight += 1;
      worst = Math.max(worst, [...accepted].filter((event) => !covered(event)).length + inFlight);
      const event = log.find((candidate) => candidate.id === request.eventId)!;
      return new Promise<DeliveryResult>((resolve) => setImmediate(() => {
        inFlight -= 1;
        if (event.orderingKey === 'stuck') return resolve({ ...ok, ok: false, status: 500, errorClass: 'http_status' });
        accepted.add(event);
        resolve(ok);
      }));
    };
    const stop = new AbortController();
    const result = await forwardEvents({
      source: { ...staticSource(log), waitForChange: async () => undefined }, startAfter: 0, target: { url: 'http://127.0.0.1/', headers: {}, secrets: ['whsec_x'], scheme: 'mailmon' },
      send, maxInFlight: MAX_IN_FLIGHT, retryScheduleMs: [1], follow: false, timeoutMs: 1000, userAgent: 'test',
      onRecord: () => (accepted.size === log.filter((event) => event.orderingKey !== 'stuck').length ? stop.abort() : undefined),
      checkpoint: ({ watermark, threads }) => {
        durable.watermark = Math.max(durable.watermark, watermark);
        for (const [key, sequence] of threads) durable.threads.set(key, Math.max(durable.threads.get(key) ?? 0, sequence));
      },
      clock: systemClock, newDeliveryId: () => 'dlv_1', signal: stop.signal,
    });
    expect(result.delivered).toBe(accepted.size);
    expect(durable.watermark).toBe(0); // held back by the stuck thread's first event
    expect(worst).toBeLessThanOrEqual(MAX_IN_FLIGHT);
    // And a restart from what is durable sends none of the accepted events again.
    expect([...accepted].filter((event) => !covered(event))).toEqual([]);
  }, 20_000);
});

describe('forwardEvents retries', () => {
  it('waits for a retry on the injected clock, not on a timer of its own', async () => {
    // A clock whose waits pass at once, moving its time on: an hour's retry takes no real time.
    let time = 1_000_000;
    const waits: number[] = [];
    const clock: Clock = {
      now: () => time,
      sleep: async (ms) => {
        waits.push(ms);
        time += ms;
      },
    };
    let attempts = 0;
    const send = () => new Promise<DeliveryResult>((resolve) => setImmediate(() => {
      attempts += 1;
      resolve(attempts === 1 ? { ...ok, ok: false, status: 503, errorClass: 'http_status' } : ok);
    }));
    const started = performance.now();
    const result = await forwardEvents({
      source: { ...staticSource(events(1)), waitForChange: async () => undefined }, startAfter: 0, target: { url: 'http://127.0.0.1/', headers: {}, secrets: ['whsec_x'], scheme: 'mailmon' },
      send, maxInFlight: 4, retryScheduleMs: [3_600_000], maxAttempts: 3, follow: false, timeoutMs: 1000, userAgent: 'test',
      onRecord: () => undefined, clock, newDeliveryId: () => 'dlv_1', signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ delivered: 1, failed: 0, stoppedBecause: 'caught_up' });
    expect(attempts).toBe(2);
    expect(waits.some((ms) => ms >= 3_000_000)).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
  }, 20_000);
});
