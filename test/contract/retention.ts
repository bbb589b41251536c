/**
 * The Retention port's promises (src/app/ports/retention.ts), for every implementation. Events
 * are appended through Mailboxes.setStatus (the one event writer a port offers here); the rules
 * about deliveries and endpoints belong with those ports' suites once they exist.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/app/ports/storage.js';
import type { StoreFactory, StoreUnderTest } from './stores.js';

const DAY = 24 * 60 * 60 * 1000;

export function retentionContract(factory: StoreFactory): void {
  describe(`Retention (${factory.name})`, () => {
    let store: StoreUnderTest;
    let n = 0;
    beforeEach(async () => {
      store = await factory.create();
      await store.storage.mailboxes.insert({ id: 'mbx_a', emailAddress: 'a@example.com', name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 0);
    });
    afterEach(async () => {
      await store.close();
    });

    /** Appends `count` events dated `at` (status changes back and forth; only this caller changes the status meanwhile). */
    async function appendEvents(storage: Storage, count: number, at: number): Promise<void> {
      let current = (await storage.mailboxes.get('mbx_a'))!.status;
      for (let i = 0; i < count; i += 1) {
        current = current === 'active' ? 'paused' : 'active';
        await storage.mailboxes.setStatus('mbx_a', current, null, { now: at, newEventId: () => `evt_${++n}` });
      }
    }

    it('deletes the events older than the cutoff and nothing newer; says how many', async () => {
      const { events, retention } = store.storage;
      await appendEvents(store.storage, 3, 1 * DAY);
      await appendEvents(store.storage, 2, 10 * DAY);
      expect(await retention.pruneOlderThan(5 * DAY)).toEqual({ attemptsDeleted: 0, eventsDeleted: 3 });
      expect((await events.readAfter(0, 10)).map((e) => e.occurredAt)).toEqual([10 * DAY, 10 * DAY]);
      expect(await retention.pruneOlderThan(5 * DAY)).toEqual({ attemptsDeleted: 0, eventsDeleted: 0 });
    });

    it('never deletes the newest event, so the sequence carries on from it', async () => {
      const { events, retention } = store.storage;
      await appendEvents(store.storage, 3, 1 * DAY);
      expect(await retention.pruneOlderThan(5 * DAY)).toMatchObject({ eventsDeleted: 2 });
      expect((await events.readAfter(0, 10)).map((e) => e.sequence)).toEqual([3]);
      await appendEvents(store.storage, 1, 6 * DAY);
      expect(await events.head()).toBe(4);
    });

    it('deletes more than one batch in one call', async () => {
      await appendEvents(store.storage, 5_003, 1 * DAY);
      await appendEvents(store.storage, 1, 10 * DAY);
      expect(await store.storage.retention.pruneOlderThan(5 * DAY)).toMatchObject({ eventsDeleted: 5_003 });
      expect(await store.storage.events.count()).toBe(1);
    });

    it('events appended by another connection while pruning survive, and readers never see a gap below the head', async () => {
      await appendEvents(store.storage, 50, 1 * DAY);
      const other = await store.connect();
      const [pruned] = await Promise.all([store.storage.retention.pruneOlderThan(5 * DAY), appendEvents(other, 5, 10 * DAY)]);
      expect(pruned.eventsDeleted).toBeLessThanOrEqual(50);
      const left = await other.events.readAfter(0, 100);
      expect(left.filter((e) => e.occurredAt === 10 * DAY)).toHaveLength(5);
      const sequences = left.map((e) => e.sequence);
      expect(sequences).toEqual(Array.from({ length: sequences.length }, (_, i) => sequences[0] + i));
      expect(sequences.at(-1)).toBe(await other.events.head());
    });
  });
}
