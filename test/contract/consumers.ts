/** The Consumers port's promises (src/app/ports/consumers.ts), for every implementation. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreFactory, StoreUnderTest } from './stores.js';

export function consumersContract(factory: StoreFactory): void {
  describe(`Consumers (${factory.name})`, () => {
    let store: StoreUnderTest;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(async () => {
      await store.close();
    });

    const create = (name: string, startAfter = 0, reposition = false, now = 1_000) =>
      store.storage.consumers.upsert({ name, kind: 'listen', target: `http://127.0.0.1/${name}`, startAfter, reposition, pid: 4242, now });

    it('creates a consumer at its start, lists by name, gets and removes it', async () => {
      const { consumers } = store.storage;
      expect(await create('b', 7)).toMatchObject({ name: 'b', kind: 'listen', target: 'http://127.0.0.1/b', lastSequence: 7, pid: 4242, createdAt: 1_000 });
      await create('a');
      expect((await consumers.list()).map((row) => row.name)).toEqual(['a', 'b']);
      expect((await consumers.get('b'))?.lastSequence).toBe(7);
      expect(await consumers.remove('b')).toBe(true);
      expect(await consumers.remove('b')).toBe(false);
      expect(await consumers.get('b')).toBeUndefined();
    });

    it('an existing consumer keeps its position unless repositioned; repositioning drops its thread positions', async () => {
      const { consumers } = store.storage;
      await create('c', 5);
      await consumers.checkpoint('c', { watermark: 8, threads: new Map([['t1', 12]]) }, 2_000);
      expect((await create('c', 0, false)).lastSequence).toBe(8);
      expect(await consumers.threadPositions('c')).toEqual(new Map([['t1', 12]]));
      expect((await create('c', 3, true)).lastSequence).toBe(3);
      expect((await consumers.threadPositions('c')).size).toBe(0);
    });

    it('checkpoints never move back; thread positions at or below the cursor are dropped', async () => {
      const { consumers } = store.storage;
      await create('c');
      await consumers.checkpoint('c', { watermark: 10, threads: new Map([['t1', 15], ['t2', 11]]) }, 2_000);
      await consumers.checkpoint('c', { watermark: 4, threads: new Map() }, 3_000);
      expect((await consumers.get('c'))?.lastSequence).toBe(10);
      expect(await consumers.threadPositions('c')).toEqual(new Map([['t1', 15], ['t2', 11]]));
      await consumers.checkpoint('c', { watermark: 12, threads: new Map([['t3', 20]]) }, 4_000);
      expect(await consumers.threadPositions('c')).toEqual(new Map([['t1', 15], ['t3', 20]]));
    });

    it('concurrent creations and checkpoints from several connections: one consumer, its cursor and thread positions at their highest', async () => {
      const connections = [store.storage, await store.connect(), await store.connect()];
      await Promise.all(connections.map((connection, i) => connection.consumers.upsert({ name: 'c', kind: 'listen', target: 'http://127.0.0.1/c', startAfter: 0, reposition: false, pid: 100 + i, now: 1_000 })));
      expect((await store.storage.consumers.list()).map((row) => row.name)).toEqual(['c']);
      const watermarks = Array.from({ length: 30 }, (_, i) => ((i * 7) % 30) + 1);
      await Promise.all(watermarks.map((watermark, i) =>
        connections[i % 3].consumers.checkpoint('c', { watermark, threads: new Map([['t', watermark + 100], [`u${i % 2}`, watermark + 50]]) }, 2_000 + i)));
      expect((await store.storage.consumers.get('c'))?.lastSequence).toBe(30);
      expect(await connections[1].consumers.threadPositions('c')).toEqual(new Map([['t', 130], ['u0', 79], ['u1', 80]]));
    });

    it('release clears the holding process; every connection sees the same cursor', async () => {
      const other = await store.connect();
      await create('c');
      await other.consumers.checkpoint('c', { watermark: 9, threads: new Map() }, 2_000);
      await store.storage.consumers.release('c', 3_000);
      expect(await other.consumers.get('c')).toMatchObject({ lastSequence: 9, pid: null, heartbeatAt: 3_000 });
    });
  });
}
