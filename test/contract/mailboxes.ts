/** The Mailboxes port's promises (src/app/ports/mailboxes.ts), for every implementation. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/app/ports/storage.js';
import type { StoreFactory, StoreUnderTest } from './stores.js';

type Ports = Pick<Storage, 'mailboxes' | 'events'>;

export function mailboxesContract(factory: StoreFactory<Ports>): void {
  describe(`Mailboxes (${factory.name})`, () => {
    let store: StoreUnderTest<Ports>;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(async () => {
      await store.close();
    });

    const connection = { gmailApiUrl: 'http://127.0.0.1:1/gmail/v1', oauthUrl: 'http://127.0.0.1:1/oauth', scope: 'https://www.googleapis.com/auth/gmail.readonly' };
    const add = (id: string, emailAddress: string, now = 1_000) => store.storage.mailboxes.insert({ id, emailAddress, name: null, ...connection }, now);

    it('inserts a pending mailbox, lists oldest first, finds by id and by address in any case', async () => {
      await add('mbx_b', 'b@example.com', 2_000);
      await add('mbx_a', 'A@Example.com', 1_000);
      const { mailboxes } = store.storage;
      expect((await mailboxes.list()).map((m) => m.id)).toEqual(['mbx_a', 'mbx_b']);
      const a = await mailboxes.get('mbx_a');
      expect(a).toMatchObject({ id: 'mbx_a', emailAddress: 'A@Example.com', status: 'pending', historyId: null, fullSyncCheckpoint: null, leaseEpoch: 0, ...connection });
      expect((await mailboxes.findByAddress('a@example.COM'))?.id).toBe('mbx_a');
      expect(await mailboxes.get('mbx_missing')).toBeUndefined();
      expect(await mailboxes.findByAddress('nobody@example.com')).toBeUndefined();
    });

    it('bumps the fencing epoch by one per call, visible to every connection; unknown mailbox is mailbox_not_found', async () => {
      await add('mbx_a', 'a@example.com');
      const other = await store.connect();
      expect(await store.storage.mailboxes.bumpLeaseEpoch('mbx_a')).toBe(1);
      expect(await other.mailboxes.bumpLeaseEpoch('mbx_a')).toBe(2);
      expect((await store.storage.mailboxes.get('mbx_a'))?.leaseEpoch).toBe(2);
      await expect(store.storage.mailboxes.bumpLeaseEpoch('mbx_missing')).rejects.toMatchObject({ code: 'mailbox_not_found' });
    });

    it('concurrent epoch bumps never hand out the same epoch twice', async () => {
      await add('mbx_a', 'a@example.com');
      const connections = [store.storage, await store.connect(), await store.connect()];
      const epochs = await Promise.all(Array.from({ length: 30 }, (_, i) => connections[i % 3].mailboxes.bumpLeaseEpoch('mbx_a')));
      expect(new Set(epochs).size).toBe(30);
      expect(Math.max(...epochs)).toBe(30);
    });

    it('changes status with exactly one mailbox.status_changed event; the same status again is a no-op without an event', async () => {
      await add('mbx_a', 'a@example.com');
      const { mailboxes, events } = store.storage;
      let n = 0;
      const deps = { now: 5_000, newEventId: () => `evt_${++n}` };
      expect(await mailboxes.setStatus('mbx_a', 'active', null, deps)).toBe(true);
      expect(await mailboxes.setStatus('mbx_a', 'active', null, deps)).toBe(false);
      expect(await mailboxes.setStatus('mbx_a', 'reauth_required', 'token revoked', deps)).toBe(true);
      expect(await mailboxes.get('mbx_a')).toMatchObject({ status: 'reauth_required', statusReason: 'token revoked' });
      const log = await events.readAfter(0, 10);
      expect(log.map((e) => [e.type, JSON.parse(e.body).data])).toEqual([
        ['mailbox.status_changed', { previousStatus: 'pending', status: 'active', reason: null }],
        ['mailbox.status_changed', { previousStatus: 'active', status: 'reauth_required', reason: 'token revoked' }],
      ]);
      await expect(mailboxes.setStatus('mbx_missing', 'active', null, deps)).rejects.toMatchObject({ code: 'mailbox_not_found' });
    });

    it('records sync attempts: success clears the last error, failure keeps the last success', async () => {
      await add('mbx_a', 'a@example.com');
      const { mailboxes } = store.storage;
      await mailboxes.recordSyncAttempt('mbx_a', { at: 10, error: null });
      await mailboxes.recordSyncAttempt('mbx_a', { at: 20, error: 'gmail_unavailable' });
      expect(await mailboxes.get('mbx_a')).toMatchObject({ lastSyncAt: 20, lastSuccessAt: 10, lastError: 'gmail_unavailable' });
      await mailboxes.recordSyncAttempt('mbx_a', { at: 30, error: null });
      expect(await mailboxes.get('mbx_a')).toMatchObject({ lastSyncAt: 30, lastSuccessAt: 30, lastError: null });
    });

    it('deleting a mailbox deletes its events too, and only its own', async () => {
      await add('mbx_a', 'a@example.com');
      await add('mbx_b', 'b@example.com');
      const { mailboxes, events } = store.storage;
      let n = 0;
      const deps = { now: 5_000, newEventId: () => `evt_${++n}` };
      await mailboxes.setStatus('mbx_a', 'active', null, deps);
      await mailboxes.setStatus('mbx_b', 'active', null, deps);
      await mailboxes.delete('mbx_a');
      expect(await events.count({ mailboxIds: ['mbx_a'] })).toBe(0);
      expect(await events.count({ mailboxIds: ['mbx_b'] })).toBe(1);
    });

    it('updates the connection (keeping the name unless given) and deletes', async () => {
      await add('mbx_a', 'a@example.com');
      const { mailboxes } = store.storage;
      await mailboxes.updateConnection('mbx_a', { gmailApiUrl: 'http://127.0.0.1:2/gmail/v1', oauthUrl: null, scope: null, name: 'work' }, 2_000);
      await mailboxes.updateConnection('mbx_a', { gmailApiUrl: 'http://127.0.0.1:3/gmail/v1', oauthUrl: null, scope: null }, 3_000);
      expect(await mailboxes.get('mbx_a')).toMatchObject({ name: 'work', gmailApiUrl: 'http://127.0.0.1:3/gmail/v1', updatedAt: 3_000 });
      expect(await mailboxes.messageCount('mbx_a')).toBe(0);
      await mailboxes.delete('mbx_a');
      expect(await mailboxes.list()).toEqual([]);
    });
  });
}
