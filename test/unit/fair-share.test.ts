/** Fair share without a coordinator: the pure rule, and daemons sharing mailboxes through leases on a fake clock. */
import { describe, expect, it } from 'vitest';
import { countLive, fairShare, planShare } from '../../src/core/fair-share.js';
import { MailboxShare } from '../../src/app/mailbox-share.js';
import type { HeldLease, LeaseHolder, Leases } from '../../src/app/ports/leases.js';
import type { Mailboxes } from '../../src/app/ports/mailboxes.js';
import { localDaemons } from '../../src/adapters/sqlite/local-daemons.js';
import { MailmonError } from '../../src/core/errors.js';
import { FakeClock } from '../support/fake-clock.js';

const ids = (count: number) => Array.from({ length: count }, (_, index) => `mbx_${String(index).padStart(3, '0')}`);

describe('planShare', () => {
  it('the share is ceil(mailboxes / live daemons): the shares cover every mailbox', () => {
    expect(fairShare(300, 3)).toBe(100);
    expect(fairShare(301, 3)).toBe(101);
    expect(fairShare(30, 0)).toBe(30);
    expect(countLive([1_000, 5_000, 9_000], 10_000, 5_000)).toBe(2);
  });

  it('claims free mailboxes up to its share, and gives back the excess but never a busy one', () => {
    const all = ids(10);
    expect(planShare({ mailboxes: all, liveDaemons: 2, held: [], free: all }, () => 0).claim).toHaveLength(5);
    const plan = planShare({ mailboxes: all, liveDaemons: 5, held: all.slice(0, 4), free: [], busy: new Set(all.slice(0, 4)) });
    expect(plan.release).toEqual([]);
    const some = planShare({ mailboxes: all, liveDaemons: 5, held: all.slice(0, 4), free: [], busy: new Set([all[3]]) });
    expect(some.release).toHaveLength(2);
    expect(some.release).not.toContain(all[3]);
  });

  it('gives back a held mailbox that is no longer to be synced (paused, removed)', () => {
    expect(planShare({ mailboxes: ['a'], liveDaemons: 1, held: ['a', 'gone'], free: [] }).release).toEqual(['gone']);
  });
});

/** One lease table as a database would keep it: a holder expires `staleMs` after it stopped renewing (died). */
class FakeLeaseTable {
  private readonly leases = new Map<string, { owner: string; epoch: number; renewedAt: number; controller: AbortController }>();
  private readonly dead = new Map<string, number>();
  private epoch = 0;
  /** Every hold, for the overlap check: [mailbox, owner, from, to]. */
  readonly holds: Array<{ mailboxId: string; owner: string; from: number; to: number | null }> = [];
  constructor(private readonly clock: FakeClock, private readonly staleMs: number) {}

  kill(owner: string): void {
    this.dead.set(owner, this.clock.now());
  }

  private expired(mailboxId: string): boolean {
    const lease = this.leases.get(mailboxId);
    if (!lease) return false;
    const diedAt = this.dead.get(lease.owner);
    return diedAt !== undefined && this.clock.now() - diedAt > this.staleMs;
  }

  private drop(mailboxId: string): void {
    const lease = this.leases.get(mailboxId);
    if (!lease) return;
    this.leases.delete(mailboxId);
    lease.controller.abort();
    const open = this.holds.find((hold) => hold.mailboxId === mailboxId && hold.owner === lease.owner && hold.to === null);
    if (open) open.to = this.clock.now();
  }

