/**
 * A daemon's share of the mailboxes on a store several daemons use (PostgreSQL): it HOLDS the
 * leases of its share across polls (each held lease keeps itself alive), so a mailbox is synced
 * by one daemon until that daemon gives it back or dies. Every `tick` it beats its membership
 * heartbeat, counts the live daemons, and claims or gives back leases by the fair-share rule
 * (src/core/fair-share.ts). No coordinator: every daemon runs the same rule, and the leases
 * (one holder at a time; epoch-fenced commits) keep two daemons from syncing one mailbox.
 *
 * `leases` is the Leases view the sync uses: acquiring a held mailbox returns the held lease
 * (same epoch; its release only ends that use); a mailbox another live daemon holds is refused at
 * once (lease_held, naming that daemon's host and pid), whatever the wait asked for; anything
 * else goes to the store's leases.
 */
import { planShare } from '../core/fair-share.js';
import { isMailmonError } from '../core/errors.js';
import { refuseOtherDaemonsShare } from './daemon-shares.js';
import type { Clock } from './ports/clock.js';
import type { DaemonMember } from './ports/daemons.js';
import type { HeldLease, Leases } from './ports/leases.js';
import type { Storage } from './ports/storage.js';

export interface ShareDeps extends Pick<Storage, 'mailboxes' | 'daemons'> {
  /** The store's leases (database leases). */
  leases: Leases;
  clock: Clock;
  random?: () => number;
}

export interface ShareSettings {
  member: Omit<DaemonMember, 'heartbeatAt'>;
  /** A daemon silent for longer is not counted (and its leases have expired by then). */
  livenessMs: number;
  /** A lease whose holder stopped renewing for this long may be taken over. */
  staleMs: number;
  /**
   * Every start and end of a hold (the daemon logs them: chaos tests check holds never overlap),
   * timed when it happens; a loss, when the store stopped keeping the lease for this daemon.
   */
  onHold?: (hold: HoldEvent) => void;
}

export interface HoldEvent {
  mailboxId: string;
  kind: 'claimed' | 'released' | 'lost';
  epoch: number;
  at: number;
}

export interface ShareChange {
  share: number;
  liveDaemons: number;
  claimed: string[];
  released: string[];
  lost: string[];
}

export class MailboxShare {
  private readonly held = new Map<string, HeldLease>();
  /** Held mailboxes a sync is using now: never given back mid-sync. */
  private readonly inUse = new Map<string, number>();
  /** Stops reporting a held lease as lost (before giving it back). */
  private readonly unwatch = new Map<string, () => void>();
  readonly leases: Leases;

  constructor(private readonly deps: ShareDeps, private readonly settings: ShareSettings) {
    this.leases = this.view();
  }

  holds(mailboxId: string): boolean {
    const lease = this.held.get(mailboxId);
    return lease !== undefined && !lease.signal.aborted;
  }

  heldIds(): string[] {
    return [...this.held.keys()].filter((id) => this.holds(id));
  }

  /** Joins the live daemons (a membership heartbeat) without claiming anything yet. */
  async announce(): Promise<void> {
    await this.deps.daemons.heartbeat({ ...this.settings.member, heartbeatAt: this.deps.clock.now() });
  }

  /** One round: heartbeat, then claim or give back by the fair-share rule. */
  async tick(): Promise<ShareChange> {
    const lost = this.dropLost();
    const { deps, settings } = this;
    const now = deps.clock.now();
    await deps.daemons.heartbeat({ ...settings.member, heartbeatAt: now });
    const live = (await deps.daemons.live(now, settings.livenessMs)).length;
    const mailboxes = (await deps.mailboxes.list()).filter((mailbox) => mailbox.status === 'active' || mailbox.status === 'pending').map((mailbox) => mailbox.id);
    await deps.leases.removeExpired(settings.staleMs);
    const taken = new Set((await deps.leases.list()).map((lease) => lease.mailboxId));
    const free = mailboxes.filter((id) => !taken.has(id));
    const busy = new Set([...this.inUse.keys()]);
    const plan = planShare({ mailboxes, liveDaemons: Math.max(1, live), held: this.heldIds(), free, busy }, deps.random);
    const released = await this.giveBack(plan.release);
    const claimed = await this.claim(plan.candidates, plan.claim.length);
    return { share: plan.share, liveDaemons: Math.max(1, live), claimed, released, lost };
  }

