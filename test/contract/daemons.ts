/** The Daemons port's promises (src/app/ports/daemons.ts), for every implementation. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DaemonMember } from '../../src/app/ports/daemons.js';
import type { StoreFactory, StoreUnderTest } from './stores.js';

const NOW = 1_700_000_000_000;

function member(holderId: string, heartbeatAt: number, pid = 100): DaemonMember {
  return { holderId, host: 'host-a', pid, startedAt: NOW - 60_000, heartbeatAt };
}

export function daemonsContract(factory: StoreFactory): void {
  describe(`Daemons (${factory.name})`, () => {
    let under: StoreUnderTest;
    beforeEach(async () => {
      under = await factory.create();
    });
    afterEach(async () => {
      await under.close();
    });

    it('a member that beats is live, with what it said about itself', async () => {
      const { daemons } = under.storage;
      await daemons.heartbeat(member('host-a:100:x', NOW, 100));
      expect(await daemons.live(NOW + 1_000, 10_000)).toEqual([member('host-a:100:x', NOW, 100)]);
    });

    it('a member silent past the liveness period is not live, but still listed until pruned', async () => {
      const { daemons } = under.storage;
      await daemons.heartbeat(member('old', NOW - 20_000));
      await daemons.heartbeat(member('new', NOW - 1_000));
      expect((await daemons.live(NOW, 10_000)).map((m) => m.holderId)).toEqual(['new']);
      expect((await daemons.list()).map((m) => m.holderId).sort()).toEqual(['new', 'old']);
      expect(await daemons.prune(NOW, 10_000)).toEqual(['old']);
      expect((await daemons.list()).map((m) => m.holderId)).toEqual(['new']);
    });

    it('a heartbeat moves the member forward, never back; it is one member however often it beats', async () => {
      const { daemons } = under.storage;
      await daemons.heartbeat(member('a', NOW));
      await daemons.heartbeat(member('a', NOW + 5_000));
      await daemons.heartbeat(member('a', NOW + 2_000));
      const members = await daemons.list();
      expect(members).toHaveLength(1);
      expect(members[0].heartbeatAt).toBe(NOW + 5_000);
    });

    it('a member that leaves is gone at once; beating again adds it back', async () => {
      const { daemons } = under.storage;
      await daemons.heartbeat(member('a', NOW));
      await daemons.heartbeat(member('b', NOW));
      await daemons.leave('a');
      expect((await daemons.live(NOW, 10_000)).map((m) => m.holderId)).toEqual(['b']);
      await daemons.heartbeat(member('a', NOW + 1));
      expect((await daemons.live(NOW + 1, 10_000)).map((m) => m.holderId).sort()).toEqual(['a', 'b']);
    });

    it('the store tells its own time', async () => {
      const before = Date.now();
      const at = await under.storage.daemons.storeTime();
      expect(at).toBeGreaterThanOrEqual(before - 5_000);
      expect(at).toBeLessThanOrEqual(Date.now() + 5_000);
    });

    it('many daemons beating at once are each counted once', async () => {
      const { daemons } = under.storage;
      await Promise.all(Array.from({ length: 20 }, (_, index) => daemons.heartbeat(member(`d${index % 5}`, NOW + index))));
      expect(await daemons.live(NOW + 20, 10_000)).toHaveLength(5);
    });
  });
}
