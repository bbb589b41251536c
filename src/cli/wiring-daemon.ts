/**
 * Composition root for the daemon and the commands that talk to it: builds `daemon run`'s
 * dependencies, and gives commands the daemon client helpers (status, nudges, sync through the
 * daemon) without importing adapters themselves.
 */
import os from 'node:os';
import type { CliContext } from './context.js';
import { formatLogEntry, type LogEntry, type Logger } from '../core/log-entry.js';
import type { DaemonSettingState } from '../core/settings.js';
import type { DaemonDeps, DaemonFiles } from '../daemon/run-daemon.js';
import { claimPidFile, releasePidFile } from '../adapters/system/pid-file.js';
import { unixSocketChannel } from '../adapters/system/control-socket.js';
import { daemonClient, daemonPaths, runningDaemon, type DaemonClient } from '../adapters/system/daemon-client.js';
import { followLog, openJsonLog, readLogTail } from '../adapters/system/json-log.js';
import { daemonStatus, liveStatus, startDaemon, stopDaemon } from '../app/daemon-control.js';
import { endpointsSummary } from '../app/endpoint-queries.js';
import type { DaemonProcesses } from '../app/ports/daemon-processes.js';
import { systemClock } from '../adapters/system/clock.js';
import { fileLeases } from '../adapters/system/lease.js';
import { systemDaemonProcesses } from '../adapters/system/daemon-process.js';
import { statusReport, type StatusReport } from '../app/status-report.js';
import type { SyncResults } from '../app/sync-failure.js';
import type { SyncDeps, SyncProgress } from '../app/sync-mailbox.js';
import { MailmonError } from '../core/errors.js';
import { translateSqliteError } from '../adapters/sqlite/sqlite-errors.js';
import { hasCode } from '../core/errors.js';

export async function daemonRunDeps(ctx: CliContext, options: { detached: boolean; version: string }): Promise<DaemonDeps> {
  const paths = daemonPaths(ctx.home);
  const logger = openJsonLog({ file: paths.logFile, echo: options.detached ? undefined : (entry) => process.stderr.write(`${formatLogEntry(entry)}\n`) });
  // Loaded here only: status/sync import this module and must stay light.
  const { deliveryService, live, retentionService } = await import('./wiring-webhooks.js');
  const [{ createMetrics }, { apiServiceFor }] = await Promise.all([import('../api/metrics.js'), import('./wiring-api.js')]);
  const metrics = createMetrics({ storage: await ctx.storage(), clock: systemClock });
  const { logDeliveryAttempt } = await import('../daemon/delivery-service.js');
  const { trace } = await import('../adapters/system/debug-log.js');
  const traceDelivery = trace('delivery');
  const delivery = await deliveryService(ctx, {
    metrics: metrics.hooks,
    onAttempt: (record) => logDeliveryAttempt({ logger, trace: traceDelivery }, record, systemClock.now()),
    onError: (error) => logger.error('delivery worker error', { error: (error as Error)?.message ?? String(error) }),
  });
  const retention = await retentionService(ctx, { onError: (error) => logger.error('retention failed', { error: String(error) }) });
  const { pushConfig } = await import('./wiring-push.js');
  const push = await pushConfig(ctx);
  // The API writes on this process's connection too (endpoints, retries): wake the worker.
  const api = apiServiceFor(ctx, { logger, metrics, onDeliveriesChanged: () => delivery.service.wake() });
  const { syncDeps } = await import('./wiring.js');
  const sync = await syncDeps(ctx, { metrics: metrics.hooks });
  const share = ctx.selected.kind === 'postgres' ? await daemonShare(ctx, sync, logger) : undefined;
  return {
    ...(push ? { push } : {}),
    ...(api ? { api } : {}),
    ...(share ? { share: { keeper: share.keeper, heartbeatMs: share.heartbeatMs } } : {}),
    home: ctx.home, files: daemonFiles(ctx.home), version: options.version, syncDeps: share ? { ...sync, leases: share.keeper.leases, leaseStaleMs: share.staleMs } : sync, logger, extraServices: [delivery.service, retention],
    // The daemon reloads ctx.config when its file changes; live settings are read through it at each use.
    config: ctx.config,
    pollIntervalMs: live(() => ctx.config.durationMs('poll-interval')),
    // A corrupt store is never retried into: SQLite's error is translated (which marks the store) and the daemon stops.
    fatal: (error) => {
      const translated = translateSqliteError(error, ctx.home.store);
      return hasCode(translated, 'store_corrupt') ? (translated as Error) : undefined;
    },
  };
}

