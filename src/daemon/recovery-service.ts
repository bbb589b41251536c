/**
 * Recovery after crashes, on start and then periodically: sync_runs left "running" by a dead
 * process become "abandoned", and lease files (and temp files) of dead holders are removed.
 * Endpoint deliveries left in flight are not handled here: the delivery worker releases claims
 * by age (see delivery-service.ts), whoever and wherever their holder was.
 */
import type Database from 'better-sqlite3';
import type { Logger } from '../core/log-entry.js';
import { SyncRuns } from '../adapters/sqlite/sync-runs.js';
import { removeDeadLeases } from '../adapters/system/lease.js';
import { pidAlive } from '../adapters/system/pid-file.js';
import type { Service } from './service.js';

export interface RecoveryOptions {
  sqlite: Database.Database;
  leasesDir: string;
  logger: Logger;
  intervalMs?: number;
  isAlive?: (pid: number) => boolean;
  now?: () => number;
}

export interface RecoveryReport {
  abandonedRuns: number;
  removedLeases: string[];
}

export function recoverOnce(options: RecoveryOptions): RecoveryReport {
  const isAlive = options.isAlive ?? pidAlive;
  const now = (options.now ?? Date.now)();
  const report: RecoveryReport = {
    abandonedRuns: new SyncRuns(options.sqlite).recoverAbandoned(isAlive, now),
    removedLeases: removeDeadLeases(options.leasesDir, isAlive),
  };
  if (report.abandonedRuns > 0 || report.removedLeases.length > 0) options.logger.info('recovered after a crash', { ...report });
  return report;
}

export class RecoveryService implements Service {
  readonly id = 'recovery';
  constructor(private readonly options: RecoveryOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      recoverOnce(this.options);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.options.intervalMs ?? 60_000);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  async stop(): Promise<void> {}
}
