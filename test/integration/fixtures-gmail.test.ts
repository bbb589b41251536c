import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { expectSchema } from '../support/discovery-schema.js';
import { connectedGmail, failure, headerOf } from '../support/fixture-gmail.js';
import type { gmail_v1 } from '@googleapis/gmail';

const NO_RETRY = { retry: false } as const;
const MAILMON_FIELDS = 'id,threadId,labelIds,snippet,historyId,internalDate,sizeEstimate,payload(headers(name,value),filename,parts(filename,parts(filename,parts(filename))))';

describe('the fixture server through Google\'s own Gmail client', () => {
  let server: FixtureServer;
  let api: gmail_v1.Gmail;

  beforeAll(async () => {
    server = await startFixtureServer({ seed: 3, quota: false, mailboxes: [{ generate: { messages: 400 } }, { emailAddress: 'second@mailmon.test', generate: { messages: 5 } }] });
    ({ api } = await connectedGmail(server, undefined, 'https://www.googleapis.com/auth/gmail.modify'));
  });
  afterAll(() => server.close());

  it('getProfile: live totals and the head historyId', async () => {
    const { data } = await api.users.getProfile({ userId: 'me' });
    expectSchema(data, 'Profile');
    const status = (await server.control.status()).mailboxes[0];
    expect(data).toEqual({ emailAddress: 'dev@mailmon.test', messagesTotal: 400, threadsTotal: status.threadsTotal, historyId: status.historyId });
    expect((await api.users.getProfile({ userId: 'dev@mailmon.test' })).data.emailAddress).toBe('dev@mailmon.test');
    const other = await failure(api.users.getProfile({ userId: 'second@mailmon.test' }, NO_RETRY));
    expect(other.status).toBe(403);
  });

  it('labels: system ids equal names, user labels are Label_N, registry changes write no history', async () => {
    const before = (await api.users.getProfile({ userId: 'me' })).data.historyId;
    const { data } = await api.users.labels.list({ userId: 'me' });
    expectSchema(data, 'ListLabelsResponse');
    const system = data.labels!.filter((label) => label.type === 'system');
    for (const id of ['INBOX', 'UNREAD', 'STARRED', 'IMPORTANT', 'SENT', 'DRAFT', 'SPAM', 'TRASH', 'CATEGORY_PERSONAL']) expect(system.find((label) => label.id === id)?.name).toBe(id);
    expect(data.labels!.filter((label) => label.type === 'user').map((label) => label.id)).toEqual(['Label_1', 'Label_2', 'Label_3', 'Label_4', 'Label_5']);
    const inbox = (await api.users.labels.get({ userId: 'me', id: 'INBOX' })).data;
    expectSchema(inbox, 'Label');
    expect(inbox.messagesTotal).toBeGreaterThan(0);
    const created = (await api.users.labels.create({ userId: 'me', requestBody: { name: 'Fixtures/Test', labelListVisibility: 'labelShow', messageListVisibility: 'show' } })).data;
    expectSchema(created, 'Label');
    expect(created).toMatchObject({ id: 'Label_6', name: 'Fixtures/Test', type: 'user' });
    const patched = (await api.users.labels.patch({ userId: 'me', id: 'Label_6', requestBody: { name: 'Renamed' } })).data;
    expect(patched.name).toBe('Renamed');
    expect((await failure(api.users.labels.create({ userId: 'me', requestBody: { name: 'renamed' } }, NO_RETRY))).status).toBe(409);
    await api.users.labels.delete({ userId: 'me', id: 'Label_6' });
    expect((await failure(api.users.labels.get({ userId: 'me', id: 'Label_6' }, NO_RETRY))).status).toBe(404);
    expect((await api.users.getProfile({ userId: 'me' })).data.historyId).toBe(before);
  });

  it('messages.list: pages through every non-spam/trash message with opaque tokens', async () => {
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const { data } = await api.users.messages.list({ userId: 'me', pageToken });
      expectSchema(data, 'ListMessagesResponse');
      expect(data.messages!.length).toBeLessThanOrEqual(100);
      seen.push(...data.messages!.map((message) => message.id!));
      pageToken = data.nextPageToken ?? undefined;
      pages++;
    } while (pageToken);
    const truth = await server.control.snapshot();
    const expected = truth.messages.filter((message) => !message.labelIds.includes('SPAM') && !message.labelIds.includes('TRASH')).map((message) => message.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(expected.sort());
    expect(pages).toBe(Math.ceil(expected.length / 100));
    for (const id of seen) expect(id).toMatch(/^[0-9a-f]{16}$/);
    const all = await api.users.messages.list({ userId: 'me', includeSpamTrash: true, maxResults: 500 });
    expect(all.data.messages).toHaveLength(400);
    expect(all.data.resultSizeEstimate).toBe(400);
    // Above 500, Gmail serves 500 (the cap is shown on a larger mailbox in fixtures-gmail-writes.test.ts).
    expect((await api.users.messages.list({ userId: 'me', includeSpamTrash: true, maxResults: 501 })).data.messages).toHaveLength(400);
    expect((await failure(api.users.messages.list({ userId: 'me', maxResults: -1 }, NO_RETRY))).data.error.status).toBe('INVALID_ARGUMENT');
  });

  it('messages.list: labelIds are ANDed; q understands in:, is:, label:, after:, before:, -in:chats', async () => {
    const truth = (await server.control.snapshot()).messages;
    const ids = async (params: gmail_v1.Params$Resource$Users$Messages$List) => ((await api.users.messages.list({ userId: 'me', maxResults: 500, ...params })).data.messages ?? []).map((message) => message.id).sort();
    const having = (...labels: string[]) => truth.filter((message) => labels.every((label) => message.labelIds.includes(label)) && !message.labelIds.includes('SPAM') && !message.labelIds.includes('TRASH')).map((message) => message.id).sort();
    expect(await ids({ labelIds: ['INBOX', 'UNREAD'] })).toEqual(having('INBOX', 'UNREAD'));
    expect(await ids({ q: 'in:inbox is:unread -in:chats' })).toEqual(having('INBOX', 'UNREAD'));
    expect(await ids({ q: 'label:work' })).toEqual(having('Label_1'));
    expect(await ids({ q: 'in:trash' })).toEqual(truth.filter((message) => message.labelIds.includes('TRASH')).map((message) => message.id).sort());
    const dates = await Promise.all(truth.slice(0, 400).map(async (message) => ({ id: message.id, date: Number((await api.users.messages.get({ userId: 'me', id: message.id, format: 'minimal' })).data.internalDate) })));
    const cut = dates.map((entry) => entry.date).sort((a, b) => a - b)[200];
    const cutSeconds = Math.floor(cut / 1000);
    const after = await ids({ q: `after:${cutSeconds}`, includeSpamTrash: true });
    expect(after).toEqual(dates.filter((entry) => entry.date >= cutSeconds * 1000).map((entry) => entry.id).sort());
    const before = await ids({ q: `before:${cutSeconds}`, includeSpamTrash: true });
    expect(before.length + after.length).toBe(400);
  });

  it('messages.get: minimal, metadata, full (with mailmon\'s fields) and raw', async () => {
    const withAttachment = await findMessage(api, (message) => (message.payload?.parts ?? []).some((part) => part.filename));
    const id = withAttachment.id!;
    const minimal = (await api.users.messages.get({ userId: 'me', id, format: 'minimal' })).data;
    expectSchema(minimal, 'Message');
    expect(Object.keys(minimal)).toEqual(['id', 'threadId', 'labelIds', 'snippet', 'sizeEstimate', 'historyId', 'internalDate']);
    expect(minimal.internalDate).toMatch(/^\d{13}$/);
    const metadata = (await api.users.messages.get({ userId: 'me', id, format: 'metadata', metadataHeaders: ['From', 'Subject'] })).data;
    expectSchema(metadata, 'Message');
    expect(metadata.payload!.headers!.map((header) => header.name).sort()).toEqual(['From', 'Subject']);
    const full = (await api.users.messages.get({ userId: 'me', id, format: 'full' })).data;
    expectSchema(full, 'Message');
    const attachments = full.payload!.parts!.filter((part) => part.filename);
    expect(attachments.length).toBeGreaterThan(0);
    expect(attachments[0].body!.attachmentId).toBeTruthy();
    const attachment = (await api.users.messages.attachments.get({ userId: 'me', messageId: id, id: attachments[0].body!.attachmentId! })).data;
    expectSchema(attachment, 'MessagePartBody');
    expect(Buffer.from(attachment.data!, 'base64url').length).toBe(attachments[0].body!.size);
    const selected = (await api.users.messages.get({ userId: 'me', id, format: 'full', fields: MAILMON_FIELDS })).data;
    expectSchema(selected, 'Message');
    expect(Object.keys(selected).sort()).toEqual(['historyId', 'id', 'internalDate', 'labelIds', 'payload', 'sizeEstimate', 'snippet', 'threadId']);
    expect(Object.keys(selected.payload!).sort()).toEqual(['filename', 'headers', 'parts']);
    expect(selected.payload!.parts!.every((part) => Object.keys(part).every((key) => key === 'filename' || key === 'parts'))).toBe(true);
    const raw = (await api.users.messages.get({ userId: 'me', id, format: 'raw' })).data;
    expectSchema(raw, 'Message');
    const rfc822 = Buffer.from(raw.raw!, 'base64url').toString('utf8');
    const subject = full.payload!.headers!.find((header) => header.name === 'Subject')!.value!;
    expect(rfc822).toContain(`Subject: ${subject}`);
    expect(rfc822).toContain(`filename="${attachments[0].filename}"`);
    expect((await failure(api.users.messages.get({ userId: 'me', id: '0000000000000000' }, NO_RETRY))).data.error).toMatchObject({ code: 404, status: 'NOT_FOUND', errors: [{ reason: 'notFound' }] });
    expect((await failure(api.users.messages.get({ userId: 'me', id, fields: 'id,(' }, NO_RETRY))).status).toBe(400);
  });

  it('threads.list and threads.get: the label union and the thread historyId', async () => {
    const list = (await api.users.threads.list({ userId: 'me', maxResults: 50 })).data;
    expectSchema(list, 'ListThreadsResponse');
    expect(list.threads).toHaveLength(50);
    expect(list.nextPageToken).toBeTruthy();
    const second = (await api.users.threads.list({ userId: 'me', maxResults: 50, pageToken: list.nextPageToken! })).data;
    expect(second.threads!.some((thread) => list.threads!.some((first) => first.id === thread.id))).toBe(false);
    const longest = (await server.control.snapshot()).messages.reduce((counts, message) => counts.set(message.threadId, (counts.get(message.threadId) ?? 0) + 1), new Map<string, number>());
    const [threadId, count] = [...longest.entries()].sort((a, b) => b[1] - a[1])[0];
    const thread = (await api.users.threads.get({ userId: 'me', id: threadId, format: 'metadata' })).data;
    expectSchema(thread, 'Thread');
    expect(thread.messages).toHaveLength(count);
    expect(thread.historyId).toBe(String(Math.max(...thread.messages!.map((message) => Number(message.historyId)))));
    expect(thread.messages!.every((message) => message.threadId === threadId)).toBe(true);
  });

  it('threads.get answers each message exactly as messages.get does, for every format and fields mask mailmon uses', async () => {
    const counts = (await server.control.snapshot()).messages.reduce((map, message) => map.set(message.threadId, (map.get(message.threadId) ?? 0) + 1), new Map<string, number>());
    const threadId = [...counts.entries()].find(([, count]) => count >= 3)![0];
    const headers = ['From', 'To', 'Cc', 'Subject', 'Date', 'Message-ID', 'In-Reply-To', 'References'];
    const requests: Array<{ format: string; fields: string; metadataHeaders?: string[] }> = [
      { format: 'full', fields: MAILMON_FIELDS },
      { format: 'metadata', metadataHeaders: headers, fields: 'id,threadId,labelIds,snippet,historyId,internalDate,sizeEstimate,payload(headers(name,value))' },
      { format: 'minimal', fields: 'id,threadId,labelIds,snippet,historyId,internalDate,sizeEstimate' },
    ];
    for (const request of requests) {
      const thread = (await api.users.threads.get({ userId: 'me', id: threadId, ...request, fields: `id,messages(${request.fields})` })).data;
      expect(Object.keys(thread).sort()).toEqual(['id', 'messages']);
      expect(thread.messages).toHaveLength(counts.get(threadId)!);
      for (const message of thread.messages!) {
        expect(message, request.format).toEqual((await api.users.messages.get({ userId: 'me', id: message.id!, ...request })).data);
      }
      if (request.format === 'metadata') expect(thread.messages![0].payload!.headers!.every((header) => headers.includes(header.name!))).toBe(true);
    }
    await server.control.clearRequests();
    await api.users.threads.get({ userId: 'me', id: threadId, format: 'minimal' });
    expect((await server.control.requests()).map((entry) => entry.quotaUnits)).toEqual([10]);
  });
});

