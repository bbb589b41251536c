import { describe, expect, it } from 'vitest';
import type { gmail_v1 } from '@googleapis/gmail';
import { Random } from '../../src/fixtures/random.js';
import { startFixtureServer } from '../../src/fixtures/server.js';
import { connectedGmail } from '../support/fixture-gmail.js';

// A model check: a client that full-syncs once and then only replays history.list must end
// with exactly the server's truth, whatever random mutations happened in between.
describe('history replay reproduces the truth', () => {
  it('after rounds of random sends, replies, label changes, trash/untrash and deletes', async () => {
    const server = await startFixtureServer({ seed: 21, quota: false, mailboxes: [{ generate: { messages: 150 } }] });
    const { api } = await connectedGmail(server);
    const local = new Map<string, string[]>();
    let cursor = (await api.users.getProfile({ userId: 'me' })).data.historyId!;
    let pageToken: string | undefined;
    do {
      const { data } = await api.users.messages.list({ userId: 'me', includeSpamTrash: true, maxResults: 40, pageToken });
      for (const { id } of data.messages ?? []) local.set(id!, (await api.users.messages.get({ userId: 'me', id: id!, format: 'minimal' })).data.labelIds!);
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);

    const random = new Random(99);
    const labels = ['INBOX', 'UNREAD', 'STARRED', 'IMPORTANT', 'Label_1', 'Label_2', 'SPAM'];
    for (let round = 0; round < 4; round++) {
      const lastTouch = new Map<string, string>();
      for (let step = 0; step < 40; step++) {
        const ids = (await server.control.snapshot()).messages;
        const target = random.pick(ids);
        const roll = random.float();
        if (roll < 0.2) await server.control.send({ subject: `r${round}s${step}` });
        else if (roll < 0.3) await server.control.send({ threadId: target.threadId, from: 'dev@mailmon.test' });
        else if (roll < 0.65) await server.control.modify({ id: target.id, addLabelIds: [random.pick(labels)], removeLabelIds: random.chance(0.5) ? [random.pick(labels)] : [] });
        else if (roll < 0.75) await server.control.trash({ id: target.id });
        else if (roll < 0.85) await server.control.untrash({ id: target.id });
        else await server.control.delete({ id: target.id });
      }
      let token: string | undefined;
      let head = cursor;
      do {
        const { data } = await api.users.history.list({ userId: 'me', startHistoryId: cursor, maxResults: 7, pageToken: token });
        for (const record of data.history ?? []) apply(local, record, lastTouch);
        token = data.nextPageToken ?? undefined;
        head = data.historyId!;
      } while (token);
      cursor = head;
      const truth = await server.control.snapshot();
      expect(cursor).toBe(truth.historyId);
      expect([...local.entries()].map(([id, labelIds]) => ({ id, labelIds: [...labelIds].sort() })).sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(truth.messages.map(({ id, labelIds }) => ({ id, labelIds })));
      // Every message touched in this round carries the id of the last record that touched it.
      for (const [id, historyId] of lastTouch) {
        if (local.has(id)) expect((await api.users.messages.get({ userId: 'me', id, format: 'minimal' })).data.historyId).toBe(historyId);
      }
    }
    await server.close();
  });
});

function apply(local: Map<string, string[]>, record: gmail_v1.Schema$History, lastTouch: Map<string, string>): void {
  for (const { message } of record.messagesAdded ?? []) local.set(message!.id!, message!.labelIds ?? []);
  for (const { message } of record.messagesDeleted ?? []) local.delete(message!.id!);
  for (const change of record.labelsAdded ?? []) {
    const labels = new Set(local.get(change.message!.id!) ?? []);
    for (const label of change.labelIds ?? []) labels.add(label);
    local.set(change.message!.id!, [...labels]);
  }
  for (const change of record.labelsRemoved ?? []) {
    const labels = new Set(local.get(change.message!.id!) ?? []);
    for (const label of change.labelIds ?? []) labels.delete(label);
    local.set(change.message!.id!, [...labels]);
  }
  for (const { id } of record.messages ?? []) lastTouch.set(id!, record.id!);
}
