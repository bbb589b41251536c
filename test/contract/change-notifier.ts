/**
 * The ChangeNotifier port's promises (src/app/ports/change-notifier.ts), for every implementation:
 * a commit that appends events wakes a waiter on the same connection at once and one on another
 * connection within a few milliseconds; a commit between mark and wait is not missed; timeout
 * and abort end the wait.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/app/ports/storage.js';
import type { StoreFactory, StoreUnderTest } from './stores.js';

const connection = { name: null, gmailApiUrl: 'http://127.0.0.1:1/gmail/v1', oauthUrl: 'http://127.0.0.1:1/oauth', scope: 'https://www.googleapis.com/auth/gmail.readonly' };
let ids = 0;
const deps = () => ({ now: Date.now(), newEventId: () => `evt_notify${String(ids++).padStart(8, '0')}` });

/**
 * How long after `act` (run once the wait has started) committed `waitForChange` resolved; 0 when
 * it resolved before `act` returned. Counted from the commit's return, not its start: on a loaded
 * machine the commit's own round trips can take tens of milliseconds.
 */
async function timeWake(waiter: Storage, act: () => Promise<unknown>, timeoutMs = 5_000): Promise<number> {
  const mark = await waiter.changes.mark();
  const woken = waiter.changes.waitForChange(mark, timeoutMs).then(() => performance.now());
  await new Promise((resolve) => setTimeout(resolve, 20));
  await act();
  const committed = performance.now();
  return Math.max(0, (await woken) - committed);
}

export function changeNotifierContract(factory: StoreFactory): void {
  describe(`ChangeNotifier (${factory.name})`, () => {
    let store: StoreUnderTest;
    beforeEach(async () => {
      store = await factory.create();
      await store.storage.mailboxes.insert({ id: 'mbx_a', emailAddress: 'a@example.com', ...connection }, 1_000);
    });
    afterEach(async () => {
      await store.close();
    });

    it('a commit on the same connection wakes a waiter at once, with nothing notifying by hand', async () => {
      const lag = await timeWake(store.storage, () => store.storage.mailboxes.setStatus('mbx_a', 'active', null, deps()));
      // At once: a scheduling delay on a loaded machine, not a poll interval.
      expect(lag).toBeLessThan(25);
    });

    it('a commit on another connection wakes a waiter within a few milliseconds', async () => {
      const other = await store.connect();
      const lag = await timeWake(store.storage, () => other.mailboxes.setStatus('mbx_a', 'active', null, deps()));
      expect(lag).toBeLessThan(100);
    });

    it('a commit between mark and wait is not missed: the wait returns at once', async () => {
      const mark = await store.storage.changes.mark();
      await store.storage.mailboxes.setStatus('mbx_a', 'active', null, deps());
      const started = performance.now();
      await store.storage.changes.waitForChange(mark, 5_000);
      expect(performance.now() - started).toBeLessThan(25);
    });

    it('without a commit, the wait ends at its timeout or when aborted, and never rejects', async () => {
      const mark = await store.storage.changes.mark();
      let started = performance.now();
      await store.storage.changes.waitForChange(mark, 60);
      expect(performance.now() - started).toBeGreaterThanOrEqual(55);
      const abort = new AbortController();
      started = performance.now();
      setTimeout(() => abort.abort(), 30);
      await store.storage.changes.waitForChange(mark, 5_000, abort.signal);
      expect(performance.now() - started).toBeLessThan(1_000);
      started = performance.now();
      await store.storage.changes.waitForChange(mark, 5_000, abort.signal);
      expect(performance.now() - started).toBeLessThan(25);
    });
  });
}
