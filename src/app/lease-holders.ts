/** The holder (host, pid) of every held mailbox lease, as `status` and `daemon status` show it. */
import { holderIdentity, type MailboxHolder } from '../core/lease-holders.js';
import type { Leases } from './ports/leases.js';
import type { Storage } from './ports/storage.js';

export async function leaseHolders(deps: Pick<Storage, 'daemons'> & { leases: Pick<Leases, 'list'> }): Promise<Map<string, MailboxHolder>> {
  const [leases, members] = await Promise.all([deps.leases.list(), deps.daemons.list()]);
  const holders = new Map<string, MailboxHolder>();
  for (const lease of leases) {
    const holder = lease.holder ? holderIdentity(lease.holder.owner, members) : null;
    if (holder) holders.set(lease.mailboxId, holder);
  }
  return holders;
}