  open(owner: string): Leases {
    return {
      acquire: async (mailboxId) => {
        if (this.expired(mailboxId)) this.drop(mailboxId);
        if (this.leases.has(mailboxId)) throw new MailmonError('lease_held', 'held');
        const controller = new AbortController();
        const lease = { owner, epoch: ++this.epoch, renewedAt: this.clock.now(), controller };
        this.leases.set(mailboxId, lease);
        this.holds.push({ mailboxId, owner, from: this.clock.now(), to: null });
        const held: HeldLease = { mailboxId, epoch: lease.epoch, signal: controller.signal, release: async () => void (this.leases.get(mailboxId) === lease && this.drop(mailboxId)) };
        return held;
      },
      holder: async (mailboxId) => {
        const lease = this.leases.get(mailboxId);
        return lease ? ({ owner: lease.owner, purpose: 'sync', acquiredAt: 0, epoch: lease.epoch } satisfies LeaseHolder) : null;
      },
      list: async () => {
        return [...this.leases].map(([mailboxId, lease]) => ({ mailboxId, holder: { owner: lease.owner, purpose: 'sync', acquiredAt: 0, epoch: lease.epoch } }));
      },
      removeDead: async () => {
        return [];
      },
      removeExpired: async () => {
        const gone = [...this.leases.keys()].filter((id) => this.expired(id));
        for (const id of gone) this.drop(id);
        return gone;
      },
      releaseOwn: async () => {
        const own = [...this.leases].filter(([, lease]) => lease.owner === owner).map(([id]) => id);
        for (const id of own) this.drop(id);
        return own;
      },
    };
  }

  heldBy(owner: string): number {
    return [...this.leases.values()].filter((lease) => lease.owner === owner).length;
  }
}

describe('MailboxShare: daemons sharing one store', () => {
  const STALE_MS = 30_000;
  const setup = (mailboxCount: number) => {
    const clock = new FakeClock(1_700_000_000_000);
    const table = new FakeLeaseTable(clock, STALE_MS);
    const daemons = localDaemons(clock.now);
    const all = ids(mailboxCount).map((id) => ({ id, status: 'active' }));
    const mailboxes = { list: async () => all } as unknown as Mailboxes;
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const start = (name: string) => new MailboxShare({ mailboxes, daemons, leases: table.open(name), clock, random }, { member: { holderId: name, host: 'h', pid: 1, startedAt: clock.now() }, livenessMs: STALE_MS, staleMs: STALE_MS });
    const round = async (shares: MailboxShare[], times = 1) => {
      for (let index = 0; index < times; index += 1) {
        for (const share of shares) await share.tick();
        clock.advance(5_000);
      }
    };
    return { clock, table, start, round };
  };

  it('3 daemons starting together on 300 mailboxes end at 100 each', async () => {
    const { table, start, round } = setup(300);
    const shares = ['a', 'b', 'c'].map(start);
    await round(shares, 3);
    expect(['a', 'b', 'c'].map((name) => table.heldBy(name))).toEqual([100, 100, 100]);
  });

  it('a daemon that joins gets its share: the others give back their excess', async () => {
    const { table, start, round } = setup(300);
    const shares = ['a', 'b'].map(start);
    await round(shares, 2);
    expect([table.heldBy('a'), table.heldBy('b')]).toEqual([150, 150]);
    shares.push(start('c'));
    await round(shares, 4);
    expect(['a', 'b', 'c'].map((name) => table.heldBy(name))).toEqual([100, 100, 100]);
  });

  it('a killed daemon\'s mailboxes are taken over within one lease expiry (plus a tick)', async () => {
    const { clock, table, start, round } = setup(300);
    const shares = ['a', 'b', 'c'].map(start);
    await round(shares, 3);
    table.kill('c');
    const killedAt = clock.now();
    const survivors = shares.slice(0, 2);
    while (table.heldBy('a') + table.heldBy('b') < 300) await round(survivors);
    expect(clock.now() - killedAt).toBeLessThanOrEqual(STALE_MS + 10_000);
    expect([table.heldBy('a'), table.heldBy('b')]).toEqual([150, 150]);
  });

  it('never two holders of one mailbox at once', async () => {
    const { table, start, round } = setup(60);
    const shares = ['a', 'b', 'c', 'd'].map(start);
    await round(shares.slice(0, 1), 1);
    await round(shares, 3);
    table.kill('d');
    await round(shares.slice(0, 3), 10);
    for (const hold of table.holds) {
      const overlapping = table.holds.filter((other) => other !== hold && other.mailboxId === hold.mailboxId && other.from < (hold.to ?? Infinity) && hold.from < (other.to ?? Infinity));
      expect(overlapping).toEqual([]);
    }
  });

  it('a sync uses the held lease (same epoch) and a mailbox in use is not given back', async () => {
    const { table, start, round } = setup(4);
    const a = start('a');
    await round([a]);
    const [first] = a.heldIds();
    const lease = await a.leases.acquire(first);
    const again = await a.leases.acquire(first);
    expect(again.epoch).toBe(lease.epoch);
    await lease.release();
    await again.release();
    expect(a.holds(first)).toBe(true);
    const b = start('b');
    const inUse = await a.leases.acquire(a.heldIds()[0]);
    await round([a, b], 2);
    expect(a.holds(inUse.mailboxId)).toBe(true);
    expect([table.heldBy('a'), table.heldBy('b')]).toEqual([2, 2]);
  });

  it('alone (the SQLite single daemon), its share is every mailbox', async () => {
    const { table, start, round } = setup(7);
    await round([start('only')]);
    expect(table.heldBy('only')).toBe(7);
  });
});

