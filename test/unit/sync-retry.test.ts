/** How long the sync loop waits before retrying a mailbox whose sync failed. */
import { describe, expect, it } from 'vitest';
import { retryDelay } from '../../src/app/sync-loop.js';

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
