/**
 * Thread-aware fetching (issue 21) against the fixture server: which calls are made (the request
 * log), that the resulting state and events equal the per-message path's, and that the guarantees
 * hold when a thread grows between list and fetch, spans list pages, or a sync stops between two
 * page commits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import type { GmailPort } from '../../src/adapters/gmail/gmail-api.js';
import type { RequestLogEntry } from '../../src/fixtures/control-api.js';
import { MailboxRepository } from '../../src/adapters/sqlite/mailbox-repository.js';
import { countByType, startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { foldEvents } from '../support/event-fold.js';
import type { FetchChoice } from '../../src/app/sync-mailbox.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function harness(options: Parameters<typeof startSyncHarness>[0]): Promise<SyncHarness> {
  const h = await startSyncHarness(options);
  open.push(h);
  return h;
}

async function server(messages: number, seed = 7): Promise<FixtureServer> {
  const started = await startFixtureServer({ quota: false, seed: 7, mailboxes: [{ generate: { messages, seed } }] });
  open.push(started);
  return started;
}

/** Gets in the request log, by resource: `messages` or `threads` → the ids asked for, in order. */
function gets(log: RequestLogEntry[], resource: 'messages' | 'threads'): string[] {
  const pattern = new RegExp(`/users/[^/]+/${resource}/([0-9a-f]+)(\\?|$)`);
  return log.filter((entry) => entry.method === 'GET' && entry.status === 200).map((entry) => pattern.exec(entry.path)?.[1]).filter((id): id is string => Boolean(id));
}

function byThread(messages: Array<{ id: string; threadId: string }>): Map<string, string[]> {
  const threads = new Map<string, string[]>();
  for (const message of messages) threads.set(message.threadId, [...(threads.get(message.threadId) ?? []), message.id]);
  return threads;
}

/** A Gmail port that records every listed page and can act right after a page is listed. */
function recordingPages(pages: Array<Array<{ id: string; threadId: string }>>, afterList?: (pageIndex: number) => Promise<void>) {
  return (port: GmailPort): GmailPort => ({
    ...port,
    stats: port.stats,
    async listMessageIds(pageToken) {
      const page = await port.listMessageIds(pageToken);
      pages.push(page.messages);
      await afterList?.(pages.length - 1);
      return page;
    },
  });
}

/** Everything the store keeps about a mailbox, without local ids: what two homes must agree on. */
async function storedState(h: SyncHarness) {
  const sqlite = (await h.ctx.store()).sqlite;
  return {
    messages: sqlite.prepare(`select provider_message_id, provider_thread_id, label_ids, subject, from_address, to_addresses, cc_addresses, date_header, message_id_header,
      in_reply_to, "references", snippet, internal_date, size_estimate, history_id, attachment_count, attachment_names from messages where mailbox_id = ? order by provider_message_id`).all(h.mailboxId),
    threads: sqlite.prepare('select provider_thread_id, subject, snippet, message_count, label_ids, last_message_at, history_id from threads where mailbox_id = ? order by provider_thread_id').all(h.mailboxId),
    labels: sqlite.prepare('select id, name, type from labels where mailbox_id = ? order by id').all(h.mailboxId),
  };
}

/** The message event types per Gmail message id, in log order. */
function messageEventTypes(h: SyncHarness): Record<string, string[]> {
  const types: Record<string, string[]> = {};
  for (const event of h.events()) {
    if (!event.type.startsWith('message.')) continue;
    const id = (event.data as { providerMessageId: string }).providerMessageId;
    (types[id] ??= []).push(event.type);
  }
  return types;
}

/** Runs a full sync and stops it right after page 1's commit (the checkpoint then points at page 2). */
async function stopAfterFirstPage(h: SyncHarness, mailboxes: MailboxRepository, wrapGmail?: (gmail: GmailPort) => GmailPort): Promise<void> {
  const stop = new AbortController();
  const first = h.sync({
    deps: {
      emitBackfill: true,
      signal: stop.signal,
      // The first progress report after page 1's commit: the checkpoint now points at page 2.
      onProgress: () => {
        if (!stop.signal.aborted && mailboxes.get(h.mailboxId)?.fullSyncCheckpoint?.pageToken) stop.abort();
      },
    },
    wrapGmail,
  });
  await expect(first).rejects.toMatchObject({ code: 'interrupted' });
}

