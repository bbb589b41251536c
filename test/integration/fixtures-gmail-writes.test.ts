import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { gmail_v1 } from '@googleapis/gmail';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { expectSchema } from '../support/discovery-schema.js';
import { connectedGmail, failure } from '../support/fixture-gmail.js';

const NO_RETRY = { retry: false } as const;
const MODIFY = 'https://www.googleapis.com/auth/gmail.modify';
const FULL = 'https://mail.google.com/';

function rfc822(headers: Record<string, string>, body = 'Hello.'): string {
  return `${Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n${body}\r\n`;
}

const encode = (text: string) => Buffer.from(text).toString('base64url');

describe('Gmail writes through Google\'s own client', () => {
  let server: FixtureServer;
  let api: gmail_v1.Gmail;
  let other: gmail_v1.Gmail;

  beforeAll(async () => {
    server = await startFixtureServer({ seed: 5, quota: false, mailboxes: [{ generate: { messages: 40 } }, { emailAddress: 'other@mailmon.test', generate: { messages: 3 } }] });
    ({ api } = await connectedGmail(server, undefined, FULL));
    ({ api: other } = await connectedGmail(server, 'other@mailmon.test', FULL));
  });
  afterAll(() => server.close());

  const head = async () => (await api.users.getProfile({ userId: 'me' })).data.historyId!;
  const historySince = async (start: string) => {
    const { data } = await api.users.history.list({ userId: 'me', startHistoryId: start });
    expectSchema(data, 'ListHistoryResponse');
    return data.history ?? [];
  };
  const inboxMessage = async () => (await server.control.snapshot()).messages.find((message) => message.labelIds.includes('INBOX') && !message.labelIds.includes('STARRED'))!;
  const costs = async (name: RegExp) => (await server.control.requests()).filter((entry) => name.test(`${entry.method} ${entry.path}`)).map((entry) => entry.quotaUnits);

  it('messages.modify: labelsAdded and labelsRemoved in one history record; returns the message\'s id, thread and labels', async () => {
    const target = await inboxMessage();
    const start = await head();
    await server.control.clearRequests();
    const { data } = await api.users.messages.modify({ userId: 'me', id: target.id, requestBody: { addLabelIds: ['STARRED', 'Label_1'], removeLabelIds: ['INBOX'] } });
    expectSchema(data, 'Message');
    expect(data).toEqual({ id: target.id, threadId: target.threadId, labelIds: [...new Set([...target.labelIds.filter((id) => id !== 'INBOX'), 'STARRED', 'Label_1'])].sort() });
    const history = await historySince(start);
    expect(history).toHaveLength(1);
    expect(history[0].labelsAdded).toEqual([{ message: { id: target.id, threadId: target.threadId, labelIds: data.labelIds }, labelIds: ['Label_1', 'STARRED'] }]);
    expect(history[0].labelsRemoved).toEqual([{ message: { id: target.id, threadId: target.threadId, labelIds: data.labelIds }, labelIds: ['INBOX'] }]);
    expect(await costs(/\/modify/)).toEqual([5]);
    // A no-op change writes no history.
    const unchanged = await head();
    await api.users.messages.modify({ userId: 'me', id: target.id, requestBody: { addLabelIds: ['STARRED'] } });
    expect(await historySince(unchanged)).toEqual([]);
    expect((await failure(api.users.messages.modify({ userId: 'me', id: target.id, requestBody: { addLabelIds: ['Label_999'] } }, NO_RETRY))).status).toBe(400);
    expect((await failure(api.users.messages.modify({ userId: 'me', id: target.id, requestBody: { addLabelIds: ['SENT'] } }, NO_RETRY))).status).toBe(400);
    expect((await failure(api.users.messages.modify({ userId: 'me', id: 'ffffffffffffffff', requestBody: { addLabelIds: ['STARRED'] } }, NO_RETRY))).status).toBe(404);
  });

  it('messages.trash / untrash / delete: TRASH is a label change, delete is messageDeleted and 204', async () => {
    const target = await inboxMessage();
    const start = await head();
    await server.control.clearRequests();
    const trashed = (await api.users.messages.trash({ userId: 'me', id: target.id })).data;
    expectSchema(trashed, 'Message');
    expect(trashed.labelIds).toContain('TRASH');
    expect(trashed.labelIds).not.toContain('INBOX');
    const restored = (await api.users.messages.untrash({ userId: 'me', id: target.id })).data;
    expect(restored.labelIds).toContain('INBOX');
    expect(restored.labelIds).not.toContain('TRASH');
    const deleted = await api.users.messages.delete({ userId: 'me', id: target.id });
    expect(deleted.status).toBe(204);
    expect((await failure(api.users.messages.get({ userId: 'me', id: target.id }, NO_RETRY))).status).toBe(404);
    const history = await historySince(start);
    expect(history.map((record) => [Object.keys(record).filter((key) => key !== 'id' && key !== 'messages').sort().join('+')])).toEqual([['labelsAdded+labelsRemoved'], ['labelsAdded+labelsRemoved'], ['messagesDeleted']]);
    expect(history[2].messagesDeleted![0].message!.id).toBe(target.id);
    expect(await costs(/\/(trash|untrash)$|DELETE/)).toEqual([5, 5, 10]);
  });

  it('messages.batchModify and batchDelete: one record per changed message, unknown ids skipped, 50 units each', async () => {
    const snapshot = (await server.control.snapshot()).messages.filter((message) => message.labelIds.includes('INBOX'));
    const ids = snapshot.slice(0, 3).map((message) => message.id);
    const start = await head();
    await server.control.clearRequests();
    const modified = await api.users.messages.batchModify({ userId: 'me', requestBody: { ids: [...ids, 'fffffffffffffff0'], addLabelIds: ['Label_2'] } });
    expect(modified.status).toBe(204);
    const afterModify = await historySince(start);
    expect(afterModify.map((record) => record.labelsAdded![0].message!.id)).toEqual(ids);
    const mid = await head();
    expect((await api.users.messages.batchDelete({ userId: 'me', requestBody: { ids: ids.slice(0, 2) } })).status).toBe(204);
    expect((await historySince(mid)).map((record) => record.messagesDeleted![0].message!.id)).toEqual(ids.slice(0, 2));
    expect(await costs(/batch/)).toEqual([50, 50]);
    expect((await failure(api.users.messages.batchModify({ userId: 'me', requestBody: { ids: Array.from({ length: 1001 }, (_, index) => index.toString(16).padStart(16, '0')), addLabelIds: ['STARRED'] } }, NO_RETRY))).status).toBe(400);
    expect((await failure(api.users.messages.batchDelete({ userId: 'me', requestBody: { ids: ['not-an-id'] } }, NO_RETRY))).data.error.message).toBe('Invalid id value');
  });

  it('messages.insert and import: internalDateSource, labels, neverMarkSpam; messageAdded; 25 units', async () => {
    const date = 'Tue, 01 Jul 2025 10:00:00 +0000';
    const raw = encode(rfc822({ From: 'Ann <ann@example.com>', To: 'dev@mailmon.test', Subject: 'Inserted', Date: date, 'Message-ID': '<inserted-1@example.com>' }));
    const start = await head();
    await server.control.clearRequests();
    const inserted = (await api.users.messages.insert({ userId: 'me', internalDateSource: 'dateHeader', requestBody: { raw, labelIds: ['INBOX', 'UNREAD'] } })).data;
    expectSchema(inserted, 'Message');
    const full = (await api.users.messages.get({ userId: 'me', id: inserted.id! })).data;
    expectSchema(full, 'Message');
    expect(full.internalDate).toBe(String(Date.parse(date)));
    expect(full.labelIds).toEqual(['INBOX', 'UNREAD']);
    expect(full.payload!.headers!.find((header) => header.name === 'Subject')!.value).toBe('Inserted');
    expect(Buffer.from((await api.users.messages.get({ userId: 'me', id: inserted.id!, format: 'raw' })).data.raw!, 'base64url').toString()).toBe(Buffer.from(raw, 'base64url').toString());
    const received = (await api.users.messages.insert({ userId: 'me', requestBody: { raw } })).data;
    expect(Math.abs(Number((await api.users.messages.get({ userId: 'me', id: received.id!, format: 'minimal' })).data.internalDate) - Date.now())).toBeLessThan(60_000);

    const spam = encode(rfc822({ From: 'x@spam.test', To: 'dev@mailmon.test', Subject: 'Win', Date: date, 'X-Spam-Flag': 'YES' }));
    const imported = (await api.users.messages.import({ userId: 'me', requestBody: { raw: spam, labelIds: ['INBOX', 'UNREAD'] } })).data;
    expect(imported.labelIds).toEqual(['SPAM', 'UNREAD']);
    expect((await api.users.messages.get({ userId: 'me', id: imported.id!, format: 'minimal' })).data.internalDate).toBe(String(Date.parse(date)));
    const kept = (await api.users.messages.import({ userId: 'me', neverMarkSpam: true, requestBody: { raw: spam, labelIds: ['INBOX', 'UNREAD'] } })).data;
    expect(kept.labelIds).toEqual(['INBOX', 'UNREAD']);
    const history = await historySince(start);
    expect(history.map((record) => record.messagesAdded![0].message!.id)).toEqual([inserted.id, received.id, imported.id, kept.id]);
    expect(await costs(/^POST .*\/messages(\/import)?(\?|$)/)).toEqual([25, 25, 25, 25]);
    expect((await failure(api.users.messages.insert({ userId: 'me', requestBody: {} }, NO_RETRY))).status).toBe(400);
  });

  it('messages.send: SENT in the sender\'s mailbox, threaded by threadId + References + subject, delivered to a fixture recipient', async () => {
    const start = await head();
    await server.control.clearRequests();
    const first = (await api.users.messages.send({ userId: 'me', requestBody: { raw: encode(rfc822({ To: 'other@mailmon.test', Subject: 'Plans for Zanzibar' })) } })).data;
    expectSchema(first, 'Message');
    expect(first.labelIds).toEqual(['SENT']);
    const sent = (await api.users.messages.get({ userId: 'me', id: first.id!, format: 'metadata' })).data;
    const headerOf = (message: gmail_v1.Schema$Message, name: string) => message.payload!.headers!.find((header) => header.name?.toLowerCase() === name.toLowerCase())?.value;
    expect(headerOf(sent, 'From')).toBe('dev@mailmon.test');
    const messageId = headerOf(sent, 'Message-ID')!;
    expect(messageId).toMatch(/^<.+@.+>$/);
    // A reply that meets Gmail's three criteria joins the thread.
    const reply = (await api.users.messages.send({ userId: 'me', requestBody: { threadId: first.threadId, raw: encode(rfc822({ To: 'other@mailmon.test', Subject: 'Re: Plans for Zanzibar', 'In-Reply-To': messageId, References: messageId })) } })).data;
    expect(reply.threadId).toBe(first.threadId);
    // Same threadId and References but another subject: a new thread.
    const renamed = (await api.users.messages.send({ userId: 'me', requestBody: { threadId: first.threadId, raw: encode(rfc822({ To: 'other@mailmon.test', Subject: 'Something else', 'In-Reply-To': messageId, References: messageId })) } })).data;
    expect(renamed.threadId).toBe(renamed.id);
    // threadId and subject without References: a new thread.
    const unreferenced = (await api.users.messages.send({ userId: 'me', requestBody: { threadId: first.threadId, raw: encode(rfc822({ To: 'other@mailmon.test', Subject: 'Re: Plans for Zanzibar' })) } })).data;
    expect(unreferenced.threadId).not.toBe(first.threadId);
    const history = await historySince(start);
    expect(history.map((record) => record.messagesAdded![0].message)).toEqual([first, reply, renamed, unreferenced].map((message) => ({ id: message.id, threadId: message.threadId, labelIds: ['SENT'] })));
    expect(await costs(/send/)).toEqual([100, 100, 100, 100]);
    // The recipient's mailbox received them, threaded the same way.
    const received = (await other.users.messages.list({ userId: 'me', q: 'subject:zanzibar' })).data.messages!;
    expect(received).toHaveLength(3);
    const receivedFirst = (await other.users.messages.list({ userId: 'me', q: `rfc822msgid:${messageId}` })).data.messages![0];
    expect((await other.users.threads.get({ userId: 'me', id: receivedFirst.threadId!, format: 'minimal' })).data.messages).toHaveLength(2);
    expect((await other.users.messages.get({ userId: 'me', id: receivedFirst.id!, format: 'minimal' })).data.labelIds).toEqual(['CATEGORY_PERSONAL', 'INBOX', 'UNREAD']);
    expect((await failure(api.users.messages.send({ userId: 'me', requestBody: { raw: encode(rfc822({ Subject: 'nobody' })) } }, NO_RETRY))).status).toBe(400);
  });

  it('media upload: send and insert with media (multipart and media), and a resumable import in two chunks', async () => {
    const raw = rfc822({ To: 'someone@example.com', Subject: 'Uploaded send' });
    // The Node client builds upload URLs from the per-call rootUrl (the client-wide one is not applied to them).
    const viaMultipart = (await api.users.messages.send({ userId: 'me', requestBody: {}, media: { mimeType: 'message/rfc822', body: raw } }, { rootUrl: server.url })).data;
    expectSchema(viaMultipart, 'Message');
    expect(viaMultipart.labelIds).toEqual(['SENT']);
    const viaMedia = (await api.users.messages.insert({ userId: 'me', media: { mimeType: 'message/rfc822', body: rfc822({ From: 'a@example.com', Subject: 'Uploaded insert' }) } }, { rootUrl: server.url })).data;
    const log = await server.control.requests();
    expect(log.slice(-2).map((entry) => entry.path.split('?')[0])).toEqual(['/upload/gmail/v1/users/me/messages/send', '/upload/gmail/v1/users/me/messages']);
    expect(log.slice(-2).map((entry) => new URLSearchParams(entry.path.split('?')[1]).get('uploadType'))).toEqual(['multipart', 'media']);
    expect((await api.users.messages.get({ userId: 'me', id: viaMedia.id!, format: 'metadata' })).data.payload!.headers!.find((header) => header.name === 'Subject')!.value).toBe('Uploaded insert');

    const { token } = await (api.context._options.auth as { getAccessToken(): Promise<{ token: string }> }).getAccessToken();
    const bytes = Buffer.from(rfc822({ From: 'b@example.com', Subject: 'Resumable import', Date: 'Wed, 02 Jul 2025 10:00:00 +0000' }));
    await server.control.clearRequests();
    const opened = await fetch(`${server.url}resumable/upload/gmail/v1/users/me/messages/import`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-upload-content-type': 'message/rfc822' }, body: JSON.stringify({ labelIds: ['INBOX'] }) });
    expect(opened.status).toBe(200);
    const location = opened.headers.get('location')!;
    const half = Math.floor(bytes.length / 2);
    const partial = await fetch(location, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-range': `bytes 0-${half - 1}/${bytes.length}` }, body: bytes.subarray(0, half) });
    expect(partial.status).toBe(308);
    expect(partial.headers.get('range')).toBe(`bytes=0-${half - 1}`);
    const done = await fetch(location, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-range': `bytes ${half}-${bytes.length - 1}/${bytes.length}` }, body: bytes.subarray(half) });
    expect(done.status).toBe(200);
    const imported = (await done.json()) as gmail_v1.Schema$Message;
    expectSchema(imported, 'Message');
    expect(imported.labelIds).toEqual(['INBOX']);
    expect((await server.control.requests()).map((entry) => [entry.method, entry.status, entry.quotaUnits])).toEqual([['POST', 200, 0], ['PUT', 308, 0], ['PUT', 200, 25]]);
    expect(Buffer.from((await api.users.messages.get({ userId: 'me', id: imported.id!, format: 'raw' })).data.raw!, 'base64url').equals(bytes)).toBe(true);
    // Only methods that take a message accept uploads.
    expect((await fetch(`${server.url}upload/gmail/v1/users/me/labels?uploadType=media`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: 'x' })).status).toBe(404);
  });

  it('threads.modify / trash / untrash / delete: a record per message changed; Gmail\'s costs', async () => {
    const counts = new Map<string, number>();
    for (const message of (await server.control.snapshot()).messages) counts.set(message.threadId, (counts.get(message.threadId) ?? 0) + 1);
    const [threadId, size] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    expect(size).toBeGreaterThan(1);
    const start = await head();
    await server.control.clearRequests();
    const modified = (await api.users.threads.modify({ userId: 'me', id: threadId, requestBody: { addLabelIds: ['Label_3'] } })).data;
    expectSchema(modified, 'Thread');
    expect(modified.messages).toHaveLength(size);
    expect(modified.messages!.every((message) => message.labelIds!.includes('Label_3'))).toBe(true);
    expect((await historySince(start)).filter((record) => record.labelsAdded)).toHaveLength(size);
    const trashed = (await api.users.threads.trash({ userId: 'me', id: threadId })).data;
    expect(trashed.messages!.every((message) => message.labelIds!.includes('TRASH'))).toBe(true);
    const untrashed = (await api.users.threads.untrash({ userId: 'me', id: threadId })).data;
    expect(untrashed.messages!.some((message) => message.labelIds!.includes('TRASH'))).toBe(false);
    const beforeDelete = await head();
    expect((await api.users.threads.delete({ userId: 'me', id: threadId })).status).toBe(204);
    expect((await historySince(beforeDelete)).filter((record) => record.messagesDeleted)).toHaveLength(size);
    expect((await failure(api.users.threads.get({ userId: 'me', id: threadId }, NO_RETRY))).status).toBe(404);
    expect(await costs(/threads/)).toEqual([10, 10, 10, 20, 10]);
  });

  it('drafts: create, list, get, update, send, delete; a draft carries DRAFT; sending removes it and adds the SENT message', async () => {
    await server.control.clearRequests();
    const start = await head();
    const created = (await api.users.drafts.create({ userId: 'me', requestBody: { message: { raw: encode(rfc822({ To: 'other@mailmon.test', Subject: 'Draft one' })) } } })).data;
    expectSchema(created, 'Draft');
    expect(created.id).toMatch(/^r-?\d+$/);
    expect(created.message!.labelIds).toEqual(['DRAFT']);
    const listed = (await api.users.drafts.list({ userId: 'me' })).data;
    expectSchema(listed, 'ListDraftsResponse');
    expect(listed.drafts).toEqual([{ id: created.id, message: { id: created.message!.id, threadId: created.message!.threadId } }]);
    const got = (await api.users.drafts.get({ userId: 'me', id: created.id! })).data;
    expectSchema(got, 'Draft');
    expect(got.message!.payload!.headers!.find((header) => header.name === 'Subject')!.value).toBe('Draft one');
    const updated = (await api.users.drafts.update({ userId: 'me', id: created.id!, requestBody: { message: { raw: encode(rfc822({ To: 'other@mailmon.test', Subject: 'Draft one, edited' })) } } })).data;
    expect(updated.id).toBe(created.id);
    expect(updated.message!.id).not.toBe(created.message!.id);
    expect((await failure(api.users.messages.get({ userId: 'me', id: created.message!.id! }, NO_RETRY))).status).toBe(404);
    const sent = (await api.users.drafts.send({ userId: 'me', requestBody: { id: created.id } })).data;
    expectSchema(sent, 'Message');
    expect(sent.labelIds).toEqual(['SENT']);
    expect((await api.users.messages.get({ userId: 'me', id: sent.id!, format: 'metadata' })).data.payload!.headers!.find((header) => header.name === 'Subject')!.value).toBe('Draft one, edited');
    expect((await failure(api.users.drafts.get({ userId: 'me', id: created.id! }, NO_RETRY))).status).toBe(404);
    expect((await api.users.drafts.list({ userId: 'me' })).data.drafts).toBeUndefined();
    const history = await historySince(start);
    const summary = history.map((record) => (record.messagesAdded ? `+${record.messagesAdded[0].message!.labelIds!.join(',')}` : record.messagesDeleted ? '-' : '?'));
    expect(summary).toEqual(['+DRAFT', '+DRAFT', '-', '-', '+SENT']);
    const second = (await api.users.drafts.create({ userId: 'me', requestBody: { message: { raw: encode(rfc822({ To: 'x@example.com', Subject: 'Throwaway' })) } } })).data;
    expect((await api.users.drafts.delete({ userId: 'me', id: second.id! })).status).toBe(204);
    expect((await failure(api.users.messages.get({ userId: 'me', id: second.message!.id! }, NO_RETRY))).status).toBe(404);
    expect((await failure(api.users.drafts.get({ userId: 'me', id: 'nope' }, NO_RETRY))).status).toBe(400);
    expect(await costs(/drafts/)).toEqual([10, 5, 5, 10, 100, 5, 5, 10, 10, 5]);
  });

  it('drafts: media upload for create, update and send; list honours q', async () => {
    const perCall = { rootUrl: server.url };
    const draft = (await api.users.drafts.create({ userId: 'me', requestBody: {}, media: { mimeType: 'message/rfc822', body: rfc822({ To: 'x@example.com', Subject: 'Uploaded draft' }) } }, perCall)).data;
    expect(draft.message!.labelIds).toEqual(['DRAFT']);
    const other = (await api.users.drafts.create({ userId: 'me', requestBody: { message: { raw: encode(rfc822({ To: 'y@example.com', Subject: 'Another draft' })) } } })).data;
    expect((await api.users.drafts.list({ userId: 'me', q: 'subject:uploaded' })).data.drafts!.map((entry) => entry.id)).toEqual([draft.id]);
    expect((await api.users.drafts.list({ userId: 'me', q: 'to:y@example.com' })).data.drafts!.map((entry) => entry.id)).toEqual([other.id]);
    const updated = (await api.users.drafts.update({ userId: 'me', id: draft.id!, requestBody: {}, media: { mimeType: 'message/rfc822', body: rfc822({ To: 'x@example.com', Subject: 'Uploaded draft v2' }) } }, perCall)).data;
    expect(updated.id).toBe(draft.id);
    const sent = (await api.users.drafts.send({ userId: 'me', requestBody: { id: draft.id }, media: { mimeType: 'message/rfc822', body: rfc822({ To: 'x@example.com', Subject: 'Uploaded draft v3' }) } }, perCall)).data;
    expect((await api.users.messages.get({ userId: 'me', id: sent.id!, format: 'metadata', metadataHeaders: ['Subject'] })).data.payload!.headers).toEqual([{ name: 'Subject', value: 'Uploaded draft v3' }]);
    expect((await api.users.drafts.list({ userId: 'me' })).data.drafts!.map((entry) => entry.id)).toEqual([other.id]);
    expect((await failure(api.users.drafts.list({ userId: 'me', q: 'is:muted' }, NO_RETRY))).status).toBe(400);
  });
});

describe('Gmail\'s parameter rules', () => {
  let server: FixtureServer;
  let api: gmail_v1.Gmail;

  beforeAll(async () => {
    server = await startFixtureServer({ seed: 9, quota: false, mailboxes: [{ generate: { messages: 620 } }] });
    ({ api } = await connectedGmail(server, undefined, MODIFY));
  });
  afterAll(() => server.close());

  it('malformed ids are 400 "Invalid id value", unknown well-formed ids 404', async () => {
    for (const call of [api.users.messages.get({ userId: 'me', id: 'not-a-message' }, NO_RETRY), api.users.threads.get({ userId: 'me', id: 'xyz!' }, NO_RETRY), api.users.messages.trash({ userId: 'me', id: 'zz' }, NO_RETRY), api.users.messages.attachments.get({ userId: 'me', messageId: 'q', id: 'ANGjdJx' }, NO_RETRY)]) {
      const error = await failure(call);
      expect(error.status).toBe(400);
      expect(error.data.error).toMatchObject({ code: 400, message: 'Invalid id value', status: 'INVALID_ARGUMENT', errors: [{ reason: 'invalidArgument' }] });
    }
    expect((await failure(api.users.messages.get({ userId: 'me', id: '0123456789abcdef' }, NO_RETRY))).status).toBe(404);
  });

  it('an unknown fields selection is 400', async () => {
    const id = (await server.control.snapshot()).messages[0].id;
    const error = await failure(api.users.messages.get({ userId: 'me', id, fields: 'id,nonsense' }, NO_RETRY));
    expect(error.status).toBe(400);
    expect(error.data.error.message).toContain('nonsense');
    expect((await failure(api.users.messages.list({ userId: 'me', fields: 'messages(idd)' }, NO_RETRY))).status).toBe(400);
    expect((await api.users.messages.get({ userId: 'me', id, fields: 'id,payload/headers' })).data.id).toBe(id);
    expect(Object.keys((await api.users.messages.list({ userId: 'me', fields: 'nextPageToken,messages/id' })).data).sort()).toEqual(['messages', 'nextPageToken']);
  });

  it('a message\'s own historyId is a valid startHistoryId', async () => {
    const sent = await server.control.send({ subject: 'cursor' });
    const data = (await api.users.history.list({ userId: 'me', startHistoryId: sent.historyId })).data;
    expect(data.history).toBeUndefined();
    expect(data.historyId).toBe(sent.historyId);
    const loaded = (await api.users.messages.get({ userId: 'me', id: (await server.control.snapshot()).messages[0].id, format: 'minimal' })).data.historyId!;
    expect((await api.users.history.list({ userId: 'me', startHistoryId: loaded })).status).toBe(200);
  });

  it('resultSizeEstimate is exact for a one-page answer and only an estimate when paged', async () => {
    const total = (await server.control.snapshot()).messages.length;
    expect(total % 10).not.toBe(0);
    const one = (await api.users.messages.list({ userId: 'me', includeSpamTrash: true, maxResults: 500, q: 'has:attachment' })).data;
    expect(one.nextPageToken).toBeUndefined();
    expect(one.resultSizeEstimate).toBe(one.messages!.length);
    const first = (await api.users.messages.list({ userId: 'me', includeSpamTrash: true, maxResults: 100 })).data;
    expect(first.resultSizeEstimate).not.toBe(total);
    expect(Math.abs(first.resultSizeEstimate! - total)).toBeLessThanOrEqual(total * 0.05);
    const threads = (await api.users.threads.list({ userId: 'me', includeSpamTrash: true, maxResults: 10 })).data;
    expect(threads.resultSizeEstimate! % 10).toBe(0);
  });

  it('maxResults above 500 serves 500, as Gmail does', async () => {
    const { data } = await api.users.messages.list({ userId: 'me', maxResults: 1000, includeSpamTrash: true });
    expect(data.messages).toHaveLength(500);
    expect(data.nextPageToken).toBeTruthy();
    expect((await api.users.threads.list({ userId: 'me', maxResults: 900, includeSpamTrash: true })).data.threads!.length).toBeLessThanOrEqual(500);
  });
});

describe('label colours', () => {
  it('accepts Gmail\'s palette and answers 400 for any other colour or half a colour', async () => {
    const server = await startFixtureServer({ quota: false, mailboxes: [{ generate: { messages: 1 } }] });
    const { api } = await connectedGmail(server, undefined, 'https://www.googleapis.com/auth/gmail.labels');
    const created = (await api.users.labels.create({ userId: 'me', requestBody: { name: 'Coloured', color: { textColor: '#ffffff', backgroundColor: '#fb4c2f' } } })).data;
    expectSchema(created, 'Label');
    expect(created.color).toEqual({ textColor: '#ffffff', backgroundColor: '#fb4c2f' });
    for (const color of [{ textColor: '#ffffff', backgroundColor: '#123456' }, { textColor: '#fffffe', backgroundColor: '#fb4c2f' }, { backgroundColor: '#fb4c2f' }]) {
      const refused = await failure(api.users.labels.create({ userId: 'me', requestBody: { name: `Bad ${JSON.stringify(color)}`, color } }, NO_RETRY));
      expect(refused.status).toBe(400);
    }
    expect((await failure(api.users.labels.patch({ userId: 'me', id: created.id!, requestBody: { color: { textColor: '#000000', backgroundColor: '#00ff00' } } }, NO_RETRY))).data.error.message).toContain('#00ff00');
    expect((await api.users.labels.patch({ userId: 'me', id: created.id!, requestBody: { color: { textColor: '#000000', backgroundColor: '#16a765' } } })).data.color!.backgroundColor).toBe('#16a765');
    await server.close();
  });
});
