import { describe, expect, it } from 'vitest';
import { forwardEvents } from '../../src/app/forward-events.js';
import { staticSource } from '../../src/app/replay.js';
import type { StoredEvent } from '../../src/adapters/sqlite/event-log.js';
import type { DeliveryResult } from '../../src/adapters/http/webhook-sender.js';

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
      onRecord: () => undefined, now: Date.now, newDeliveryId: () => 'dlv_1', signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ delivered: 6_000, failed: 0, pending: 0, stoppedBecause: 'caught_up' });
    expect(sent).toBe(6_000);
  }, 20_000);
});
