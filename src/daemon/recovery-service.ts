/**
 * Recovery after crashes, on start and then periodically: sync runs left "running" by a holder
 * that is gone become "abandoned", and leases of dead holders are removed. A run is judged by the
 * lease epoch it ran under, never by a process id, so the judgement holds across hosts: a run
 * whose epoch is below its mailbox's current one can never commit again; a run at the current
 * epoch whose mailbox lease nobody holds has lost its holder. Endpoint deliveries left in flight
 * are recovered by the delivery worker itself when it starts (doing it periodically here would
 * resend attempts that are still running).
 */
import type { Logger } from '../core/log-entry.js';
import type { Clock } from '../app/ports/clock.js';
import type { Leases } from '../app/ports/leases.js';
import type { Storage } from '../app/ports/storage.js';
import type { Service } from './service.js';

export interface RecoveryOptions extends Pick<Storage, 'mailboxes' | 'syncRuns'> {
  leases: Leases;
  clock: Clock;
  logger: Logger;
  intervalMs?: number;
}

export interface RecoveryReport {
  abandonedRuns: number;
  removedLeases: string[];
}

export async function recoverOnce(options: RecoveryOptions): Promise<RecoveryReport> {
  // Dead holders' leases first: their runs are then recognised as holderless below.
  const removedLeases = await options.leases.removeDead();
  const report: RecoveryReport = { abandonedRuns: await closeAbandonedRuns(options), removedLeases };
  if (report.abandonedRuns > 0 || report.removedLeases.length > 0) options.logger.info('recovered after a crash', { ...report });
  return report;
}

async function closeAbandonedRuns(options: RecoveryOptions): Promise<number> {
  let closed = 0;
  for (const run of await options.syncRuns.running()) {
    const mailbox = await options.mailboxes.get(run.mailboxId);
    if (!mailbox) continue;
    const now = options.clock.now();
    if (run.epoch < mailbox.leaseEpoch) {
      closed += await options.syncRuns.closeSuperseded(run.mailboxId, mailbox.leaseEpoch, now);
    } else if (!(await options.leases.holder(run.mailboxId))) {
      // Read after the run: a run exists only once its lease was taken, so a free lease now means its holder let go or died.
      if (await options.syncRuns.abandon(run.id, 'the sync stopped before finishing (its holder exited); recovery closed it', now)) closed += 1;
    }
  }
  return closed;
}

export class RecoveryService implements Service {
  readonly id = 'recovery';
  constructor(private readonly options: RecoveryOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await recoverOnce(this.options);
      await this.options.clock.sleep(this.options.intervalMs ?? 60_000, signal);
    }
  }

  async stop(): Promise<void> {}
}