describe('thread-aware full sync', () => {
  it('fetches each thread of 3+ messages with one threads.get and no messages.get, the others with messages.get; the limiter counts what Gmail charges', async () => {
    const h = await harness({ mailboxes: [{ generate: { messages: 400, seed: 7 } }] });
    await h.server.control.clearRequests();
    const choices: FetchChoice[] = [];
    const summary = await h.sync({ deps: { onFetch: (choice) => choices.push(choice) } });
    const log = await h.server.control.requests();
    const threads = byThread(await h.serverSnapshot());
    const long = [...threads].filter(([, ids]) => ids.length >= 3);
    expect(long.length).toBeGreaterThan(10);
    expect(gets(log, 'threads').sort()).toEqual(long.map(([threadId]) => threadId).sort());
    const longMessages = new Set(long.flatMap(([, ids]) => ids));
    expect(gets(log, 'messages').filter((id) => longMessages.has(id))).toEqual([]);
    expect(gets(log, 'messages').sort()).toEqual([...threads.values()].flat().filter((id) => !longMessages.has(id)).sort());
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
    // The client-side limiter charged each call its real cost: what the server charged.
    expect(summary.quotaUnits).toBe(log.reduce((sum, entry) => sum + entry.quotaUnits, 0));
    expect(summary.quotaUnits / 400).toBeLessThan(4);
    expect(choices.filter((choice) => choice.call === 'threads.get').map((choice) => choice.threadId).sort()).toEqual(long.map(([threadId]) => threadId).sort());
  });

  it('a thread spanning two list pages is fetched once, on its first page (counting its messages on the next page); its later-page messages are not fetched again', async () => {
    const h = await harness({ mailboxes: [{ generate: { messages: 1200, seed: 7 } }] });
    const pages: Array<Array<{ id: string; threadId: string }>> = [];
    await h.server.control.clearRequests();
    await h.sync({ wrapGmail: recordingPages(pages) });
    expect(pages.length).toBe(3);
    const log = await h.server.control.requests();
    const onPage = (index: number, threadId: string) => pages[index].filter((message) => message.threadId === threadId).length;
    const spanning = [...byThread(pages[0])].filter(([threadId]) => onPage(1, threadId) > 0 && onPage(0, threadId) + onPage(1, threadId) >= 3);
    // Some have 3+ messages on the first page, some fewer that the next page makes 3+.
    expect(spanning.filter(([threadId]) => onPage(0, threadId) >= 3).length).toBeGreaterThan(0);
    expect(spanning.filter(([threadId]) => onPage(0, threadId) < 3).length).toBeGreaterThan(0);
    for (const [threadId] of spanning) {
      expect(gets(log, 'threads').filter((id) => id === threadId)).toHaveLength(1);
      const all = pages.flat().filter((message) => message.threadId === threadId).map((message) => message.id);
      expect(gets(log, 'messages').filter((id) => all.includes(id))).toEqual([]);
    }
    // Nothing is fetched twice across pages.
    const fetched = gets(log, 'messages');
    expect(new Set(fetched).size).toBe(fetched.length);
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
  });

  it('a thread that grows between list and fetch: the new message is left to the catch-up from H0 in the same run, which creates it once', async () => {
    const h = await harness({ mailboxes: [{ generate: { messages: 300, seed: 7 } }] });
    const pages: Array<Array<{ id: string; threadId: string }>> = [];
    let grown: { id: string; threadId: string } | undefined;
    await h.server.control.clearRequests();
    await h.sync({
      deps: { emitBackfill: true },
      wrapGmail: recordingPages(pages, async (index) => {
        if (index !== 0) return;
        const [threadId] = [...byThread(pages[0])].find(([, ids]) => ids.length >= 3)!;
        grown = await h.server.control.send({ threadId, subject: 'Arrived between list and fetch' });
      }),
    });
    expect(grown).toBeDefined();
    const log = await h.server.control.requests();
    // The thread was fetched with threads.get after the message arrived, so its answer had it;
    // the full sync leaves it (touched after H0) to the history catch-up, which gets it once.
    expect(gets(log, 'threads')).toContain(grown!.threadId);
    expect(gets(log, 'messages').filter((id) => id === grown!.id)).toHaveLength(1);
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
    const created = h.events().filter((event) => event.type === 'message.created' && event.data.providerMessageId === grown!.id);
    expect(created).toHaveLength(1);
    expect(foldEvents(h.events()).problems).toEqual([]);
    // Syncing again changes nothing.
    const settled = h.maxSequence();
    await h.sync();
    expect(h.maxSequence()).toBe(settled);
  });

  it('stopped right after the commit of a page whose thread answer covered the next page: the resumed sync neither loses nor refetches those messages', async () => {
    const h = await harness({ mailboxes: [{ generate: { messages: 1200, seed: 7 } }] });
    const sqlite = (await h.ctx.store()).sqlite;
    const mailboxes = new MailboxRepository(sqlite);
    const pages: Array<Array<{ id: string; threadId: string }>> = [];
    await stopAfterFirstPage(h, mailboxes, recordingPages(pages));
    const checkpoint = mailboxes.get(h.mailboxId)!.fullSyncCheckpoint!;
    expect(checkpoint.processed).toBe(pages[0].length);
    const spanning = [...byThread(pages[0])].filter(([threadId, ids]) => ids.length >= 3 && pages[1].some((message) => message.threadId === threadId));
    expect(spanning.length).toBeGreaterThan(0);
    const carried = pages[1].filter((message) => spanning.some(([threadId]) => threadId === message.threadId)).map((message) => message.id);
    // Committed with page 1 (not lost) …
    const local = new Set(h.localSnapshot().map((message) => message.id));
    expect(carried.every((id) => local.has(id))).toBe(true);

    await h.server.control.clearRequests();
    await h.sync({ deps: { emitBackfill: true } });
    const log = await h.server.control.requests();
    // … and not fetched again after the restart.
    expect(gets(log, 'messages').filter((id) => carried.includes(id))).toEqual([]);
    expect(gets(log, 'threads').filter((id) => spanning.some(([threadId]) => threadId === id))).toEqual([]);
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
    const folded = foldEvents(h.events());
    expect(folded.problems).toEqual([]);
    expect(folded.messages).toEqual((await h.serverSnapshot()).map(({ id, labelIds }) => ({ id, labelIds })));
    expect(countByType(h.events())['message.created']).toBe(1200);
  });
});

