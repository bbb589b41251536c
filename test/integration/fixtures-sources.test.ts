import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFixtureServer } from '../../src/fixtures/server.js';
import { ROOT } from '../support/cli.js';
import { expectSchema } from '../support/discovery-schema.js';
import { connectedGmail } from '../support/fixture-gmail.js';

const fixtures = path.join(ROOT, 'test', 'fixtures');

describe('fixture mailbox sources', () => {
  it('loads every deliberately broken .eml file without crashing, and serves each in every format', async () => {
    const dir = path.join(fixtures, 'eml-broken');
    const files = fs.readdirSync(dir).filter((name) => name.endsWith('.eml'));
    expect(files.length).toBeGreaterThanOrEqual(12);
    const server = await startFixtureServer({ quota: false, mailboxes: [{ emailAddress: 'broken@mailmon.test', emlDir: dir }] });
    const { api } = await connectedGmail(server);
    const profile = (await api.users.getProfile({ userId: 'me' })).data;
    expect(profile.messagesTotal).toBe(files.length);
    const list = (await api.users.messages.list({ userId: 'me', maxResults: 500 })).data.messages!;
    expect(list).toHaveLength(files.length);
    const subjects: string[] = [];
    for (const { id } of list) {
      for (const format of ['minimal', 'metadata', 'full', 'raw'] as const) {
        const message = (await api.users.messages.get({ userId: 'me', id: id!, format })).data;
        expectSchema(message, 'Message');
        if (format === 'full') subjects.push(message.payload?.headers?.find((header) => header.name?.toLowerCase() === 'subject')?.value ?? '');
      }
    }
    // What could be parsed is kept: decoded 8-bit and encoded-word subjects survive.
    expect(subjects).toContain('invalid base64');
    expect(subjects.some((subject) => subject.startsWith('Gr'))).toBe(true);
    await server.close();
  });

  it('threads .eml files by Gmail\'s rules (References/In-Reply-To AND the same subject; never by subject alone); keeps Takeout labels and attachments', async () => {
    const server = await startFixtureServer({ quota: false, mailboxes: [{ emailAddress: 'me@example.test', emlDir: path.join(fixtures, 'eml-thread') }] });
    const { api } = await connectedGmail(server);
    const snapshot = await server.control.snapshot();
    expect(snapshot.messages).toHaveLength(5);
    const threads = (await api.users.threads.list({ userId: 'me', includeSpamTrash: true })).data.threads!;
    const full = await Promise.all(threads.map(async (thread) => (await api.users.threads.get({ userId: 'me', id: thread.id!, format: 'full' })).data));
    const subjects = (thread: (typeof full)[number]) => thread.messages!.map((message) => message.payload!.headers!.find((header) => header.name === 'Subject')!.value);
    // A stranger's "RE: Engine plans" without References, and a new subject with References, each start a thread.
    expect(full.map((thread) => subjects(thread).join(' | ')).sort()).toEqual(['Café meeting', 'Engine plans | Re: Engine plans', 'Engine plans, part two', 'RE: Engine plans']);
    const plans = full.find((thread) => thread.messages!.length === 2)!;
    expect(plans.messages![0].labelIds).toEqual(expect.arrayContaining(['INBOX', 'IMPORTANT', 'UNREAD', 'Label_1']));
    expect(plans.messages![1].labelIds).toEqual(['SENT']);
    const labels = (await api.users.labels.list({ userId: 'me' })).data.labels!;
    expect(labels.find((label) => label.id === 'Label_1')?.name).toBe('Projects');
    const cafe = snapshot.messages.find((message) => message.threadId === full.find((thread) => subjects(thread)[0] === 'Café meeting')!.id)!;
    const message = (await api.users.messages.get({ userId: 'me', id: cafe.id })).data;
    expect(message.payload!.headers!.find((header) => header.name === 'Subject')!.value).toBe('Café meeting');
    expect(message.payload!.parts!.filter((part) => part.filename).map((part) => part.filename)).toEqual(['data.csv']);
    expect(message.internalDate).toBe(String(Date.parse('2025-05-06T09:00:00Z')));
    const raw = (await api.users.messages.get({ userId: 'me', id: cafe.id, format: 'raw' })).data.raw!;
    expect(Buffer.from(raw, 'base64url').equals(fs.readFileSync(path.join(fixtures, 'eml-thread', 'd-other.eml')))).toBe(true);
    await server.close();
  });

  it('a forwarded message keeps its message/rfc822 part with an attachmentId (not flattened into the text)', async () => {
    const server = await startFixtureServer({ quota: false, mailboxes: [{ emailAddress: 'me@example.test', emlDir: path.join(fixtures, 'eml-forward') }] });
    const { api } = await connectedGmail(server);
    const id = (await server.control.snapshot()).messages[0].id;
    const message = (await api.users.messages.get({ userId: 'me', id })).data;
    expectSchema(message, 'Message');
    const forwarded = message.payload!.parts!.find((part) => part.mimeType === 'message/rfc822')!;
    expect(forwarded).toBeDefined();
    expect(forwarded.body!.attachmentId).toBeTruthy();
    const text = message.payload!.parts!.flatMap((part) => [part, ...(part.parts ?? [])]).filter((part) => part.mimeType === 'text/plain').map((part) => Buffer.from(part.body!.data ?? '', 'base64url').toString()).join('');
    expect(text).toContain('Forwarding the plans.');
    expect(text).not.toContain('Here are the plans.');
    const attachment = (await api.users.messages.attachments.get({ userId: 'me', messageId: id, id: forwarded.body!.attachmentId! })).data;
    expect(Buffer.from(attachment.data!, 'base64url').toString()).toContain('Subject: Engine plans');
    await server.close();
  });

  it('loads the documented JSON fixture format', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-fixture-')), 'mailbox.json');
    fs.writeFileSync(file, JSON.stringify({
      emailAddress: 'json@mailmon.test',
      historyId: 5000,
      labels: [{ name: 'Clients' }],
      messages: [
        { id: '18f0000000000001', thread: 'deal', date: '2025-05-04T10:00:00Z', from: 'Ada <ada@example.com>', subject: 'Deal', text: 'Shall we?', labelIds: ['INBOX', 'UNREAD', 'Clients'] },
        { thread: 'deal', date: '2025-05-04T11:00:00Z', from: 'json@mailmon.test', to: 'ada@example.com', subject: 'Re: Deal', text: 'Yes.', labelIds: ['SENT'], attachments: [{ filename: 'contract.pdf', size: 5000 }] },
        { date: '2025-05-05T09:00:00Z', subject: 'Alone', html: '<p>Hello <b>there</b></p>', text: 'Hello there' },
      ],
    }));
    const server = await startFixtureServer({ quota: false, mailboxes: [{ file }] });
    const { api } = await connectedGmail(server);
    const profile = (await api.users.getProfile({ userId: 'me' })).data;
    expect(profile).toMatchObject({ emailAddress: 'json@mailmon.test', messagesTotal: 3, threadsTotal: 2 });
    expect(Number(profile.historyId)).toBeGreaterThan(5003);
    expect(Number(profile.historyId)).toBeLessThan(5100);
    const thread = (await api.users.threads.get({ userId: 'me', id: '18f0000000000001' })).data;
    expect(thread.messages).toHaveLength(2);
    expect(thread.messages![0].labelIds).toEqual(['INBOX', 'Label_1', 'UNREAD']);
    const reply = thread.messages![1];
    expect(reply.payload!.headers!.find((header) => header.name === 'In-Reply-To')!.value).toBe('<18f0000000000001@mail.mailmon.test>');
    expect(reply.payload!.parts!.find((part) => part.filename === 'contract.pdf')!.body!.size).toBe(5000);
    await server.close();
    fs.writeFileSync(file, JSON.stringify({ messages: [{ labelIds: ['Nope'] }] }));
    await expect(startFixtureServer({ mailboxes: [{ file }] })).rejects.toMatchObject({ code: 'fixture_error', message: expect.stringContaining('unknown label "Nope"') });
  });

  it('generates 100k messages in seconds and serves a full listing (RSS reported)', async () => {
    const started = performance.now();
    const server = await startFixtureServer({ quota: false, seed: 5, mailboxes: [{ generate: { messages: 100_000 } }] });
    const loaded = performance.now() - started;
    const { api } = await connectedGmail(server);
    expect((await api.users.getProfile({ userId: 'me' })).data.messagesTotal).toBe(100_000);
    const listStarted = performance.now();
    let listed = 0;
    let pageToken: string | undefined;
    do {
      const { data } = await api.users.messages.list({ userId: 'me', maxResults: 500, pageToken, includeSpamTrash: true });
      listed += data.messages?.length ?? 0;
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    const listing = performance.now() - listStarted;
    expect(listed).toBe(100_000);
    const getStarted = performance.now();
    const ids = (await server.control.snapshot()).messages.slice(0, 500).map((message) => message.id);
    for (const id of ids) await api.users.messages.get({ userId: 'me', id, format: 'full', fields: 'id,threadId,labelIds,snippet,historyId,internalDate,sizeEstimate,payload(headers(name,value),filename,parts(filename))' });
    const getting = performance.now() - getStarted;
    console.log(`fixture server: generated 100000 messages in ${Math.round(loaded)} ms; listed all in ${Math.round(listing)} ms; 500 gets in ${Math.round(getting)} ms; RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB, heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`);
    await server.close();
  });
});
