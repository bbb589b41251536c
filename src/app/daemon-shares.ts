/**
 * On a store several daemons share, a mailbox another live daemon holds is that daemon's share:
 * it keeps the lease across polls until it gives the mailbox back or dies, so waiting for the
 * lease would only time out. Whoever asks for it (a daemon, or `mailmon sync` run anywhere)
 * learns at once which daemon has it.
 */
import { holderIdentity } from '../core/lease-holders.js';
import { MailmonError } from '../core/errors.js';
import type { Clock } from './ports/clock.js';
import type { Daemons } from './ports/daemons.js';
import type { Leases } from './ports/leases.js';
import type { Mailboxes } from './ports/mailboxes.js';

export interface ShareCheckDeps {
  leases: Pick<Leases, 'holder'>;
  daemons: Pick<Daemons, 'live'>;
  mailboxes: Pick<Mailboxes, 'get'>;
  clock: Clock;
}

export interface ShareCheck {
  /** A daemon silent for longer is not counted: its leases may be taken over. */
  livenessMs: number;
  /** The asking daemon's own holder id: its own share is never refused. */
  self?: string;
}

/** lease_held, naming the daemon, when another live daemon keeps the mailbox's lease. */
export async function refuseOtherDaemonsShare(deps: ShareCheckDeps, mailboxId: string, check: ShareCheck): Promise<void> {
  const holder = await deps.leases.holder(mailboxId);
  if (!holder) return;
  const members = await deps.daemons.live(deps.clock.now(), check.livenessMs);
  const identity = holderIdentity(holder.owner, members);
  const member = members.find((candidate) => candidate.holderId === identity?.holderId);
  if (!member || member.holderId === check.self) return;
  const address = (await deps.mailboxes.get(mailboxId))?.emailAddress ?? mailboxId;
  throw new MailmonError('lease_held', `Mailbox ${address} is synced by another daemon sharing this store: pid ${member.pid} on ${member.host}.`, {
    hint: `That daemon keeps it in sync as its share of the work ("mailmon status" shows its last sync). To sync it now, run "mailmon sync" on ${member.host}.`,
  });
}

/** The store's leases, refusing at once a mailbox in another live daemon's share. */
export function shareAwareLeases(leases: Leases, deps: Omit<ShareCheckDeps, 'leases'>, check: ShareCheck): Leases {
  return {
    acquire: async (mailboxId, options) => {
      await refuseOtherDaemonsShare({ ...deps, leases }, mailboxId, check);
      return leases.acquire(mailboxId, options);
    },
    holder: (mailboxId) => leases.holder(mailboxId),
    list: () => leases.list(),
    removeDead: () => leases.removeDead(),
    removeExpired: (staleMs) => leases.removeExpired(staleMs),
    releaseOwn: () => leases.releaseOwn(),
  };
}
