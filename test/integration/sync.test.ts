import { afterEach, describe, expect, it } from 'vitest';
import { countByType, startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { MailboxRepository } from '../../src/adapters/sqlite/mailbox-repository.js';
import { hasCode } from '../../src/core/errors.js';

let harness: SyncHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function synced(messages = 60): Promise<SyncHarness> {
  harness = await startSyncHarness({ mailboxes: [{ generate: { messages, seed: 11 } }] });
  await harness.sync();
  return harness;
}

async function firstMessage(h: SyncHarness) {
  return (await h.serverSnapshot())[0];
}

describe('full sync', () => {
  it('records the existing mailbox without a message.created per message, and one status change to active', async () => {
    const h = await synced(120);
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
    expect(countByType(h.events())).toEqual({ 'mailbox.status_changed': 1 });
    expect(h.events()[0].data).toMatchObject({ previousStatus: 'pending', status: 'active' });
    const mailbox = new MailboxRepository((await h.ctx.store()).sqlite).get(h.mailboxId)!;
    expect(mailbox.historyId).toBe((await h.server.control.status()).mailboxes[0].historyId);
    expect(mailbox.fullSyncCheckpoint).toBeNull();
  });

  it('emits the backlog when asked (--emit-backfill)', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 30, seed: 3 } }] });
    await harness.sync({ deps: { emitBackfill: true } });
    expect(countByType(harness.events())['message.created']).toBe(30);
  });

  it('changes made during a full sync are caught by the next incremental sync, once', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 1200, seed: 5 } }] });
    const h = harness;
    let mutated = false;
    await h.sync({
      deps: {
        onProgress: (progress) => {
          if (!mutated && progress.phase === 'fetching' && progress.processed > 0) {
            mutated = true;
            void h.server.control.send({ subject: 'Arrived during the full sync' });
          }
        },
      },
    });
    expect(mutated).toBe(true);
    const before = h.maxSequence();
    await h.sync();
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
    const created = h.eventsAfter(before).filter((event) => event.type === 'message.created');
    const all = h.events().filter((event) => event.type === 'message.created' && event.data.subject === 'Arrived during the full sync');
    expect(all).toHaveLength(1);
    expect(created.length + all.length).toBeGreaterThan(0);
  });
});

describe('the gmail.metadata scope', () => {
  it('syncs headers with format=metadata (Gmail refuses format=full under that scope)', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 15, seed: 2 } }] });
    const h = harness;
    (await h.ctx.store()).sqlite.prepare('update mailboxes set scope = ? where id = ?').run('https://www.googleapis.com/auth/gmail.metadata', h.mailboxId);
    await h.server.control.clearRequests();
    await h.sync({ deps: { fetchByThread: false } });
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
    const gets = (await h.server.control.requests({})).filter((entry) => /\/messages\/[0-9a-f]+/.test(entry.path));
    expect(gets.length).toBe(15);
    expect(gets.every((entry) => entry.path.includes('format=metadata'))).toBe(true);
    const subjects = (await h.ctx.store()).sqlite.prepare('select subject from messages where subject is not null').all();
    expect(subjects).toHaveLength(15);
  });

  it('fetches long threads with threads.get in format=metadata too, with the same headers', async () => {
    harness = await startSyncHarness({ mailboxes: [{ generate: { messages: 15, seed: 2 } }] });
    const h = harness;
    (await h.ctx.store()).sqlite.prepare('update mailboxes set scope = ? where id = ?').run('https://www.googleapis.com/auth/gmail.metadata', h.mailboxId);
    await h.server.control.clearRequests();
    await h.sync();
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
    const requests = await h.server.control.requests({});
    const threadGets = requests.filter((entry) => /\/threads\/[0-9a-f]+/.test(entry.path));
    const gets = requests.filter((entry) => /\/(messages|threads)\/[0-9a-f]+/.test(entry.path));
    expect(threadGets.length).toBeGreaterThan(0);
    expect(gets.every((entry) => entry.path.includes('format=metadata') && entry.path.includes('metadataHeaders=Subject'))).toBe(true);
    const subjects = (await h.ctx.store()).sqlite.prepare('select subject from messages where subject is not null').all();
    expect(subjects).toHaveLength(15);
  });
});

