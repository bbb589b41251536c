/**
 * Recovery after crashes, on start and then periodically: leases of dead holders are removed, and
 * sync runs left "running" by a holder that is gone become "abandoned" (judged by epoch and lease,
 * not by pid: src/app/recover-sync-runs.ts). Endpoint deliveries left in flight are not handled
 * here: the delivery worker releases claims by age (see delivery-service.ts), whoever and wherever
 * their holder was.
 */
import type { Logger } from '../core/log-entry.js';
import { recoverSyncRuns } from '../app/recover-sync-runs.js';
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
  const report: RecoveryReport = { abandonedRuns: await recoverSyncRuns(options), removedLeases };
  if (report.abandonedRuns > 0 || report.removedLeases.length > 0) options.logger.info('recovered after a crash', { ...report });
  return report;
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