  /** On shutdown: every held lease back, and this daemon leaves the membership. */
  async leave(): Promise<string[]> {
    const released = await this.giveBack([...this.held.keys()]);
    await this.deps.daemons.leave(this.settings.member.holderId).catch(() => undefined);
    return released;
  }

  private dropLost(): string[] {
    const lost = [...this.held].filter(([, lease]) => lease.signal.aborted).map(([id]) => id);
    for (const id of lost) {
      this.held.delete(id);
      this.unwatch.delete(id);
    }
    return lost;
  }

  private async giveBack(ids: string[]): Promise<string[]> {
    const released: string[] = [];
    for (const id of ids) {
      const lease = this.held.get(id);
      if (!lease) continue;
      this.held.delete(id);
      this.unwatch.get(id)?.();
      this.unwatch.delete(id);
      const lost = lease.signal.aborted;
      await lease.release();
      if (!lost) this.report(lease, 'released');
      released.push(id);
    }
    return released;
  }

  /** Claims `wanted` of the candidates, in order: one another daemon took meanwhile is skipped for the next. */
  private async claim(candidates: string[], wanted: number): Promise<string[]> {
    const claimed: string[] = [];
    for (const id of candidates) {
      if (claimed.length >= wanted) break;
      try {
        const lease = await this.deps.leases.acquire(id, { purpose: 'sync', waitMs: 0, staleMs: this.settings.staleMs });
        this.held.set(id, lease);
        this.report(lease, 'claimed');
        const onLost = () => this.report(lease, 'lost');
        lease.signal.addEventListener('abort', onLost, { once: true });
        this.unwatch.set(id, () => lease.signal.removeEventListener('abort', onLost));
        claimed.push(id);
      } catch (error) {
        // Another daemon claimed it first: it is theirs.
        if (!isMailmonError(error) || error.code !== 'lease_held') throw error;
      }
    }
    return claimed;
  }

  private report(lease: HeldLease, kind: HoldEvent['kind']): void {
    const now = this.deps.clock.now();
    // A lease lost while this process was stalled ended when the store stopped keeping it for us.
    const at = kind === 'lost' ? Math.min(now, lease.keptUntil?.() ?? now) : now;
    this.settings.onHold?.({ mailboxId: lease.mailboxId, kind, epoch: lease.epoch, at });
  }

  private view(): Leases {
    const store = this.deps.leases;
    return {
      acquire: async (mailboxId, options) => {
        const lease = this.held.get(mailboxId);
        if (!lease || lease.signal.aborted) {
          await refuseOtherDaemonsShare(this.deps, mailboxId, { livenessMs: this.settings.livenessMs, self: this.settings.member.holderId });
          return store.acquire(mailboxId, options);
        }
        this.inUse.set(mailboxId, (this.inUse.get(mailboxId) ?? 0) + 1);
        let done = false;
        return {
          mailboxId,
          epoch: lease.epoch,
          signal: lease.signal,
          release: async () => {
            if (done) return;
            done = true;
            const left = (this.inUse.get(mailboxId) ?? 1) - 1;
            if (left > 0) this.inUse.set(mailboxId, left);
            else this.inUse.delete(mailboxId);
          },
        };
      },
      holder: (mailboxId) => store.holder(mailboxId),
      list: () => store.list(),
      removeDead: () => store.removeDead(),
      removeExpired: (staleMs) => store.removeExpired(staleMs),
      releaseOwn: async () => [...(await this.leave()), ...(await store.releaseOwn())],
    };
  }
}
