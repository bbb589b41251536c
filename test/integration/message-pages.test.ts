/**
 * Pages of messages and threads through the query layer (what the API serves): the cursor is
 * the last row's position, so paging goes on when that row is deleted between two pages; an
 * old-style cursor (a row id) still works; an unknown one is a usage error, not an empty page.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { messagePage, threadPage } from '../../src/app/message-queries.js';
import type { MessageState } from '../../src/core/message-state.js';
import { portSeeder, sqliteFactory, type StoreUnderTest } from '../contract/stores.js';

const mailbox = { id: 'mbx_a', emailAddress: 'a@example.com' };

function message(id: string, thread: string, internalDate: number): MessageState {
  return {
    providerMessageId: id, providerThreadId: thread, labelIds: ['INBOX'], subject: `Subject ${id}`, from: null, to: [], cc: [], dateHeader: null, messageIdHeader: null,
    inReplyTo: null, references: null, snippet: null, internalDate, sizeEstimate: 1, historyId: '1', attachmentCount: 0, attachmentNames: [],
  };
}

let store: StoreUnderTest;
beforeEach(async () => {
  store = await sqliteFactory.create();
  await store.storage.mailboxes.insert({ ...mailbox, name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1_000);
  await portSeeder(store.storage).messages(mailbox, ['g1', 'g2', 'g3', 'g4', 'g5'].map((id, index) => message(id, `t${id}`, (index + 1) * 1_000)));
});
afterEach(async () => {
  await store.close();
});

const subjects = (page: { data: Array<{ subject: string | null }> }) => page.data.map((row) => row.subject);

it('goes on after the last row of a page is deleted', async () => {
  const first = await messagePage(store.storage, { limit: 2 });
  expect(subjects(first)).toEqual(['Subject g5', 'Subject g4']);
  const epoch = (await store.storage.mailboxes.get(mailbox.id))!.leaseEpoch;
  await store.storage.syncCommit.commit({ mailbox, epoch, remote: [{ kind: 'gone', providerMessageId: 'g4' }], emitEvents: false, now: Date.now() });
  const second = await messagePage(store.storage, { limit: 2, after: first.nextCursor! });
  expect(subjects(second)).toEqual(['Subject g3', 'Subject g2']);
  const last = await messagePage(store.storage, { limit: 2, after: second.nextCursor! });
  expect(subjects(last)).toEqual(['Subject g1']);
  expect(last.nextCursor).toBeNull();
});

it('accepts a row id as the cursor; refuses an unknown one with a hint', async () => {
  const first = await messagePage(store.storage, { limit: 2 });
  expect(subjects(await messagePage(store.storage, { limit: 2, after: first.data[1].id }))).toEqual(['Subject g3', 'Subject g2']);
  await expect(messagePage(store.storage, { limit: 2, after: 'msg_unknown' })).rejects.toMatchObject({ code: 'usage', hint: expect.stringContaining('nextCursor') });
  const threads = await threadPage(store.storage, { limit: 2 });
  expect(subjects(await threadPage(store.storage, { limit: 10, after: threads.data[1].id }))).toEqual(['Subject g3', 'Subject g2', 'Subject g1']);
  expect(subjects(await threadPage(store.storage, { limit: 10, after: threads.nextCursor! }))).toEqual(['Subject g3', 'Subject g2', 'Subject g1']);
});