describe('MailboxShare: the record of a hold', () => {
  it('a lease lost while the daemon was stalled ends when the store stopped keeping it, not when the loss was noticed', async () => {
    const clock = new FakeClock(1_700_000_000_000);
    const controllers: AbortController[] = [];
    const keptUntil = clock.now() + 30_000;
    const leases = {
      acquire: async (mailboxId: string) => {
        const controller = new AbortController();
        controllers.push(controller);
        return { mailboxId, epoch: 1, signal: controller.signal, keptUntil: () => keptUntil, release: async () => undefined } satisfies HeldLease;
      },
      list: async () => [],
      removeExpired: async () => [],
    } as unknown as Leases;
    const mailboxes = { list: async () => [{ id: 'mbx_a', status: 'active' }] } as unknown as Mailboxes;
    const holds: Array<{ kind: string; at: number }> = [];
    const share = new MailboxShare({ mailboxes, daemons: localDaemons(clock.now), leases, clock }, { member: { holderId: 'a', host: 'h', pid: 1, startedAt: clock.now() }, livenessMs: 30_000, staleMs: 30_000, onHold: (hold) => holds.push(hold) });
    await share.tick();
    expect(holds).toEqual([expect.objectContaining({ kind: 'claimed', at: clock.now() })]);
    clock.advance(45_000);
    controllers[0].abort();
    expect(holds[1]).toEqual(expect.objectContaining({ kind: 'lost', at: keptUntil }));
  });
});

describe('MailboxShare: daemons that announce themselves before claiming', () => {
  it('two daemons started together split 300 mailboxes in their first round', async () => {
    const clock = new FakeClock(1_700_000_000_000);
    const table = new FakeLeaseTable(clock, 30_000);
    const daemons = localDaemons(clock.now);
    const mailboxes = { list: async () => ids(300).map((id) => ({ id, status: 'active' })) } as unknown as Mailboxes;
    const start = (name: string) => new MailboxShare({ mailboxes, daemons, leases: table.open(name), clock }, { member: { holderId: name, host: 'h', pid: 1, startedAt: clock.now() }, livenessMs: 30_000, staleMs: 30_000 });
    const [a, b] = [start('a'), start('b')];
    await a.announce();
    await b.announce();
    await a.tick();
    await b.tick();
    expect([table.heldBy('a'), table.heldBy('b')]).toEqual([150, 150]);
  });
});

describe('MailboxShare: claims racing another daemon', () => {
  it('a mailbox another daemon took since the view was read is replaced by the next free one: the share is filled in one round', async () => {
    const clock = new FakeClock(1_700_000_000_000);
    const table = new FakeLeaseTable(clock, 30_000);
    const daemons = localDaemons(clock.now);
    const mailboxes = { list: async () => ids(20).map((id) => ({ id, status: 'active' })) } as unknown as Mailboxes;
    const rival = table.open('b');
    for (const id of ids(20).slice(0, 5)) await rival.acquire(id, {});
    // A view read before the rival's claims: every mailbox looks free.
    const stale: Leases = { ...table.open('a'), list: async () => [] };
    const a = new MailboxShare({ mailboxes, daemons, leases: stale, clock, random: () => 0 }, { member: { holderId: 'a', host: 'h', pid: 1, startedAt: clock.now() }, livenessMs: 30_000, staleMs: 30_000 });
    await daemons.heartbeat({ holderId: 'b', host: 'h', pid: 2, startedAt: clock.now(), heartbeatAt: clock.now() });
    const change = await a.tick();
    expect(change.share).toBe(10);
    expect(table.heldBy('a')).toBe(10);
  });
});