/**
 * On a shared PostgreSQL store the daemon holds the leases of its fair share across polls.
 * The lease expiry (MAILMON_LEASE_TTL_MS, default 30 s) is also the liveness period of a daemon's
 * heartbeat; both are renewed three times per period.
 */
async function daemonShare(ctx: CliContext, sync: SyncDeps, logger: Logger) {
  const { MailboxShare } = await import('../app/mailbox-share.js');
  const staleMs = ctx.leaseTtlMs;
  const storage = await ctx.storage();
  const [host, pid] = [os.hostname(), process.pid];
  const keeper = new MailboxShare({ mailboxes: storage.mailboxes, daemons: storage.daemons, leases: sync.leases, clock: sync.clock }, { member: { holderId: ctx.holderId, host, pid, startedAt: Date.now() }, livenessMs: staleMs, staleMs, onHold: (hold) => logger.debug('lease hold', { ...hold, holderId: ctx.holderId }) });
  return { keeper, staleMs, heartbeatMs: Math.max(50, Math.floor(staleMs / 3)) };
}

/** The daemon's socket, log and pid file under the home's run/ and logs/ directories. */
export function daemonFiles(home: CliContext['home']): DaemonFiles {
  const paths = daemonPaths(home);
  return {
    socket: paths.socket,
    controlChannel: unixSocketChannel(paths.socket),
    logFile: paths.logFile,
    claim: (startedAt, version) => ({ replacedPid: claimPidFile(paths.pidFile, { pid: process.pid, startedAt, version }).replaced?.pid ?? null }),
    release: () => releasePidFile(paths.pidFile),
  };
}


/** The daemon of this home as a process: spawned as `node bin/run.js daemon run --detached`. */
function daemonProcesses(ctx: CliContext): DaemonProcesses {
  // An explicit MAILMON_HOME is passed on absolute, so the detached daemon's home cannot depend on a cwd.
  const env = ctx.env.MAILMON_HOME ? { ...ctx.env, MAILMON_HOME: ctx.home.root } : ctx.env;
  return systemDaemonProcesses(ctx.home, { execPath: process.execPath, cliPath: process.argv[1], env });
}

export function startDaemonFor(ctx: CliContext) {
  return startDaemon({ processes: daemonProcesses(ctx), clock: systemClock });
}

export function stopDaemonFor(ctx: CliContext, timeoutMs: number) {
  // Stopping never takes a lease: the store opens only if something bumps an epoch.
  const homeLeases = fileLeases({ leasesDir: ctx.home.leases, mailboxes: { bumpLeaseEpoch: async (id) => (await ctx.storage()).mailboxes.bumpLeaseEpoch(id) } });
  return stopDaemon({ processes: daemonProcesses(ctx), clock: systemClock, leases: homeLeases }, { timeoutMs });
}

export async function daemonStatusFor(ctx: CliContext) {
  return daemonStatus({ processes: daemonProcesses(ctx), storage: await ctx.storage(), homeName: ctx.home.root, holders: await holdersFor(ctx) });
}

export function daemonLogTail(ctx: CliContext, lines: number): { file: string; entries: LogEntry[] } {
  const file = daemonPaths(ctx.home).logFile;
  return { file, entries: readLogTail(file, lines) };
}

export function followDaemonLog(ctx: CliContext, onEntry: (entry: LogEntry) => void, signal: AbortSignal): Promise<void> {
  return followLog(daemonPaths(ctx.home).logFile, onEntry, signal);
}

export { nudgeDaemon } from './daemon-nudge.js';

export type DaemonConfigOutcome = { pid: number; state: DaemonSettingState } | { pid: number; error: string };

/** After `config set|unset`: a running daemon reloads now and says how it holds `key`. null when no daemon runs. */
export async function reloadDaemonConfig(ctx: CliContext, key: string): Promise<DaemonConfigOutcome | null> {
  const daemon = runningDaemonClient(ctx);
  if (!daemon) return null;
  try {
    return { pid: daemon.pid, state: await daemon.client.reloadConfig(key) };
  } catch (error) {
    return { pid: daemon.pid, error: (error as Error).message };
  }
}

