/**
 * End to end: a write made by a user's app through Google's own Gmail client turns into the
 * right mailmon events through mailmon's own sync pipeline (login, history.list, store, events).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { countByType, startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { connectedGmail } from '../support/fixture-gmail.js';

let harness: SyncHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const raw = (headers: Record<string, string>) => Buffer.from(`${Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\nHello from the app.\r\n`).toString('base64url');

describe('an app\'s Gmail writes become mailmon events', () => {
  it('messages.modify → message.updated with labelsAdded / labelsRemoved', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 20, seed: 4 } }] });
    const h = harness;
    await h.sync();
    const { api } = await connectedGmail(h.server, h.emailAddress, 'https://www.googleapis.com/auth/gmail.modify');
    const target = (await h.serverSnapshot()).find((message) => message.labelIds.includes('INBOX') && !message.labelIds.includes('STARRED'))!;
    const before = h.maxSequence();
    await api.users.messages.modify({ userId: 'me', id: target.id, requestBody: { addLabelIds: ['STARRED'], removeLabelIds: ['INBOX'] } });
    await h.sync();
    const events = h.eventsAfter(before).filter((event) => event.type.startsWith('message.'));
    expect(events.map((event) => event.type)).toEqual(['message.updated']);
    expect(events[0].data).toMatchObject({ providerMessageId: target.id, labelsAdded: ['STARRED'], labelsRemoved: ['INBOX'] });
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
  });

  it('messages.send → message.created (SENT) in the sender\'s mailbox and thread.updated; a reply joins the thread', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 10, seed: 4 } }] });
    const h = harness;
    await h.sync();
    const { api } = await connectedGmail(h.server, h.emailAddress, 'https://www.googleapis.com/auth/gmail.send');
    let before = h.maxSequence();
    const sent = (await api.users.messages.send({ userId: 'me', requestBody: { raw: raw({ To: 'ann@example.com', Subject: 'Quarterly numbers' }) } })).data;
    await h.sync();
    let events = h.eventsAfter(before);
    expect(countByType(events)).toEqual({ 'message.created': 1, 'thread.updated': 1 });
    expect(events.find((event) => event.type === 'message.created')!.data).toMatchObject({ providerMessageId: sent.id, subject: 'Quarterly numbers', labelIds: ['SENT'] });

    const { api: reader } = await connectedGmail(h.server, h.emailAddress);
    const header = (await reader.users.messages.get({ userId: 'me', id: sent.id!, format: 'metadata', metadataHeaders: ['Message-ID'] })).data.payload!.headers![0].value!;
    before = h.maxSequence();
    const reply = (await api.users.messages.send({ userId: 'me', requestBody: { threadId: sent.threadId, raw: raw({ To: 'ann@example.com', Subject: 'Re: Quarterly numbers', 'In-Reply-To': header, References: header }) } })).data;
    expect(reply.threadId).toBe(sent.threadId);
    await h.sync();
    events = h.eventsAfter(before);
    expect(countByType(events)).toEqual({ 'message.created': 1, 'thread.updated': 1 });
    expect(events.find((event) => event.type === 'thread.updated')!.data).toMatchObject({ providerThreadId: sent.threadId });
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
  });
});
