/**
 * Closes sync runs whose holder is gone, judged by the lease epoch they ran under and whether
 * anyone holds the mailbox's lease — never by a process id, which means nothing on another host:
 * a run whose epoch is below its mailbox's current one can never commit again; a run at the
 * current epoch whose mailbox lease nobody holds has lost its holder. A run exists only once its
 * lease was taken, so a lease read free after the run was read means its holder let go or died
 * (a run that finished meanwhile is not running any more and is left as it is).
 */
import type { Clock } from './ports/clock.js';
import type { Leases } from './ports/leases.js';
import type { Storage } from './ports/storage.js';

export interface RecoverSyncRunsDeps extends Pick<Storage, 'mailboxes' | 'syncRuns'> {
  leases: Pick<Leases, 'holder'>;
  clock: Pick<Clock, 'now'>;
}

/** Returns how many runs it closed as abandoned. */
export async function recoverSyncRuns(deps: RecoverSyncRunsDeps): Promise<number> {
  let closed = 0;
  for (const run of await deps.syncRuns.running()) {
    const mailbox = await deps.mailboxes.get(run.mailboxId);
    if (!mailbox) continue;
    const now = deps.clock.now();
    if (run.epoch < mailbox.leaseEpoch) {
      closed += await deps.syncRuns.closeSuperseded(run.mailboxId, mailbox.leaseEpoch, now);
    } else if (!(await deps.leases.holder(run.mailboxId))) {
      if (await deps.syncRuns.abandon(run.id, 'the sync stopped before finishing (its holder exited); recovery closed it', now)) closed += 1;
    }
  }
  return closed;
}