describe('a resumed full sync', () => {
  it('ends current: what changed since its H0 (a new message while it was stopped) is caught up in the same run', async () => {
    const h = await harness({ mailboxes: [{ generate: { messages: 1200, seed: 7 } }] });
    const mailboxes = new MailboxRepository((await h.ctx.store()).sqlite);
    await stopAfterFirstPage(h, mailboxes);
    // Newest first: it lands on page 1, which the resumed listing has already passed.
    const arrived = await h.server.control.send({ subject: 'Arrived while the full sync was stopped' });
    await h.sync({ deps: { emitBackfill: true } });
    expect(mailboxes.get(h.mailboxId)?.fullSyncCheckpoint).toBeNull();
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
    expect(h.events().filter((event) => event.type === 'message.created' && event.data.providerMessageId === arrived.id)).toHaveLength(1);
    expect(foldEvents(h.events()).problems).toEqual([]);
  });
});

describe('thread-aware incremental sync', () => {
  it('history touching 3+ messages of one thread fetches the thread once; fewer, the messages', async () => {
    const h = await harness({ mailboxes: [{ generate: { messages: 200, seed: 7 } }] });
    await h.sync();
    // Messages not starred yet, so starring each writes a history record.
    const snapshot = await h.serverSnapshot();
    const threads = [...byThread(snapshot.filter((message) => !message.labelIds.includes('STARRED')))];
    const [longThread, longIds] = threads.find(([threadId, ids]) => ids.length >= 3 && snapshot.filter((message) => message.threadId === threadId).length >= 4)!;
    const [, shortIds] = threads.find(([, ids]) => ids.length >= 2 && ids !== longIds)!;
    for (const id of longIds.slice(0, 3)) await h.server.control.modify({ id, addLabelIds: ['STARRED'] });
    for (const id of shortIds.slice(0, 2)) await h.server.control.modify({ id, addLabelIds: ['STARRED'] });
    await h.server.control.clearRequests();
    const before = h.maxSequence();
    await h.sync();
    const log = await h.server.control.requests();
    expect(gets(log, 'threads')).toEqual([longThread]);
    expect(log.find((entry) => entry.path.includes(`/threads/${longThread}`))!.path).toContain('format=minimal');
    expect(gets(log, 'messages').sort()).toEqual(shortIds.slice(0, 2).sort());
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
    // Only the touched messages change: the thread's untouched one gets no event.
    const updated = h.eventsAfter(before).filter((event) => event.type === 'message.updated').map((event) => event.data.providerMessageId);
    expect(updated.sort()).toEqual([...longIds.slice(0, 3), ...shortIds.slice(0, 2)].sort());
  });

  it('new messages of one thread that are briefly unfetchable are missing from the thread answer, then retried alone, not dropped', async () => {
    const h = await harness({ mailboxes: [{ generate: { messages: 50, seed: 7 } }] });
    await h.sync();
    const threadId = (await h.serverSnapshot())[0].threadId;
    await h.server.control.setFaults({ unfetchableAfterAdd: 1 });
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(await h.server.control.send({ threadId }));
    await h.server.control.clearRequests();
    const before = h.maxSequence();
    await h.sync();
    const log = await h.server.control.requests();
    expect(gets(log, 'threads')).toEqual([threadId]);
    expect(gets(log, 'messages').sort()).toEqual(sent.map((message) => message.id).sort());
    const created = h.eventsAfter(before).filter((event) => event.type === 'message.created').map((event) => event.data.providerMessageId);
    expect(created.sort()).toEqual(sent.map((message) => message.id).sort());
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
  });
});

