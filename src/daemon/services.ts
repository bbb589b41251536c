/**
 * THE list of services the daemon supervises, in one place: recovery, the sync loop, the control
 * channel, the config reloader (when given the config), plus the ones built by the CLI wiring (the endpoint delivery worker and retention).
 */
import type { DaemonLiveStatus } from '../core/daemon-status.js';
import type { Logger } from '../core/log-entry.js';
import type { Live } from '../core/live.js';
import type { SyncDeps } from '../app/sync-mailbox.js';
import { ConfigService, type ReloadableConfig } from './config-service.js';
import { ControlService } from './control-service.js';
import { RecoveryService } from './recovery-service.js';
import type { Service } from './service.js';
import { NudgeSource, SyncService } from './sync-service.js';

export interface DaemonServiceDeps {
  syncDeps: SyncDeps;
  pollIntervalMs: Live<number>;
  leasesDir: string;
  socketPath: string;
  logger: Logger;
  status: (sync: SyncService) => DaemonLiveStatus;
  requestShutdown: () => void;
  onListening: () => void;
  recoveryIntervalMs?: number;
  /** Watched and reloaded while the daemon runs (settings marked `live` are read through it). */
  config?: ReloadableConfig;
  fatal?: (error: unknown) => Error | undefined;
  /** Services that need the CLI's wiring (vault, HTTP agent): endpoint delivery, retention. */
  extraServices?: Service[];
}

export interface DaemonServices {
  services: Service[];
  sync: SyncService;
  nudges: NudgeSource;
}

export function daemonServices(deps: DaemonServiceDeps): DaemonServices {
  const nudges = new NudgeSource();
  const sync = new SyncService({ deps: deps.syncDeps, intervalMs: deps.pollIntervalMs, logger: deps.logger, nudges, fatal: deps.fatal });
  // A new poll interval re-plans every mailbox now, rather than after the old interval.
  const config = deps.config ? new ConfigService({ config: deps.config, logger: deps.logger, onChanged: (diff) => diff.changed.some((change) => change.key === 'poll-interval') && nudges.nudge(null) }) : null;
  const services: Service[] = [
    new RecoveryService({ sqlite: deps.syncDeps.sqlite, leasesDir: deps.leasesDir, logger: deps.logger, intervalMs: deps.recoveryIntervalMs }),
    sync,
    new ControlService({ socketPath: deps.socketPath, logger: deps.logger, status: () => deps.status(sync), sync, config, requestShutdown: deps.requestShutdown, onListening: deps.onListening }),
    ...(config ? [config] : []),
    ...(deps.extraServices ?? []),
  ];
  return { services, sync, nudges };
}
