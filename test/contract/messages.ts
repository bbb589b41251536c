/** The Messages port's promises (src/app/ports/messages.ts), for every implementation. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListPosition, StoredMessage, StoredThread } from '../../src/app/ports/messages.js';
import type { MessageState } from '../../src/core/message-state.js';
import { portSeeder, type StoreFactory, type StoreUnderTest } from './stores.js';

function message(id: string, thread: string, internalDate: number | null, labelIds: string[] = ['INBOX']): MessageState {
  return {
    providerMessageId: id, providerThreadId: thread, labelIds, subject: `Subject ${id}`, from: { name: 'Ada', address: 'ada@example.com' }, to: [{ name: null, address: 'me@example.com' }], cc: [],
    dateHeader: null, messageIdHeader: `<${id}@example.com>`, inReplyTo: null, references: null, snippet: `snippet ${id}`, internalDate, sizeEstimate: 100, historyId: '10', attachmentCount: 0, attachmentNames: [],
  };
}

const positionOf = (message: StoredMessage): ListPosition => ({ at: message.state.internalDate ?? -1, id: message.messageId });
const threadPositionOf = (thread: StoredThread): ListPosition => ({ at: thread.lastMessageAt ?? -1, id: thread.id });

export function messagesContract(factory: StoreFactory): void {
  describe(`Messages (${factory.name})`, () => {
    let store: StoreUnderTest;
    const a = { id: 'mbx_a', emailAddress: 'a@example.com' };
    const b = { id: 'mbx_b', emailAddress: 'b@example.com' };

    beforeEach(async () => {
      store = await factory.create();
      for (const mailbox of [a, b]) await store.storage.mailboxes.insert({ ...mailbox, name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1_000);
      await portSeeder(store.storage).messages(a, [message('g1', 't1', 1_000), message('g2', 't1', 3_000, ['INBOX', 'UNREAD']), message('g3', 't2', 2_000, ['SENT'])]);
      await portSeeder(store.storage).messages(b, [message('g4', 't3', 4_000)]);
    });
    afterEach(async () => {
      await store.close();
    });

    const providerIds = (messages: Array<{ state: MessageState }>) => messages.map((m) => m.state.providerMessageId);

    it('lists newest first, across mailboxes or in one, up to the limit', async () => {
      const { messages } = store.storage;
      expect(providerIds(await messages.list({}, 10))).toEqual(['g4', 'g2', 'g3', 'g1']);
      expect(providerIds(await messages.list({}, 2))).toEqual(['g4', 'g2']);
      expect(providerIds(await messages.list({ mailboxId: 'mbx_a' }, 10))).toEqual(['g2', 'g3', 'g1']);
      expect(await messages.list({ mailboxId: 'mbx_missing' }, 10)).toEqual([]);
    });

    it('filters by label and by thread (its id or Gmail\'s)', async () => {
      const { messages } = store.storage;
      expect(providerIds(await messages.list({ label: 'UNREAD' }, 10))).toEqual(['g2']);
      expect(providerIds(await messages.list({ label: 'INBOX', mailboxId: 'mbx_a' }, 10))).toEqual(['g2', 'g1']);
      expect(providerIds(await messages.list({ thread: 't1' }, 10))).toEqual(['g2', 'g1']);
      const threadId = (await messages.get('g1'))!.threadId;
      expect(providerIds(await messages.list({ thread: threadId }, 10))).toEqual(['g2', 'g1']);
    });

    it('orders messages with the same date by id, so the order is total and pages do not overlap', async () => {
      await portSeeder(store.storage).messages(b, [message('s1', 't9', 5_000), message('s2', 't9', 5_000), message('s3', 't9', 5_000)]);
      const all = await store.storage.messages.list({ mailboxId: 'mbx_b' }, 10);
      const tied = all.slice(0, 3).map((m) => m.messageId);
      expect(tied).toEqual([...tied].sort().reverse());
      expect(all.map((m) => m.messageId)).toEqual((await store.storage.messages.list({ mailboxId: 'mbx_b' }, 10)).map((m) => m.messageId));
    });

    it('a message without a date sorts as the oldest: last newest-first, first in its thread', async () => {
      await portSeeder(store.storage).messages(b, [message('n1', 't3', null)]);
      const { messages } = store.storage;
      expect(providerIds(await messages.list({ mailboxId: 'mbx_b' }, 10))).toEqual(['g4', 'n1']);
      expect(providerIds(await messages.threadMessages('mbx_b', 't3'))).toEqual(['n1', 'g4']);
    });

    it('gets a message by its id or Gmail\'s, with its whole state and mailbox', async () => {
      const { messages } = store.storage;
      const byGmail = await messages.get('g2');
      expect(byGmail).toMatchObject({ mailboxId: 'mbx_a', state: message('g2', 't1', 3_000, ['INBOX', 'UNREAD']) });
      expect(byGmail!.messageId).toMatch(/^msg_/);
      expect(await messages.get(byGmail!.messageId)).toEqual(byGmail);
      expect(await messages.get('missing')).toBeUndefined();
    });

    it('lists threads newest first with their messages oldest first; gets one by its id or Gmail\'s', async () => {
      const { messages } = store.storage;
      const threads = await messages.listThreads({ mailboxId: 'mbx_a' }, 10);
      expect(threads.map((t) => t.providerThreadId)).toEqual(['t1', 't2']);
      expect(threads[0]).toMatchObject({ mailboxId: 'mbx_a', messageCount: 2, lastMessageAt: 3_000 });
      expect(threads[0].labelIds).toEqual(expect.arrayContaining(['INBOX', 'UNREAD']));
      expect((await messages.listThreads({ label: 'SENT' }, 10)).map((t) => t.providerThreadId)).toEqual(['t2']);
      expect((await messages.listThreads({}, 1)).map((t) => t.providerThreadId)).toEqual(['t3']);
      expect(await messages.getThread('t1')).toEqual(threads[0]);
      expect(await messages.getThread(threads[0].id)).toEqual(threads[0]);
      expect(await messages.getThread('missing')).toBeUndefined();
      expect(providerIds(await messages.threadMessages('mbx_a', 't1'))).toEqual(['g1', 'g2']);
    });

    it('resumes a list after a position: pages of any size, ties and undated rows included, add up to the whole list once', async () => {
      const { messages } = store.storage;
      await portSeeder(store.storage).messages(b, [message('s1', 't9', 5_000), message('s2', 't9', 5_000), message('s3', 't9', 5_000), message('n1', 't8', null), message('n2', 't8', null)]);
      const all = (await messages.list({}, 100)).map((m) => m.messageId);
      expect(all).toHaveLength(9);
      for (const mailboxId of [undefined, 'mbx_b']) {
        const whole = (await messages.list({ mailboxId }, 100)).map((m) => m.messageId);
        for (const size of [1, 2, 4]) {
          const paged: string[] = [];
          // Bounded: a cursor that does not move on must fail the test, not hang it.
          for (let after: ListPosition | undefined, pages = 0; pages < 20; pages += 1) {
            const page = await messages.list({ mailboxId, after }, size);
            paged.push(...page.map((m) => m.messageId));
            if (page.length < size) break;
            after = positionOf(page[page.length - 1]);
          }
          expect(paged).toEqual(whole);
        }
      }
      const threads = await messages.listThreads({}, 100);
      expect((await messages.listThreads({ after: threadPositionOf(threads[0]) }, 100)).map((t) => t.id)).toEqual(threads.slice(1).map((t) => t.id));
      expect(await messages.listThreads({ after: threadPositionOf(threads.at(-1)!) }, 100)).toEqual([]);
    });

    it('a position needs no row: a page resumes after a row that is gone, between its neighbours', async () => {
      const { messages } = store.storage;
      // g4 (4000), g2 (3000), g3 (2000), g1 (1000): resume "after" a vanished row dated 2500.
      expect(providerIds(await messages.list({ after: { at: 2_500, id: 'msg_gone' } }, 10))).toEqual(['g3', 'g1']);
      expect(providerIds(await messages.list({ after: { at: 3_000, id: 'msg_~' } }, 10))).toEqual(['g2', 'g3', 'g1']);
      expect(providerIds(await messages.list({ after: { at: 3_000, id: 'msg_' } }, 10))).toEqual(['g3', 'g1']);
      expect(providerIds(await messages.list({ after: { at: -1, id: 'msg_~' } }, 10))).toEqual([]);
      expect((await messages.listThreads({ after: { at: 2_500, id: 'thr_gone' } }, 10)).map((t) => t.providerThreadId)).toEqual(['t2']);
    });

    it('finds text in the subject, snippet or sender, case-insensitively; % and _ are plain characters', async () => {
      const { messages } = store.storage;
      expect(providerIds(await messages.list({ text: 'subject G2' }, 10))).toEqual(['g2']);
      expect(providerIds(await messages.list({ text: 'SNIPPET g3' }, 10))).toEqual(['g3']);
      expect(providerIds(await messages.list({ text: 'ada@example', mailboxId: 'mbx_a' }, 10))).toEqual(['g2', 'g3', 'g1']);
      expect(await messages.list({ text: '%' }, 10)).toEqual([]);
      expect(await messages.list({ text: 'subject_g' }, 10)).toEqual([]);
      expect((await messages.listThreads({ text: 'subject g3' }, 10)).map((t) => t.providerThreadId)).toEqual(['t2']);
    });

    it('another connection reads what was committed', async () => {
      const other = await store.connect();
      expect(providerIds(await other.messages.list({}, 10))).toEqual(['g4', 'g2', 'g3', 'g1']);
      await portSeeder(store.storage).messages(a, [message('g5', 't1', 6_000)]);
      expect(providerIds(await other.messages.list({ thread: 't1' }, 10))).toEqual(['g5', 'g2', 'g1']);
    });
  });
}