describe('incremental sync: one event per real change', () => {
  it('a new message → message.created and thread.updated', async () => {
    const h = await synced();
    const before = h.maxSequence();
    const sent = await h.server.control.send({ subject: 'Hello there', from: 'Ann <ann@example.com>' });
    const summary = await h.sync();
    expect(summary.kind).toBe('incremental');
    const events = h.eventsAfter(before);
    expect(countByType(events)).toEqual({ 'message.created': 1, 'thread.updated': 1 });
    expect(events[0].data).toMatchObject({ providerMessageId: sent.id, subject: 'Hello there', from: { name: 'Ann', address: 'ann@example.com' } });
    expect(events.map((event) => event.sequence)).toEqual([before + 1, before + 2]);
  });

  it('label change, trash, untrash and permanent delete each give the right single message event', async () => {
    const h = await synced();
    const target = await firstMessage(h);
    const steps: Array<[string, () => Promise<unknown>, string, Record<string, unknown>]> = [
      ['star', () => h.server.control.modify({ id: target.id, addLabelIds: ['STARRED'] }), 'message.updated', { labelsAdded: ['STARRED'] }],
      ['trash', () => h.server.control.trash({ id: target.id }), 'message.updated', { labelsAdded: ['TRASH'] }],
      ['untrash', () => h.server.control.untrash({ id: target.id }), 'message.updated', { labelsRemoved: ['TRASH'] }],
      ['delete', () => h.server.control.delete({ id: target.id }), 'message.deleted', { providerMessageId: target.id }],
    ];
    for (const [name, act, type, data] of steps) {
      const before = h.maxSequence();
      await act();
      await h.sync();
      const messageEvents = h.eventsAfter(before).filter((event) => event.type.startsWith('message.'));
      expect(messageEvents.map((event) => event.type), name).toEqual([type]);
      expect(messageEvents[0].data, name).toMatchObject(data);
      expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
    }
  });

  it('syncing the same history twice, or waking twice, gives no new events', async () => {
    const h = await synced();
    const sqlite = (await h.ctx.store()).sqlite;
    const cursor = new MailboxRepository(sqlite).get(h.mailboxId)!.historyId!;
    const target = await firstMessage(h);
    await h.server.control.modify({ id: target.id, removeLabelIds: ['INBOX'], addLabelIds: ['Label_1'] });
    await h.server.control.send({ subject: 'twice' });
    await h.sync();
    const after = h.maxSequence();
    expect((await h.sync()).kind).toBe('noop');
    sqlite.prepare('update mailboxes set history_id = ? where id = ?').run(cursor, h.mailboxId);
    await h.sync();
    expect(h.maxSequence()).toBe(after);
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
  });

  it('a message added then deleted between polls produces no event', async () => {
    const h = await synced();
    const before = h.maxSequence();
    const sent = await h.server.control.send({ subject: 'gone before we looked' });
    await h.server.control.delete({ id: sent.id });
    await h.sync();
    expect(h.eventsAfter(before)).toEqual([]);
  });

  it('a label change on a message unknown locally fetches it', async () => {
    const h = await synced();
    const target = await firstMessage(h);
    (await h.ctx.store()).sqlite.prepare('delete from messages where provider_message_id = ?').run(target.id);
    await h.server.control.modify({ id: target.id, addLabelIds: ['IMPORTANT'] });
    await h.sync();
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
  });

  it('a new message briefly unfetchable after its messageAdded record is retried, not dropped', async () => {
    const h = await synced();
    await h.server.control.setFaults({ unfetchableAfterAdd: 2 });
    const sent = await h.server.control.send({ subject: 'lagging' });
    await h.sync();
    expect(h.localSnapshot().some((message) => message.id === sent.id)).toBe(true);
  });

  it('an empty history page that still carries a nextPageToken is followed', async () => {
    const h = await synced();
    await h.server.control.setFaults({ emptyHistoryPageWithToken: true });
    await h.server.control.send({ subject: 'after an empty page' });
    await h.sync();
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
  });

  it('the head moving during pagination loses nothing and duplicates nothing', async () => {
    const h = await synced(40);
    for (let i = 0; i < 320; i++) await h.server.control.send({ subject: `bulk ${i}` });
    let moved = false;
    await h.sync({
      deps: {
        onProgress: (progress) => {
          if (progress.phase === 'history' && !moved) {
            moved = true;
            void h.server.control.send({ subject: 'while paging' });
          }
        },
      },
    });
    await h.sync();
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
    const ids = h.events().filter((event) => event.type === 'message.created').map((event) => (event.data as { providerMessageId: string }).providerMessageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(321);
  });
});

describe('failures', () => {
  it('an expired cursor triggers one full resync that emits only the real changes plus mailbox.resynced', async () => {
    const h = await synced();
    const target = await firstMessage(h);
    await h.server.control.modify({ id: target.id, addLabelIds: ['STARRED'] });
    await h.server.control.send({ subject: 'while the cursor expired' });
    await h.server.control.expireHistory({});
    const before = h.maxSequence();
    const summary = await h.sync();
    expect(summary.kind).toBe('resync');
    const events = h.eventsAfter(before);
    expect(countByType(events)).toMatchObject({ 'message.updated': 1, 'message.created': 1, 'mailbox.resynced': 1 });
    expect(events.at(-1)?.data).toMatchObject({ reason: 'history_expired', created: 1, updated: 1, deleted: 0 });
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
    // The incremental run that found its cursor expired handed over to the resync: it did not succeed.
    const runs = (await h.ctx.store()).sqlite.prepare('select kind, status, error_class as errorClass from sync_runs order by started_at desc, rowid desc limit 2').all();
    expect(runs).toEqual([{ kind: 'resync', status: 'succeeded', errorClass: null }, { kind: 'incremental', status: 'superseded', errorClass: 'history_expired' }]);
    expect((await h.sync()).kind).toBe('noop');
  });

  it('under 30% injected 429/403/5xx it converges, and a failed sync never moves the cursor', async () => {
    const h = await synced(80);
    for (let i = 0; i < 20; i++) await h.server.control.send({ subject: `under fire ${i}` });
    await h.server.control.setFaults({ rate429: 0.1, rate403: 0.1, rate5xx: 0.1, seed: 3 });
    await h.sync();
    await h.server.control.clearFaults();
    expect(h.localSnapshot()).toEqual(await h.serverSnapshot());
    expect(countByType(h.events())['message.created']).toBe(20);

    const sqlite = (await h.ctx.store()).sqlite;
    const cursor = new MailboxRepository(sqlite).get(h.mailboxId)!.historyId;
    await h.server.control.send({ subject: 'never synced' });
    await h.server.control.setFaults({ rate5xx: 1 });
    await expect(h.sync({ deps: {} })).rejects.toMatchObject({ code: 'gmail_unavailable' });
    expect(new MailboxRepository(sqlite).get(h.mailboxId)!.historyId).toBe(cursor);
    const run = sqlite.prepare(`select status, error_class as errorClass from sync_runs order by started_at desc limit 1`).get();
    expect(run).toEqual({ status: 'failed', errorClass: 'gmail_unavailable' });
  }, 60_000);

  it('a stale lease holder cannot commit, and changes nothing', async () => {
    const h = await synced();
    const storage = await h.ctx.storage();
    const staleEpoch = (await storage.mailboxes.get(h.mailboxId))!.leaseEpoch;
    await storage.mailboxes.bumpLeaseEpoch(h.mailboxId); // a newer holder took over
    const before = { events: h.maxSequence(), local: h.localSnapshot() };
    let caught: unknown;
    try {
      await storage.syncCommit.commit({ mailbox: { id: h.mailboxId, emailAddress: h.emailAddress }, epoch: staleEpoch, remote: [{ kind: 'gone', providerMessageId: before.local[0].id }], emitEvents: true, cursor: '1', now: Date.now() });
    } catch (error) {
      caught = error;
    }
    expect(hasCode(caught, 'lease_lost')).toBe(true);
    expect(h.maxSequence()).toBe(before.events);
    expect(h.localSnapshot()).toEqual(before.local);
  });

  it('a revoked token marks the mailbox reauth_required with one event; signing in again restores it', async () => {
    const h = await synced();
    await h.server.control.revokeToken({});
    const before = h.maxSequence();
    await expect(h.sync()).rejects.toMatchObject({ code: 'reauth_required' });
    await expect(h.sync()).rejects.toMatchObject({ code: 'reauth_required' });
    const events = h.eventsAfter(before);
    expect(events.map((event) => event.type)).toEqual(['mailbox.status_changed']);
    expect(events[0].data).toMatchObject({ previousStatus: 'active', status: 'reauth_required' });
    const { login } = await import('../../src/app/login.js');
    const { loginDeps } = await import('../../src/cli/wiring.js');
    const again = await login(await loginDeps(h.ctx, { onAuthUrl: () => undefined }), { fixtureUrl: h.server.url });
    expect(again).toMatchObject({ mailboxId: h.mailboxId, status: 'active', created: false });
    expect(h.eventsAfter(before).map((event) => event.type)).toEqual(['mailbox.status_changed', 'mailbox.status_changed']);
    await h.server.control.send({ subject: 'after reauth' });
    expect((await h.sync()).kind).toBe('incremental');
  });
});
