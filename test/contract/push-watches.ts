/** The PushWatches port's promises (src/app/ports/push-watches.ts), for every implementation. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreFactory, StoreUnderTest } from './stores.js';

export function pushWatchesContract(factory: StoreFactory): void {
  describe(`PushWatches (${factory.name})`, () => {
    let store: StoreUnderTest;
    beforeEach(async () => {
      store = await factory.create();
      const connection = { gmailApiUrl: null, oauthUrl: null, scope: null };
      await store.storage.mailboxes.insert({ id: 'mbx_a', emailAddress: 'a@example.com', name: null, ...connection }, 1);
      await store.storage.mailboxes.insert({ id: 'mbx_b', emailAddress: 'b@example.com', name: null, ...connection }, 1);
    });
    afterEach(async () => {
      await store.close();
    });
    const topic = 'projects/p/topics/gmail';

    it('has no row before the first watch; records an active watch and lists rows by mailbox', async () => {
      const { pushWatches } = store.storage;
      expect(await pushWatches.get('mbx_a')).toBeNull();
      expect(await pushWatches.list()).toEqual([]);
      await pushWatches.recordWatched('mbx_b', { topic, expiration: 9_000 }, 100);
      await pushWatches.recordWatched('mbx_a', { topic, expiration: 8_000 }, 200);
      expect(await pushWatches.get('mbx_a')).toEqual({ mailboxId: 'mbx_a', topic, state: 'active', expiration: 8_000, watchedAt: 200, error: null, lastNotifiedHistoryId: null, lastNotifiedAt: null, updatedAt: 200 });
      expect((await pushWatches.list()).map((row) => row.mailboxId)).toEqual(['mbx_a', 'mbx_b']);
    });

    it('a failed watch keeps the previous expiration; a new watch clears the error', async () => {
      const { pushWatches } = store.storage;
      await pushWatches.recordWatched('mbx_a', { topic, expiration: 8_000 }, 100);
      await pushWatches.recordFailed('mbx_a', { topic, error: '403 forbidden' }, 200);
      expect(await pushWatches.get('mbx_a')).toMatchObject({ state: 'failed', expiration: 8_000, watchedAt: 100, error: '403 forbidden', updatedAt: 200 });
      await pushWatches.recordFailed('mbx_b', { topic, error: 'no topic' }, 300);
      expect(await pushWatches.get('mbx_b')).toMatchObject({ state: 'failed', expiration: null, watchedAt: null, error: 'no topic' });
      await pushWatches.recordWatched('mbx_a', { topic, expiration: 9_000 }, 400);
      expect(await pushWatches.get('mbx_a')).toMatchObject({ state: 'active', expiration: 9_000, error: null });
    });

    it('stopping clears the expiration; stopping or notifying a mailbox without a row writes nothing', async () => {
      const { pushWatches } = store.storage;
      await pushWatches.recordWatched('mbx_a', { topic, expiration: 8_000 }, 100);
      await pushWatches.recordStopped('mbx_a', 200);
      expect(await pushWatches.get('mbx_a')).toMatchObject({ state: 'stopped', expiration: null, error: null, updatedAt: 200 });
      await pushWatches.recordStopped('mbx_b', 200);
      await pushWatches.recordNotified('mbx_b', '5', 200);
      expect(await pushWatches.get('mbx_b')).toBeNull();
    });

    it('keeps the newest notified historyId, compared as numbers, and stamps every notification', async () => {
      const { pushWatches } = store.storage;
      await pushWatches.recordWatched('mbx_a', { topic, expiration: 8_000 }, 100);
      await pushWatches.recordNotified('mbx_a', '99', 200);
      await pushWatches.recordNotified('mbx_a', '100', 300);
      expect(await pushWatches.get('mbx_a')).toMatchObject({ lastNotifiedHistoryId: '100', lastNotifiedAt: 300 });
      await pushWatches.recordNotified('mbx_a', '99', 400);
      expect(await pushWatches.get('mbx_a')).toMatchObject({ lastNotifiedHistoryId: '100', lastNotifiedAt: 400 });
      await pushWatches.recordNotified('mbx_a', '18446744073709551615', 500);
      expect((await pushWatches.get('mbx_a'))?.lastNotifiedHistoryId).toBe('18446744073709551615');
    });

    it('racing notifications from several connections never move the newest historyId back', async () => {
      await store.storage.pushWatches.recordWatched('mbx_a', { topic, expiration: 8_000 }, 100);
      const connections = [store.storage, await store.connect(), await store.connect()];
      const ids = Array.from({ length: 60 }, (_, i) => String(1_000 + ((i * 37) % 60)));
      await Promise.all(ids.map((id, i) => connections[i % 3].pushWatches.recordNotified('mbx_a', id, 200 + i)));
      expect((await connections[1].pushWatches.get('mbx_a'))?.lastNotifiedHistoryId).toBe('1059');
    });

    it('a mailbox deleted takes its watch with it', async () => {
      await store.storage.pushWatches.recordWatched('mbx_a', { topic, expiration: 8_000 }, 100);
      await store.storage.mailboxes.delete('mbx_a');
      expect(await store.storage.pushWatches.get('mbx_a')).toBeNull();
    });
  });
}
