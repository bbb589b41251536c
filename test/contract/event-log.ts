/**
 * The EventLog port's promises (src/app/ports/event-log.ts), for every implementation. Events are
 * appended only by the store's own transactions; here, by status changes (Mailboxes.setStatus).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/app/ports/storage.js';
import { readUpToHead } from '../../src/app/read-log.js';
import type { StoreFactory, StoreUnderTest } from './stores.js';

type Ports = Pick<Storage, 'mailboxes' | 'events'>;

const connection = { name: null, gmailApiUrl: 'http://127.0.0.1:1/gmail/v1', oauthUrl: 'http://127.0.0.1:1/oauth', scope: 'https://www.googleapis.com/auth/gmail.readonly' };
let ids = 0;
const newEventId = () => `evt_contract${String(ids++).padStart(8, '0')}`;

/** Appends one event (a status change) for the mailbox. */
async function appendOne(storage: Ports, mailboxId: string, now: number): Promise<void> {
  const current = await storage.mailboxes.get(mailboxId);
  const next = current?.status === 'active' ? 'paused' : 'active';
  expect(await storage.mailboxes.setStatus(mailboxId, next, null, { now, newEventId })).toBe(true);
}

export function eventLogContract(factory: StoreFactory<Ports>): void {
  describe(`EventLog (${factory.name})`, () => {
    let store: StoreUnderTest<Ports>;
    beforeEach(async () => {
      store = await factory.create();
      await store.storage.mailboxes.insert({ id: 'mbx_a', emailAddress: 'a@example.com', ...connection }, 1_000);
      await store.storage.mailboxes.insert({ id: 'mbx_b', emailAddress: 'b@example.com', ...connection }, 1_000);
    });
    afterEach(async () => {
      await store.close();
    });

    it('an empty log: head 0, nothing to read, count 0', async () => {
      const { events } = store.storage;
      expect(await events.head()).toBe(0);
      expect(await events.readAfter(0, 10)).toEqual([]);
      expect(await events.readLatest(10)).toEqual([]);
      expect(await events.count()).toBe(0);
      expect(await events.get('1')).toBeUndefined();
    });

    it('reads after a sequence and the latest, oldest first; gets by id and by sequence; counts with filters', async () => {
      for (let i = 0; i < 6; i++) await appendOne(store.storage, i % 2 ? 'mbx_b' : 'mbx_a', 10_000 + i * 1_000);
      const { events } = store.storage;
      expect(await events.head()).toBe(6);
      const all = await events.readAfter(0, 100);
      expect(all.map((event) => event.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(all[0]).toMatchObject({ type: 'mailbox.status_changed', mailboxId: 'mbx_a', occurredAt: 10_000 });
      expect(JSON.parse(all[0].body)).toMatchObject({ id: all[0].id, sequence: 1, type: 'mailbox.status_changed', mailboxId: 'mbx_a' });
      expect((await events.readAfter(2, 2)).map((event) => event.sequence)).toEqual([3, 4]);
      expect((await events.readLatest(2)).map((event) => event.sequence)).toEqual([5, 6]);
      expect((await events.readLatest(2, { mailboxIds: ['mbx_a'] })).map((event) => event.sequence)).toEqual([3, 5]);
      expect((await events.get(all[3].id))?.sequence).toBe(4);
      expect((await events.get('4'))?.id).toBe(all[3].id);
      expect(await events.count()).toBe(6);
      expect(await events.count({ mailboxIds: ['mbx_b'] })).toBe(3);
      expect(await events.count({ types: ['message.created'] })).toBe(0);
      expect(await events.count({ maxSequence: 4 })).toBe(4);
      expect(await events.count({ since: 12_000, until: 14_000 })).toBe(2);
      expect((await events.readAfter(0, 100, { mailboxIds: ['mbx_a'], maxSequence: 4 })).map((event) => event.sequence)).toEqual([1, 3]);
    });

    it('every connection sees the same head and events', async () => {
      const other = await store.connect();
      await appendOne(other, 'mbx_a', 5_000);
      expect(await store.storage.events.head()).toBe(1);
      expect((await store.storage.events.readAfter(0, 10)).map((event) => event.mailboxId)).toEqual(['mbx_a']);
    });

    it('a reader following up to the head never skips an event committed late: several writers, every event once, in order', async () => {
      const writers = [store.storage, await store.connect(), await store.connect()];
      for (const [index, writer] of writers.entries()) await writer.mailboxes.insert({ id: `mbx_w${index}`, emailAddress: `w${index}@example.com`, ...connection }, 1_000);
      const perWriter = 60;
      const reader = await store.connect();
      const seen: number[] = [];
      let writing = true;
      const following = (async () => {
        let position = 0;
        while (writing || position < (await reader.events.head())) {
          const { events, scannedTo } = await readUpToHead(reader.events, position, 7);
          seen.push(...events.map((event) => event.sequence));
          position = scannedTo;
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      await Promise.all(writers.map(async (writer, index) => {
        for (let i = 0; i < perWriter; i++) {
          await appendOne(writer, `mbx_w${index}`, 2_000 + i);
          if (i % 3 === index) await new Promise((resolve) => setImmediate(resolve));
        }
      }));
      writing = false;
      await following;
      expect(seen).toEqual(Array.from({ length: writers.length * perWriter }, (_, index) => index + 1));
    });
  });
}