async function findMessage(api: gmail_v1.Gmail, predicate: (message: gmail_v1.Schema$Message) => boolean): Promise<gmail_v1.Schema$Message> {
  const { data } = await api.users.messages.list({ userId: 'me', maxResults: 500 });
  for (const { id } of data.messages!) {
    const message = (await api.users.messages.get({ userId: 'me', id: id!, format: 'full' })).data;
    if (predicate(message)) return message;
  }
  throw new Error('no matching message');
}

describe('history.list', () => {
  let server: FixtureServer;
  let api: gmail_v1.Gmail;

  beforeAll(async () => {
    server = await startFixtureServer({ seed: 11, quota: false, mailboxes: [{ generate: { messages: 30 } }] });
    ({ api } = await connectedGmail(server));
  });
  afterAll(() => server.close());

  const head = async () => (await api.users.getProfile({ userId: 'me' })).data.historyId!;
  const historySince = async (startHistoryId: string, extra: Partial<gmail_v1.Params$Resource$Users$History$List> = {}) => (await api.users.history.list({ userId: 'me', startHistoryId, ...extra })).data;

  it('has no history key when nothing happened, and reports the head', async () => {
    const start = await head();
    const data = await historySince(start);
    expectSchema(data, 'ListHistoryResponse');
    expect(data).toEqual({ historyId: start });
  });

  it('send → messagesAdded; the message\'s historyId is the record id', async () => {
    const start = await head();
    const sent = await server.control.send({ subject: 'hello', attachments: [{ filename: 'a.pdf', size: 100 }] });
    const data = await historySince(start);
    expectSchema(data, 'ListHistoryResponse');
    expect(data.history).toEqual([{ id: sent.historyId, messages: [{ id: sent.id, threadId: sent.threadId }], messagesAdded: [{ message: { id: sent.id, threadId: sent.threadId, labelIds: ['CATEGORY_PERSONAL', 'INBOX', 'UNREAD'] } }] }]);
    expect(Number(data.historyId)).toBe(Number(sent.historyId));
    expect((await api.users.messages.get({ userId: 'me', id: sent.id, format: 'minimal' })).data.historyId).toBe(sent.historyId);
  });

  it('modify → labelsAdded / labelsRemoved; trash and untrash are label changes', async () => {
    const id = (await server.control.snapshot()).messages.find((message) => message.labelIds.includes('INBOX'))!.id;
    const start = await head();
    const starred = await server.control.modify({ id, addLabelIds: ['STARRED'] });
    const read = await server.control.modify({ id, removeLabelIds: ['UNREAD', 'STARRED'] });
    const trashed = await server.control.trash({ id });
    const restored = await server.control.untrash({ id });
    const history = (await historySince(start)).history!;
    expect(history.map((record) => record.id)).toEqual([starred.historyId, read.historyId, trashed.historyId, restored.historyId].filter((value, index, all) => all.indexOf(value) === index));
    expect(history[0].labelsAdded).toEqual([{ message: { id, threadId: starred.threadId, labelIds: starred.labelIds }, labelIds: ['STARRED'] }]);
    expect(history.find((record) => record.id === trashed.historyId)).toMatchObject({ labelsAdded: [{ labelIds: ['TRASH'] }], labelsRemoved: [{ labelIds: ['INBOX'] }] });
    expect(history.find((record) => record.id === restored.historyId)).toMatchObject({ labelsAdded: [{ labelIds: ['INBOX'] }], labelsRemoved: [{ labelIds: ['TRASH'] }] });
    const ids = history.map((record) => Number(record.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const onlyAdds = await historySince(start, { historyTypes: ['labelAdded'] });
    expect(onlyAdds.history!.every((record) => record.labelsAdded)).toBe(true);
    const starredOnly = await historySince(start, { labelId: 'STARRED' });
    expect(starredOnly.history!.map((record) => record.id)).toEqual([starred.historyId, read.historyId]);
  });

  it('delete → messagesDeleted, and the message is gone', async () => {
    const victim = (await server.control.snapshot()).messages[0];
    const start = await head();
    const deleted = await server.control.delete({ id: victim.id });
    const data = await historySince(start, { historyTypes: ['messageDeleted'] });
    expect(data.history).toEqual([{ id: deleted.historyId, messages: [{ id: victim.id, threadId: victim.threadId }], messagesDeleted: [{ message: { id: victim.id, threadId: victim.threadId, labelIds: victim.labelIds } }] }]);
    expect((await failure(api.users.messages.get({ userId: 'me', id: victim.id }, NO_RETRY))).status).toBe(404);
  });

  it('pages in ascending order while the head moves between pages', async () => {
    const start = await head();
    for (let index = 0; index < 5; index++) await server.control.send({ subject: `page ${index}` });
    const first = await historySince(start, { maxResults: 2 });
    expect(first.history).toHaveLength(2);
    await server.control.send({ subject: 'during paging' });
    const collected = [...first.history!];
    let token = first.nextPageToken;
    let lastHead = first.historyId;
    while (token) {
      const page = await historySince(start, { maxResults: 2, pageToken: token });
      collected.push(...(page.history ?? []));
      lastHead = page.historyId;
      token = page.nextPageToken;
    }
    expect(collected).toHaveLength(6);
    expect(Number(lastHead)).toBeGreaterThan(Number(first.historyId));
    const ids = collected.map((record) => Number(record.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('rejects a missing or zero startHistoryId and plural historyTypes with 400', async () => {
    const missing = await failure(api.users.history.list({ userId: 'me' } as never, NO_RETRY));
    expect(missing.status).toBe(400);
    expect(missing.data.error.errors[0].reason).toBe('invalidArgument');
    expect((await failure(api.users.history.list({ userId: 'me', startHistoryId: '0' }, NO_RETRY))).status).toBe(400);
    const plural = await failure(api.users.history.list({ userId: 'me', startHistoryId: await head(), historyTypes: ['messagesAdded'] }, NO_RETRY));
    expect(plural.status).toBe(400);
    expect(plural.data.error.message).toContain('messagesAdded');
    expect((await api.users.history.list({ userId: 'me', startHistoryId: await head(), maxResults: 501 }, NO_RETRY)).status).toBe(200);
  });

  it('404 for every cursor issued before expireHistory; a fresh cursor works', async () => {
    const old = await head();
    await server.control.send({});
    await server.control.expireHistory();
    const expired = await failure(api.users.history.list({ userId: 'me', startHistoryId: old }, NO_RETRY));
    expect(expired.status).toBe(404);
    expect(expired.data.error.errors[0].reason).toBe('notFound');
    const fresh = await head();
    expect(await historySince(fresh)).toEqual({ historyId: fresh });
    await server.control.resetHistory();
    expect((await failure(api.users.history.list({ userId: 'me', startHistoryId: fresh }, NO_RETRY))).status).toBe(404);
  });
});

describe('retention, quota, errors and faults', () => {
  it('a cursor older than the retained records gets 404', async () => {
    const server = await startFixtureServer({ quota: false, historyRetention: { maxRecords: 3 }, mailboxes: [{ generate: { messages: 3 } }] });
    const { api } = await connectedGmail(server);
    const start = (await api.users.getProfile({ userId: 'me' })).data.historyId!;
    for (let index = 0; index < 3; index++) await server.control.send({});
    expect((await api.users.history.list({ userId: 'me', startHistoryId: start })).data.history).toHaveLength(3);
    await server.control.send({});
    expect((await failure(api.users.history.list({ userId: 'me', startHistoryId: start }, NO_RETRY))).status).toBe(404);
    await server.close();
  });

  it('429 rateLimitExceeded with Retry-After when the bucket is empty; costs are Gmail\'s', async () => {
    let now = 1_700_000_000_000;
    const server = await startFixtureServer({ quota: 20, now: () => now, mailboxes: [{ generate: { messages: 5 } }] });
    const { api } = await connectedGmail(server);
    const id = (await server.control.snapshot()).messages[0].id;
    await api.users.messages.get({ userId: 'me', id }, NO_RETRY); // 5
    await api.users.history.list({ userId: 'me', startHistoryId: (await api.users.getProfile({ userId: 'me' })).data.historyId! }, NO_RETRY); // 1 + 2
    await api.users.threads.get({ userId: 'me', id: (await server.control.snapshot()).messages[0].threadId }, NO_RETRY); // 10
    const limited = await failure(api.users.messages.list({ userId: 'me' }, NO_RETRY)); // 5 > 2 left
    expect(limited.status).toBe(429);
    expect(limited.data.error.errors[0].reason).toBe('rateLimitExceeded');
    expect(Number(headerOf(limited.headers, 'retry-after'))).toBeGreaterThanOrEqual(1);
    now += 1000;
    expect((await api.users.messages.list({ userId: 'me' }, NO_RETRY)).status).toBe(200);
    const log = await server.control.requests();
    expect(log.map((entry) => [entry.status, entry.quotaUnits])).toEqual([[200, 5], [200, 1], [200, 2], [200, 10], [429, 0], [200, 5]]);
    expect(log.every((entry) => entry.mailbox === 'dev@mailmon.test')).toBe(true);
    await server.close();
  });

  it('401 for a missing (Login Required) or unknown (Invalid Credentials) bearer token, with WWW-Authenticate', async () => {
    const server = await startFixtureServer({ mailboxes: [{ generate: { messages: 1 } }] });
    const cases: Array<[Record<string, string>, string, string, string]> = [
      [{}, 'required', 'Login Required.', 'Bearer realm="https://accounts.google.com/"'],
      [{ authorization: 'Bearer ya29.nope' }, 'authError', 'Invalid Credentials', 'Bearer realm="https://accounts.google.com/", error="invalid_token"'],
    ];
    for (const [headers, reason, message, challenge] of cases) {
      const response = await fetch(`${server.url}gmail/v1/users/me/profile`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(challenge);
      const body = (await response.json()) as { error: { status: string; errors: Array<{ reason: string; message: string }> } };
      expect(body.error.status).toBe('UNAUTHENTICATED');
      expect(body.error.errors[0]).toMatchObject({ reason, message, location: 'Authorization', locationType: 'header' });
    }
    await server.close();
  });

  it('injected faults: 403 with Retry after, 5xx, a delete between list and get, briefly unfetchable adds, an empty history page with a token', async () => {
    const server = await startFixtureServer({ quota: false, mailboxes: [{ generate: { messages: 20 } }] });
    const { api } = await connectedGmail(server);
    await server.control.setFaults({ rate403: 1 });
    const forbidden = await failure(api.users.getProfile({ userId: 'me' }, NO_RETRY));
    expect(forbidden.status).toBe(403);
    expect(forbidden.data.error.errors[0]).toMatchObject({ reason: 'userRateLimitExceeded', domain: 'usageLimits' });
    expect(forbidden.data.error.message).toMatch(/Retry after \d{4}-\d\d-\d\dT/);
    expect(headerOf(forbidden.headers, 'retry-after')).toBe('1');
    await server.control.setFaults({ rate403: 0, rate5xx: 1 });
    const backend = await failure(api.users.getProfile({ userId: 'me' }, NO_RETRY));
    expect([500, 503]).toContain(backend.status);
    expect(backend.data.error.errors[0].reason).toBe('backendError');
    await server.control.clearFaults();

    await server.control.setFaults({ deleteBetweenListAndGet: 1 });
    const listed = (await api.users.messages.list({ userId: 'me' })).data.messages!;
    const statuses = await Promise.all(listed.map(async ({ id }) => (await api.users.messages.get({ userId: 'me', id: id!, format: 'minimal' }, NO_RETRY).catch((error) => error.response)).status));
    expect(statuses.filter((status) => status === 404)).toHaveLength(1);

    const start = (await api.users.getProfile({ userId: 'me' })).data.historyId!;
    await server.control.setFaults({ unfetchableAfterAdd: 2 });
    const sent = await server.control.send({});
    expect((await failure(api.users.messages.get({ userId: 'me', id: sent.id }, NO_RETRY))).status).toBe(404);
    expect((await failure(api.users.messages.get({ userId: 'me', id: sent.id }, NO_RETRY))).status).toBe(404);
    expect((await api.users.messages.get({ userId: 'me', id: sent.id })).data.id).toBe(sent.id);
    // threads.get leaves a briefly unfetchable message out, and each such answer uses up one of its 404s.
    const reply = await server.control.send({ threadId: sent.threadId });
    const threadIds = async () => (await api.users.threads.get({ userId: 'me', id: sent.threadId, format: 'minimal' })).data.messages!.map((message) => message.id);
    expect(await threadIds()).toEqual([sent.id]);
    expect((await failure(api.users.messages.get({ userId: 'me', id: reply.id }, NO_RETRY))).status).toBe(404);
    expect(await threadIds()).toEqual([sent.id, reply.id]);

    await server.control.setFaults({ emptyHistoryPageWithToken: true });
    const empty = (await api.users.history.list({ userId: 'me', startHistoryId: start })).data;
    expect(empty.history).toBeUndefined();
    expect(empty.nextPageToken).toBeTruthy();
    const next = (await api.users.history.list({ userId: 'me', startHistoryId: start, pageToken: empty.nextPageToken! })).data;
    expect(next.history!.some((record) => record.messagesAdded?.[0].message?.id === sent.id)).toBe(true);
    await server.close();
  });

  it('is deterministic under a seed', async () => {
    const first = await startFixtureServer({ seed: 42, mailboxes: [{ generate: { messages: 50 } }] });
    const second = await startFixtureServer({ seed: 42, mailboxes: [{ generate: { messages: 50 } }] });
    expect(await second.control.snapshot()).toEqual(await first.control.snapshot());
    const a = await connectedGmail(first);
    const b = await connectedGmail(second);
    const id = (await first.control.snapshot()).messages[7].id;
    expect((await b.api.users.messages.get({ userId: 'me', id, format: 'raw' })).data).toEqual((await a.api.users.messages.get({ userId: 'me', id, format: 'raw' })).data);
    await Promise.all([first.close(), second.close()]);
  });
});
