/**
 * `mailmon daemon run`: claim the home's pid file (one daemon per home; a stale one is replaced),
 * recover what a crash left behind, supervise the services until SIGTERM/SIGINT or a `shutdown`
 * request, then drain (bounded), release every lease this process still names, and remove the
 * pid file and socket. Resolves when the daemon has stopped cleanly.
 */
import type { DaemonLiveStatus } from '../core/daemon-status.js';
import type { Logger } from '../core/log-entry.js';
import { current, type Live } from '../core/live.js';
import type { SyncDeps } from '../app/sync-mailbox.js';
import type { ControlChannel } from '../app/ports/control-channel.js';
import { recoverOnce } from './recovery-service.js';
import type { ReloadableConfig } from './config-service.js';
import type { Service } from './service.js';
import { daemonServices, type ApiService, type DaemonServiceDeps } from './services.js';
import { Supervisor } from './supervisor.js';
import type { SyncService } from './sync-service.js';

/** Where this daemon is found: its socket, its log, and the claim on its home (one daemon per home). */
export interface DaemonFiles {
  socket: string;
  /** The control channel on that socket. */
  controlChannel: ControlChannel;
  logFile: string;
  /** Claims the home for this process; a stale claim left by a daemon that is gone is replaced (its pid returned). */
  claim(startedAt: number, version: string): { replacedPid: number | null };
  release(): void;
}

export interface DaemonDeps {
  home: { root: string };
  files: DaemonFiles;
  version: string;
  syncDeps: SyncDeps;
  pollIntervalMs: Live<number>;
  logger: Logger;
  drainMs?: number;
  /** The config the daemon reloads when its file changes (absent: read once at start). */
  config?: ReloadableConfig;
  /** The endpoint delivery worker and the retention job (built by the CLI wiring). */
  extraServices?: Service[];
  /** Gmail push, when configured (push.topic + push.subscription). */
  push?: DaemonServiceDeps['push'];
  onSynced?: DaemonServiceDeps['onSynced'];
  /** The HTTP API, when enabled; `daemon status` shows where it listens. */
  api?: DaemonServiceDeps['api'];
  /** An error after which the daemon must stop rather than retry (a corrupt store): runDaemon then rejects with it. */
  fatal?: (error: unknown) => Error | undefined;
  /** A store several daemons share: the fair share this daemon holds (its leases are `syncDeps.leases`' held ones). */
  share?: DaemonServiceDeps['share'];
}

export interface DaemonRunResult {
  pid: number;
  uptimeMs: number;
  releasedLeases: string[];
  unfinished: string[];
}

export async function runDaemon(deps: DaemonDeps, options: { signal: AbortSignal; onReady?: (info: { pid: number; socket: string }) => void }): Promise<DaemonRunResult> {
  const { files } = deps;
  const { clock } = deps.syncDeps;
  const startedAt = clock.now();
  const claim = files.claim(startedAt, deps.version);
  const { logger } = deps;
  if (claim.replacedPid !== null) logger.warn('replaced a stale pid file left by a daemon that is gone', { stalePid: claim.replacedPid });
  logger.info('daemon starting', { pid: process.pid, version: deps.version, home: deps.home.root, pollIntervalMs: current(deps.pollIntervalMs) });

  const shutdown = new AbortController();
  const onExternal = () => shutdown.abort();
  if (options.signal.aborted) shutdown.abort();
  options.signal.addEventListener('abort', onExternal, { once: true });
  let supervisor: Supervisor | undefined;
  let fatalError: Error | undefined;
  let api: ApiService | null = null;
  try {
    await recoverOnce({ ...deps.syncDeps, logger });
    const status = async (sync: SyncService): Promise<DaemonLiveStatus> => ({
      pid: process.pid,
      version: deps.version,
      home: deps.home.root,
      startedAt,
      uptimeMs: clock.now() - startedAt,
      logFile: files.logFile,
      mailboxes: await sync.mailboxes(),
      services: supervisor?.serviceStates() ?? [],
      api: api?.address() ?? null,
    });
    const built = daemonServices({
      syncDeps: { ...deps.syncDeps, signal: shutdown.signal },
      pollIntervalMs: deps.pollIntervalMs,
      controlChannel: files.controlChannel,
      logger,
      status,
      requestShutdown: () => shutdown.abort(),
      config: deps.config,
      extraServices: deps.extraServices,
      push: deps.push,
      onSynced: deps.onSynced,
      api: deps.api,
      fatal: deps.fatal,
      share: deps.share,
      onListening: () => {
        logger.info('daemon ready', { pid: process.pid, socket: files.socket });
        options.onReady?.({ pid: process.pid, socket: files.socket });
      },
    });
    api = built.api;
    supervisor = new Supervisor({
      services: built.services,
      signal: shutdown.signal,
      logger,
      clock,
      drainMs: deps.drainMs ?? 5_000,
      fatal: deps.fatal,
      onFatal: (error) => {
        fatalError ??= error;
        shutdown.abort();
      },
    });
    const { unfinished } = await supervisor.run();
    const releasedLeases = await deps.syncDeps.leases.releaseOwn();
    if (releasedLeases.length > 0) logger.info('released leases', { mailboxes: releasedLeases });
    logger.info('daemon stopped', { pid: process.pid, uptimeMs: clock.now() - startedAt });
    if (fatalError) throw fatalError;
    return { pid: process.pid, uptimeMs: clock.now() - startedAt, releasedLeases, unfinished };
  } finally {
    options.signal.removeEventListener('abort', onExternal);
    files.release();
  }
}
