/**
 * THE list of services the daemon supervises, in one place: recovery, the sync loop, the control
 * channel, the config reloader (when given the config), the HTTP API (when enabled), plus the ones built by the CLI wiring (the endpoint delivery worker and retention).
 */
import type { ApiLiveState, DaemonLiveStatus } from '../core/daemon-status.js';
import type { Logger } from '../core/log-entry.js';
import type { Live } from '../core/live.js';
import type { SyncDeps, SyncSummary } from '../app/sync-mailbox.js';
import type { ControlChannel } from '../app/ports/control-channel.js';
import { ConfigService, type ReloadableConfig } from './config-service.js';
import { ControlService } from './control-service.js';
import { RecoveryService } from './recovery-service.js';
import type { Service } from './service.js';
import { NudgeSource, SyncService } from './sync-service.js';
import { PushService, type PushConfig } from './push-service.js';
import { current } from '../core/live.js';
import type { MailboxShare } from '../app/mailbox-share.js';
import { ShareService } from './share-service.js';

/** The HTTP API as a daemon service: it reports where it listens once it does. */
export interface ApiService extends Service {
  address(): ApiLiveState | null;
}

/** Builds the API service with the daemon's own ways in (a sync request wakes this daemon's loop). */
export type ApiServiceFactory = (daemon: { requestSync(mailboxId: string): Promise<void> }) => ApiService;

export interface DaemonServiceDeps {
  syncDeps: SyncDeps;
  pollIntervalMs: Live<number>;
  controlChannel: ControlChannel;
  logger: Logger;
  status: (sync: SyncService) => Promise<DaemonLiveStatus>;
  requestShutdown: () => void;
  onListening: () => void;
  recoveryIntervalMs?: number;
  /** Watched and reloaded while the daemon runs (settings marked `live` are read through it). */
  config?: ReloadableConfig;
  fatal?: (error: unknown) => Error | undefined;
  /** Services that need the CLI's wiring (vault, HTTP agent): endpoint delivery, retention. */
  extraServices?: Service[];
  /** After every successful sync of the loop. */
  onSynced?: (summary: SyncSummary) => void;
  /** Gmail push (push.topic + push.subscription set): its subscription, topic and relaxed poll interval. */
  push?: PushConfig;
  /** A store several daemons share (PostgreSQL): this daemon syncs only the mailboxes of its share, whose leases it holds. */
  share?: { keeper: MailboxShare; heartbeatMs: number };
  /** The HTTP API, when enabled (api.port not off). */
  api?: ApiServiceFactory;
}

export interface DaemonServices {
  services: Service[];
  sync: SyncService;
  nudges: NudgeSource;
  api: ApiService | null;
}

export function daemonServices(deps: DaemonServiceDeps): DaemonServices {
  const nudges = new NudgeSource();
  const push = deps.push ? new PushService({ ...deps.push, logger: deps.logger, clock: deps.syncDeps.clock, wake: (mailboxId) => nudges.nudge(mailboxId) }) : null;
  const relaxedMs = deps.push?.relaxedIntervalMs;
  const sync = new SyncService({
    deps: deps.syncDeps,
    intervalMs: deps.pollIntervalMs,
    logger: deps.logger,
    nudges,
    fatal: deps.fatal,
    ...(deps.share ? { owns: (mailboxId: string) => deps.share!.keeper.holds(mailboxId) } : {}),
    ...(push && relaxedMs !== undefined ? { intervalFor: (mailboxId: string) => push.receiver.intervalFor(mailboxId, current(deps.pollIntervalMs), current(relaxedMs)) } : {}),
    onSynced: (summary) => {
      deps.onSynced?.(summary);
      push?.receiver.observeSync(summary);
    },
  });
  // A new poll interval re-plans every mailbox now, rather than after the old interval.
  const config = deps.config ? new ConfigService({ config: deps.config, logger: deps.logger, onChanged: (diff) => diff.changed.some((change) => change.key === 'poll-interval' || change.key === 'push.poll-interval') && nudges.nudge(null) }) : null;
  const api = deps.api?.({ requestSync: async (mailboxId) => void (await sync.syncNow({ mailbox: mailboxId })) }) ?? null;
  const services: Service[] = [
    new RecoveryService({ ...deps.syncDeps, logger: deps.logger, intervalMs: deps.recoveryIntervalMs }),
    ...(deps.share ? [new ShareService({ share: deps.share.keeper, clock: deps.syncDeps.clock, logger: deps.logger, heartbeatMs: deps.share.heartbeatMs, joinMs: Math.min(deps.share.heartbeatMs, 2_000), onClaimed: (mailboxId) => nudges.nudge(mailboxId) })] : []),
    sync,
    ...(push ? [push] : []),
    new ControlService({ channel: deps.controlChannel, logger: deps.logger, status: async () => ({ ...(await deps.status(sync)), ...(push ? { push: push.receiver.pullState() } : {}) }), sync, config, requestShutdown: deps.requestShutdown, onListening: deps.onListening }),
    ...(config ? [config] : []),
    ...(deps.extraServices ?? []),
    ...(api ? [api] : []),
  ];
  return { services, sync, nudges, api };
}
