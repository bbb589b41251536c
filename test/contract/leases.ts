/** The Leases port's promises (src/app/ports/leases.ts), for every implementation. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HeldLease } from '../../src/app/ports/leases.js';
import type { Storage } from '../../src/app/ports/storage.js';
import type { LeaseFactory, LeasesUnderTest } from './stores.js';

const MAILBOX = 'mbx_a';

function lostWithin(lease: HeldLease, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (lease.signal.aborted) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    lease.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(true);
    }, { once: true });
  });
}

export function leasesContract(factory: LeaseFactory<Pick<Storage, 'mailboxes'>>): void {
  describe(`Leases (${factory.name})`, () => {
    let under: LeasesUnderTest<Pick<Storage, 'mailboxes'>>;
    const held: HeldLease[] = [];
    beforeEach(async () => {
      under = await factory.create();
      await under.storage.mailboxes.insert({ id: MAILBOX, emailAddress: 'a@example.com', name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1_000);
    });
    afterEach(async () => {
      for (const lease of held.splice(0)) await lease.release();
      await under.close();
    });
    const keep = (lease: HeldLease) => {
      held.push(lease);
      return lease;
    };

    it('two acquirers at once: exactly one holds the lease, the other gets lease_held', async () => {
      const [a, b] = [under.open(), under.open()];
      const outcomes = await Promise.allSettled([a.acquire(MAILBOX), b.acquire(MAILBOX)]);
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(won).toHaveLength(1);
      keep((won[0] as PromiseFulfilledResult<HeldLease>).value);
      expect(outcomes.find((outcome) => outcome.status === 'rejected')).toMatchObject({ reason: { code: 'lease_held' } });
    });

    it('each acquisition carries a new fencing epoch, the mailbox epoch; release lets the other in with a higher one', async () => {
      const [a, b] = [under.open(), under.open()];
      const first = await a.acquire(MAILBOX);
      expect(first.epoch).toBe((await under.storage.mailboxes.get(MAILBOX))?.leaseEpoch);
      await expect(b.acquire(MAILBOX)).rejects.toMatchObject({ code: 'lease_held' });
      const waiting = b.acquire(MAILBOX, { waitMs: 5_000 });
      await first.release();
      const second = keep(await waiting);
      expect(second.epoch).toBeGreaterThan(first.epoch);
      expect(second.epoch).toBe((await under.storage.mailboxes.get(MAILBOX))?.leaseEpoch);
      expect(second.signal.aborted).toBe(false);
    });

    it('a holder paused past the stale period is taken over, and its signal aborts with lease_lost', async () => {
      const slow = under.open({ heartbeatMs: 400 });
      const paused = keep(await slow.acquire(MAILBOX));
      const taker = keep(await under.open().acquire(MAILBOX, { staleMs: 150, waitMs: 5_000 }));
      expect(taker.epoch).toBeGreaterThan(paused.epoch);
      expect(await lostWithin(paused, 2_000)).toBe(true);
      expect(paused.signal.reason).toMatchObject({ code: 'lease_lost' });
      expect(taker.signal.aborted).toBe(false);
      expect((await under.open().holder(MAILBOX))?.epoch).toBe(taker.epoch);
    });

    it('a holder that keeps renewing is not taken over', async () => {
      const holder = keep(await under.open({ heartbeatMs: 30 }).acquire(MAILBOX));
      await expect(under.open().acquire(MAILBOX, { staleMs: 300, waitMs: 700 })).rejects.toMatchObject({ code: 'lease_held' });
      expect(holder.signal.aborted).toBe(false);
    });

    it('holder() and list() report who holds it, for what, under which epoch; nothing once released', async () => {
      const leases = under.open();
      expect(await leases.holder(MAILBOX)).toBeNull();
      const lease = await leases.acquire(MAILBOX, { purpose: 'verify' });
      const holder = await under.open().holder(MAILBOX);
      expect(holder).toMatchObject({ purpose: 'verify', epoch: lease.epoch, owner: expect.any(String) });
      expect(await leases.list()).toEqual([{ mailboxId: MAILBOX, holder }]);
      await lease.release();
      expect(await leases.holder(MAILBOX)).toBeNull();
      expect(await leases.list()).toEqual([]);
    });

    it('an aborted wait gives up with lease_held', async () => {
      keep(await under.open().acquire(MAILBOX));
      const controller = new AbortController();
      const waiting = under.open().acquire(MAILBOX, { waitMs: 60_000, signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      const started = Date.now();
      await expect(waiting).rejects.toMatchObject({ code: 'lease_held' });
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('an unknown mailbox cannot be leased', async () => {
      await expect(under.open().acquire('mbx_missing')).rejects.toMatchObject({ code: 'mailbox_not_found' });
      expect(await under.open().holder('mbx_missing')).toBeNull();
    });

    it('removeExpired removes a lease whose holder stopped renewing, and only that one', async () => {
      await under.storage.mailboxes.insert({ id: 'mbx_b', emailAddress: 'b@example.com', name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1_000);
      const silent = keep(await under.open({ heartbeatMs: 60_000 }).acquire(MAILBOX));
      keep(await under.open({ heartbeatMs: 20 }).acquire('mbx_b'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await under.open().removeExpired(200)).toEqual([MAILBOX]);
      expect(await under.open().holder(MAILBOX)).toBeNull();
      expect(await under.open().holder('mbx_b')).not.toBeNull();
      expect(silent.epoch).toBeGreaterThan(0);
    });
  });
}
