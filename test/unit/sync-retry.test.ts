/** How long the sync loop waits before retrying a mailbox whose sync failed. */
import { describe, expect, it } from 'vitest';
import { retryDelay, runSyncLoop } from '../../src/app/sync-loop.js';
import type { SyncDeps } from '../../src/app/sync-mailbox.js';
import { MailmonError } from '../../src/core/errors.js';
import { systemClock } from '../../src/adapters/system/clock.js';

describe('retryDelay', () => {
  it('retries a mailbox whose store connection or lease failed within half a minute, however often it failed', () => {
    for (const code of ['store_unreachable', 'store_connection_lost', 'lease_lost']) {
      expect(retryDelay(code, 1, 0)).toBeLessThanOrEqual(2_000);
      expect(retryDelay(code, 20, 0.999)).toBeLessThanOrEqual(30_000);
    }
  });

  it('backs a mailbox off up to 15 minutes when the failure is its own (Gmail, credentials)', () => {
    expect(retryDelay('gmail_unavailable', 1, 0)).toBe(5_000);
    expect(retryDelay('gmail_unavailable', 20, 0)).toBe(7.5 * 60_000);
    expect(retryDelay('reauth_required', 20, 0.999)).toBeGreaterThan(14 * 60_000);
  });
});

describe('runSyncLoop while the store is out of reach', () => {
  it('keeps running and looks again within seconds; it does not end (no crash, no restart backoff)', async () => {
    let calls = 0;
    const mailboxes = {
      list: async () => {
        calls += 1;
        if (calls <= 2) throw new MailmonError('store_unreachable', 'Cannot connect to the PostgreSQL store at postgres://db/mailmon.');
        return [];
      },
    };
    const controller = new AbortController();
    let ended: unknown = 'running';
    const loop = runSyncLoop({ deps: { mailboxes, clock: systemClock } as unknown as SyncDeps, intervalMs: 60_000, signal: controller.signal }).then(() => (ended = 'returned'), (error: unknown) => (ended = error));
    const deadline = Date.now() + 10_000;
    while (calls < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ended).toBe('running');
    expect(calls).toBe(3);
    controller.abort();
    await loop;
    expect(ended).toBe('returned');
  }, 15_000);

  it('still ends on any other failure of the store (the supervisor decides)', async () => {
    const mailboxes = { list: async () => Promise.reject(new MailmonError('store_corrupt', 'damaged')) };
    await expect(runSyncLoop({ deps: { mailboxes, clock: systemClock } as unknown as SyncDeps, intervalMs: 60_000, signal: new AbortController().signal })).rejects.toMatchObject({ code: 'store_corrupt' });
  });
});