/** The running daemon's pid and client, or null when none runs for this home. */
export function runningDaemonClient(ctx: CliContext): { pid: number; client: DaemonClient } | null {
  const record = runningDaemon(ctx.home);
  return record ? { pid: record.pid, client: daemonClient(ctx.home) } : null;
}

export interface DaemonSyncWatch {
  /** Called every `pollMs` with each full sync the daemon runs for the asked mailbox(es) (its own loop's included). */
  onProgress?: (progress: SyncProgress, startedAt: number) => void;
  /** Ctrl-C: stop waiting (the daemon carries on). */
  signal?: AbortSignal;
  pollMs?: number;
}

/**
 * `mailmon sync` with a daemon running: the daemon syncs (no lease contest) and returns the same
 * summaries; meanwhile the daemon's progress is polled and shown. null when no daemon runs.
 */
export async function syncThroughDaemon(ctx: CliContext, request: { mailbox?: string; full?: boolean; emitBackfill?: boolean }, watch: DaemonSyncWatch = {}): Promise<{ pid: number; outcome: SyncResults } | null> {
  const daemon = runningDaemonClient(ctx);
  if (!daemon) return null;
  const wanted = (mailbox: { mailboxId: string; emailAddress: string }) => request.mailbox === undefined || request.mailbox === mailbox.mailboxId || request.mailbox.toLowerCase() === mailbox.emailAddress.toLowerCase();
  const shown = new Map<string, { progress: SyncProgress; startedAt: number }>();
  const poll = async () => {
    const status = await daemon.client.status().catch(() => null);
    for (const mailbox of status?.mailboxes ?? []) {
      const progress = mailbox.progress;
      if (!progress || !wanted(mailbox)) continue;
      const update: SyncProgress = { mailboxId: mailbox.mailboxId, emailAddress: mailbox.emailAddress, kind: progress.kind as SyncProgress['kind'], phase: progress.phase as SyncProgress['phase'], processed: progress.processed, total: progress.total };
      shown.set(mailbox.mailboxId, { progress: update, startedAt: progress.startedAt });
      watch.onProgress?.(update, progress.startedAt);
    }
  };
  const timer = watch.onProgress ? setInterval(() => void poll(), watch.pollMs ?? 500) : undefined;
  const interrupted = new MailmonError('interrupted', `Stopped waiting; the daemon (pid ${daemon.pid}) carries on with the sync.`, { hint: '"mailmon status" shows its progress; "mailmon sync" again waits for it.' });
  try {
    const outcome = (await daemon.client.sync({ ...request, wait: true }, undefined, watch.signal)) as SyncResults;
    // The sync ended between two polls: its last frame is the finished one, not the last poll.
    for (const { progress, startedAt } of shown.values()) {
      if (!outcome.failures.some((failure) => failure.mailboxId === progress.mailboxId)) watch.onProgress?.({ ...progress, phase: 'committing', processed: Math.max(progress.processed, progress.total), total: Math.max(progress.processed, progress.total) }, startedAt);
    }
    return { pid: daemon.pid, outcome };
  } catch (error) {
    throw watch.signal?.aborted ? interrupted : error;
  } finally {
    clearInterval(timer);
  }
}

export async function statusReportFor(ctx: CliContext): Promise<StatusReport> {
  const leased = new Set((await (await ctx.leases()).list()).map((lease) => lease.mailboxId));
  const storage = await ctx.storage();
  const holders = await holdersFor(ctx);
  return statusReport({ storage, endpoints: await endpointsSummary(storage), daemon: await liveStatus(daemonProcesses(ctx)), now: Date.now(), isLeased: (id) => leased.has(id), holders });
}

/** Who holds each mailbox's lease (host, pid), through the Leases and Daemons ports. */
async function holdersFor(ctx: CliContext) {
  const { leaseHolders } = await import('../app/lease-holders.js');
  return leaseHolders({ leases: await ctx.leases(), daemons: (await ctx.storage()).daemons });
}

export async function installDaemonService(ctx: CliContext) {
  const { installServiceUnit } = await import('../adapters/system/service-unit.js');
  return installServiceUnit({ platform: process.platform, homeDir: os.homedir(), execPath: process.execPath, cliPath: process.argv[1], mailmonHome: ctx.env.MAILMON_HOME ? ctx.home.root : null });
}

export async function uninstallDaemonService() {
  const { uninstallServiceUnit } = await import('../adapters/system/service-unit.js');
  return uninstallServiceUnit({ platform: process.platform, homeDir: os.homedir() });
}
