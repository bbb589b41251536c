/** The SyncCommit port's promises (src/app/ports/sync-commit.ts), for every implementation. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RemoteMessage } from '../../src/core/diff.js';
import type { MessageState } from '../../src/core/message-state.js';
import type { Storage } from '../../src/app/ports/storage.js';
import type { CommitInput } from '../../src/app/ports/sync-commit.js';
import type { StoreFactory, StoreUnderTest } from './stores.js';

const MAILBOX = { id: 'mbx_a', emailAddress: 'a@example.com' };

function message(id: string, threadId: string, labelIds: string[] = ['INBOX']): MessageState {
  return {
    providerMessageId: id, providerThreadId: threadId, labelIds, subject: `subject ${id}`, from: { name: 'Ann', address: 'ann@example.com' }, to: [], cc: [],
    dateHeader: null, messageIdHeader: `<${id}@example.com>`, inReplyTo: null, references: null, snippet: `snippet ${id}`, internalDate: 1_000, sizeEstimate: 100,
    historyId: '10', attachmentCount: 0, attachmentNames: [],
  };
}

const present = (state: MessageState): RemoteMessage => ({ kind: 'present', state });

type Ports = Pick<Storage, 'mailboxes' | 'events' | 'syncCommit'>;

export function syncCommitContract(factory: StoreFactory<Ports>): void {
  describe(`SyncCommit (${factory.name})`, () => {
    let store: StoreUnderTest<Ports>;
    let epoch: number;
    beforeEach(async () => {
      store = await factory.create();
      await store.storage.mailboxes.insert({ ...MAILBOX, name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1_000);
      epoch = await store.storage.mailboxes.bumpLeaseEpoch(MAILBOX.id);
    });
    afterEach(async () => {
      await store.close();
    });

    const commit = (storage: Ports, input: Partial<CommitInput> & Pick<CommitInput, 'remote'>) =>
      storage.syncCommit.commit({ mailbox: MAILBOX, epoch, emitEvents: true, now: 2_000, ...input });
    const snapshot = async (storage: Ports) => ({
      local: [...(await storage.syncCommit.localLabels(MAILBOX.id))].sort(),
      events: await storage.events.head(),
      mailbox: await storage.mailboxes.get(MAILBOX.id),
    });

    it('commits state, events and cursor together', async () => {
      const result = await commit(store.storage, { remote: [present(message('m1', 't1')), present(message('m2', 't1'))], cursor: '42' });
      expect(result).toMatchObject({ created: 2, updated: 0, deleted: 0 });
      expect(result.events.map((event) => event.type)).toEqual(['message.created', 'message.created', 'thread.updated']);
      expect((await store.storage.events.readAfter(0, 10)).map((event) => event.id)).toEqual(result.events.map((event) => event.id));
      expect((await store.storage.mailboxes.get(MAILBOX.id))?.historyId).toBe('42');
      const local = await store.storage.syncCommit.loadLocal(MAILBOX.id, ['m1', 'm2', 'm3']);
      expect([...local.keys()].sort()).toEqual(['m1', 'm2']);
      expect(local.get('m1')?.state).toEqual(message('m1', 't1'));
      expect(local.get('m1')?.threadId).toBe(local.get('m2')?.threadId);
    });

    it('re-applying the same truth writes no event', async () => {
      await commit(store.storage, { remote: [present(message('m1', 't1'))], cursor: '1' });
      const head = await store.storage.events.head();
      const again = await commit(store.storage, { remote: [present(message('m1', 't1'))], cursor: '2' });
      expect(again).toMatchObject({ created: 0, updated: 0, deleted: 0, events: [] });
      expect(await store.storage.events.head()).toBe(head);
      const changed = await commit(store.storage, { remote: [present(message('m1', 't1', ['INBOX', 'STARRED']))] });
      expect(changed.events.map((event) => event.type)).toEqual(['message.updated', 'thread.updated']);
      const gone = await commit(store.storage, { remote: [{ kind: 'gone', providerMessageId: 'm1' }, { kind: 'gone', providerMessageId: 'never-seen' }] });
      expect(gone).toMatchObject({ deleted: 1 });
      expect(gone.events.map((event) => event.type)).toEqual(['message.deleted', 'thread.updated']);
    });

    it('a full sync marks what it saw and sweeps the rest; a checkpoint is built from the commit counts', async () => {
      await commit(store.storage, { remote: [present(message('m1', 't1')), present(message('m2', 't2'))] });
      await commit(store.storage, {
        remote: [present(message('m1', 't1')), present(message('m3', 't3'))], mark: 'run_1',
        checkpoint: (counts) => ({ h0: '9', pageToken: 'p2', mark: 'run_1', emitEvents: true, reason: 'requested', previousHistoryId: null, processed: 2, total: 3, counts, startedAt: 1 }),
      });
      expect([...(await store.storage.syncCommit.markedIds(MAILBOX.id, ['m1', 'm2', 'm3'], 'run_1'))].sort()).toEqual(['m1', 'm3']);
      expect((await store.storage.mailboxes.get(MAILBOX.id))?.fullSyncCheckpoint).toMatchObject({ pageToken: 'p2', counts: { created: 1, updated: 0, deleted: 0 } });
      const final = await commit(store.storage, { remote: [], sweepUnmarked: 'run_1', cursor: '9', checkpoint: null, status: { to: 'active', reason: null } });
      expect(final.deleted).toBe(1);
      expect(final.events.map((event) => event.type)).toEqual(['message.deleted', 'thread.updated', 'mailbox.status_changed']);
      expect(await store.storage.mailboxes.get(MAILBOX.id)).toMatchObject({ historyId: '9', fullSyncCheckpoint: null, status: 'active' });
    });

    it('one commit that stamps and sweeps with the same mark keeps every message it saw, changed or not, and sweeps only the rest', async () => {
      await commit(store.storage, { remote: [present(message('m1', 't1')), present(message('m2', 't1')), present(message('m3', 't2'))] });
      const result = await commit(store.storage, { remote: [present(message('m1', 't1')), present(message('m2', 't1', ['INBOX', 'STARRED']))], mark: 'run_1', sweepUnmarked: 'run_1' });
      expect(result).toMatchObject({ created: 0, updated: 1, deleted: 1 });
      expect(result.events.map((event) => event.type)).toEqual(['message.updated', 'message.deleted', 'thread.updated', 'thread.updated']);
      expect([...(await store.storage.syncCommit.localLabels(MAILBOX.id))].sort()).toEqual([['m1', ['INBOX']], ['m2', ['INBOX', 'STARRED']]]);
    });

    it('two writers racing with different epochs from two connections: only the current holder commits; the stale one gets lease_lost and changes nothing', async () => {
      const stale = store.storage;
      const current = await store.connect();
      const staleEpoch = epoch;
      const currentEpoch = await current.mailboxes.bumpLeaseEpoch(MAILBOX.id);
      const [lost, won] = await Promise.allSettled([
        stale.syncCommit.commit({ mailbox: MAILBOX, epoch: staleEpoch, emitEvents: true, now: 2_000, remote: [present(message('stale', 't1'))], cursor: 'stale-cursor' }),
        current.syncCommit.commit({ mailbox: MAILBOX, epoch: currentEpoch, emitEvents: true, now: 2_000, remote: [present(message('fresh', 't2'))], cursor: 'fresh-cursor' }),
      ]);
      expect(lost).toMatchObject({ status: 'rejected', reason: { code: 'lease_lost' } });
      expect(won.status).toBe('fulfilled');
      for (const storage of [stale, current]) {
        expect([...(await storage.syncCommit.localLabels(MAILBOX.id)).keys()]).toEqual(['fresh']);
        expect((await storage.events.readAfter(0, 10)).map((event) => JSON.parse(event.body).data.providerMessageId ?? null)).not.toContain('stale');
        expect((await storage.mailboxes.get(MAILBOX.id))?.historyId).toBe('fresh-cursor');
      }
      // Later commits of the stale holder keep failing, whatever they carry.
      await expect(stale.syncCommit.commit({ mailbox: MAILBOX, epoch: staleEpoch, emitEvents: false, now: 3_000, remote: [], checkpoint: null })).rejects.toMatchObject({ code: 'lease_lost' });
    });

    it('a commit that fails part-way leaves nothing: no message, no event, no cursor move', async () => {
      await commit(store.storage, { remote: [present(message('m1', 't1'))], cursor: '1' });
      const before = await snapshot(store.storage);
      const failing = commit(store.storage, {
        remote: [present(message('m2', 't2')), { kind: 'gone', providerMessageId: 'm1' }], cursor: '2',
        checkpoint: () => {
          throw new Error('the checkpoint could not be built');
        },
      });
      await expect(failing).rejects.toThrow('the checkpoint could not be built');
      expect(await snapshot(store.storage)).toEqual(before);
    });

    it('an unknown mailbox is mailbox_not_found', async () => {
      await expect(store.storage.syncCommit.commit({ mailbox: { id: 'mbx_missing', emailAddress: 'x@example.com' }, epoch, emitEvents: true, now: 1, remote: [] })).rejects.toMatchObject({ code: 'mailbox_not_found' });
    });

    it('replaces the label registry and reports the known label ids', async () => {
      await store.storage.syncCommit.replaceLabels(MAILBOX.id, [{ id: 'INBOX', name: 'INBOX', type: 'system' }, { id: 'Label_1', name: 'Work', type: 'user' }], 1_000);
      expect([...(await store.storage.syncCommit.knownLabelIds(MAILBOX.id))].sort()).toEqual(['INBOX', 'Label_1']);
      await store.storage.syncCommit.replaceLabels(MAILBOX.id, [{ id: 'Label_2', name: 'Home', type: 'user' }], 2_000);
      expect([...(await store.storage.syncCommit.knownLabelIds(MAILBOX.id))]).toEqual(['Label_2']);
      expect(await store.storage.events.head()).toBe(0);
    });
  });
}