describe('the same mailbox with and without thread-aware fetching', () => {
  it('ends in the same messages, threads, labels and message events through initial sync, changes, incremental sync and a full resync', async () => {
    const fixture = await server(1200);
    const byThreads = await harness({ server: fixture });
    const perMessage = await harness({ server: fixture });
    perMessage.ctx.config.set('sync.fetch-by-thread', 'false');
    const syncBoth = async (options: { full?: boolean; emitBackfill?: boolean } = {}) => {
      await fixture.control.clearRequests();
      await byThreads.sync({ full: options.full, deps: { emitBackfill: options.emitBackfill ?? false } });
      const threadCalls = gets(await fixture.control.requests(), 'threads').length;
      await fixture.control.clearRequests();
      await perMessage.sync({ full: options.full, deps: { emitBackfill: options.emitBackfill ?? false } });
      expect(gets(await fixture.control.requests(), 'threads')).toEqual([]);
      expect(await storedState(byThreads)).toEqual(await storedState(perMessage));
      expect(messageEventTypes(byThreads)).toEqual(messageEventTypes(perMessage));
      expect(byThreads.localSnapshot()).toEqual(await byThreads.serverSnapshot());
      return threadCalls;
    };
    expect(await syncBoth({ emitBackfill: true })).toBeGreaterThan(50);

    const threads = [...byThread(await byThreads.serverSnapshot())].filter(([, ids]) => ids.length >= 3);
    for (const [threadId, ids] of threads.slice(0, 5)) {
      await fixture.control.send({ threadId });
      for (const id of ids.slice(0, 3)) await fixture.control.modify({ id, addLabelIds: ['STARRED'], removeLabelIds: ['UNREAD'] });
    }
    await fixture.control.trash({ id: threads[5][1][0] });
    await fixture.control.delete({ id: threads[6][1][0] });
    expect(await syncBoth()).toBeGreaterThan(0);

    for (const [, ids] of threads.slice(7, 12)) for (const id of ids) await fixture.control.modify({ id, addLabelIds: ['IMPORTANT'] });
    await fixture.control.delete({ id: threads[12][1][1] });
    await syncBoth({ full: true });
    // thread.updated describes each commit's change of a thread: a thread spanning list pages changes
    // once per page on the per-message path, once when fetched whole. Every other event type matches.
    const { 'thread.updated': threadEvents, ...others } = countByType(byThreads.events());
    const { 'thread.updated': perMessageThreadEvents, ...perMessageOthers } = countByType(perMessage.events());
    expect(others).toEqual(perMessageOthers);
    expect(threadEvents).toBeLessThanOrEqual(perMessageThreadEvents);
  }, 60_000);
});
