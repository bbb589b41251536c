/**
 * `daemon start | stop | status`: managing the background daemon of one MAILMON_HOME.
 * - start: refuse when one runs; spawn `daemon run` detached; return once it answers on its
 *   control socket, or fail with what it died of (its stderr, else the errors at the end of its log).
 * - stop: SIGTERM, wait, escalate to SIGKILL after a timeout; a stale pid file is cleaned up.
 * - status: live state over the control channel when it runs, else what the store knows.
 */
import type { MailboxHolder } from '../core/lease-holders.js';
import { daemonAlreadyRunning, type DaemonLiveStatus } from '../core/daemon-status.js';
import { MailmonError } from '../core/errors.js';
import type { Clock } from './ports/clock.js';
import type { DaemonProcesses, SpawnedDaemon } from './ports/daemon-processes.js';
import type { Leases } from './ports/leases.js';
import type { Storage } from './ports/storage.js';

export interface DaemonControlDeps {
  processes: DaemonProcesses;
  clock: Clock;
  /** Stopping cleans up the leases of a daemon that could not release them itself. */
  leases: Pick<Leases, 'list' | 'removeDead'>;
}

export interface StartDaemonResult {
  /** True when a daemon already served this home: nothing was started (like `systemctl start`). */
  alreadyRunning: boolean;
  pid: number;
  socket: string;
  logFile: string;
  replacedStalePid: number | null;
  startMs: number;
}

export async function startDaemon(deps: Omit<DaemonControlDeps, 'leases'>, options: { readyTimeoutMs?: number } = {}): Promise<StartDaemonResult> {
  const { processes, clock } = deps;
  const result = (pid: number, fields: Partial<StartDaemonResult> = {}): StartDaemonResult => ({ alreadyRunning: true, pid, socket: processes.socket, logFile: processes.logFile, replacedStalePid: null, startMs: 0, ...fields });
  const running = await processes.running();
  if (running) {
    // The pid is alive and the socket file exists; only a refused connection proves no daemon
    // serves it (the pid was reused after a crash): then the files are stale and are replaced.
    const refused = await processes.control().ping(2_000).then(() => false, (error: MailmonError) => error.code === 'daemon_not_running');
    if (!refused) return result(running.pid);
  }
  const stale = await processes.pidRecord();
  if (running) await processes.removeRunFiles();
  const started = clock.now();
  const child = await processes.spawn();
  const ready = await waitUntilReady(deps, child, started, options.readyTimeoutMs ?? 20_000);
  const startMs = clock.now() - started;
  // Another daemon answered: we lost a start race, and it runs, which is what was asked.
  if (ready.pid !== child.pid) return result(ready.pid, { startMs });
  return result(child.pid, { alreadyRunning: false, replacedStalePid: stale && stale.pid !== child.pid ? stale.pid : null, startMs });
}

/** Polls the control channel until a daemon answers; the pid of the one that did. */
async function waitUntilReady(deps: Omit<DaemonControlDeps, 'leases'>, child: SpawnedDaemon, started: number, timeoutMs: number): Promise<{ pid: number }> {
  const { processes, clock } = deps;
  const client = processes.control();
  for (;;) {
    if (child.exited()) {
      const error = await diedOnStart(processes, child.exitCode(), started);
      if (error.code === 'daemon_running') return { pid: Number(error.details?.pid ?? 0) };
      throw error;
    }
    try {
      return { pid: (await client.ping(1_000)).pid };
    } catch {
      // not answering yet
    }
    if (clock.now() > started + timeoutMs) {
      await processes.signal(child.pid, 'SIGTERM');
      throw new MailmonError('daemon_failed', `The daemon (pid ${child.pid}) did not become ready within ${Math.round(timeoutMs / 1000)}s.`, { hint: `See its log: mailmon daemon logs (${processes.logFile}).` });
    }
    await clock.sleep(50);
  }
}

async function diedOnStart(processes: DaemonProcesses, exitCode: number | null, since: number): Promise<MailmonError> {
  const { stderr, loggedErrors } = await processes.startFailure(since);
  if (exitCode === 7 && /already running/i.test(stderr)) return daemonAlreadyRunning(Number(/pid (\d+)/.exec(stderr)?.[1] ?? 0));
  const reason = stderr || loggedErrors.join('\n') || 'no error was recorded';
  return new MailmonError('daemon_failed', `The daemon exited during start (code ${exitCode ?? '?'}):\n${reason.split('\n').map((line) => `  ${line}`).join('\n')}`, {
    hint: `Fix the cause above, or run it in the foreground to see more: mailmon daemon run. Log: ${processes.logFile}`,
  });
}

export interface StopDaemonResult {
  wasRunning: boolean;
  pid: number | null;
  forced: boolean;
  stopMs: number;
  removedStalePidFile: boolean;
  leasesLeft: number;
}

export async function stopDaemon(deps: DaemonControlDeps, options: { timeoutMs?: number } = {}): Promise<StopDaemonResult> {
  const { processes, clock } = deps;
  const started = clock.now();
  // The pid file alone decides (the socket may not exist yet while the daemon is starting).
  const record = await processes.alive();
  if (!record) {
    const stale = await processes.removeRunFiles();
    await deps.leases.removeDead();
    return { wasRunning: false, pid: null, forced: false, stopMs: 0, removedStalePidFile: stale, leasesLeft: (await deps.leases.list()).length };
  }
  await processes.signal(record.pid, 'SIGTERM');
  let forced = false;
  if (!(await processes.waitForExit(record.pid, options.timeoutMs ?? 10_000))) {
    forced = true;
    await processes.signal(record.pid, 'SIGKILL');
    if (!(await processes.waitForExit(record.pid, 5_000))) {
      throw new MailmonError('daemon_failed', `The daemon (pid ${record.pid}) did not exit even after SIGKILL.`, { hint: 'Check the process with "ps", and the log with "mailmon daemon logs".' });
    }
  }
  if (forced) {
    // A killed daemon cannot clean up after itself.
    await processes.removeRunFiles();
    await deps.leases.removeDead();
  }
  return { wasRunning: true, pid: record.pid, forced, stopMs: clock.now() - started, removedStalePidFile: false, leasesLeft: (await deps.leases.list()).length };
}

export interface DaemonStatusResult {
  running: boolean;
  pid: number | null;
  uptimeMs: number | null;
  version: string | null;
  home: string;
  logFile: string;
  socket: string;
  stalePidFile: boolean;
  mailboxes: Array<{ id: string; mailboxId: string; emailAddress: string; status: string; lastSyncAt: number | null; lastSuccessAt: number | null; lastError: string | null; holder: MailboxHolder | null }>;
  services: DaemonLiveStatus['services'];
  /** The HTTP API the running daemon serves: its base URL (null when off or no daemon runs). */
  api: DaemonLiveStatus['api'];
}

export async function daemonStatus(deps: { processes: DaemonProcesses; storage: Pick<Storage, 'mailboxes'>; homeName: string; holders?: ReadonlyMap<string, MailboxHolder> }): Promise<DaemonStatusResult> {
  const { processes } = deps;
  const live = await liveStatus(processes);
  const rows = await deps.storage.mailboxes.list();
  const liveById = new Map((live?.mailboxes ?? []).map((mailbox) => [mailbox.mailboxId, mailbox]));
  return {
    running: live !== null,
    pid: live?.pid ?? null,
    uptimeMs: live?.uptimeMs ?? null,
    version: live?.version ?? null,
    home: deps.homeName,
    logFile: processes.logFile,
    socket: processes.socket,
    stalePidFile: live === null && (await processes.hasPidFile()),
    mailboxes: rows.map((row) => {
      const state = liveById.get(row.id);
      return { id: row.id, mailboxId: row.id, emailAddress: row.emailAddress, status: row.status, lastSyncAt: state?.lastSyncAt ?? row.lastSyncAt, lastSuccessAt: state?.lastSuccessAt ?? row.lastSuccessAt, lastError: state ? state.lastError : row.lastError, holder: deps.holders?.get(row.id) ?? null };
    }),
    services: live?.services ?? [],
    api: live?.api ?? null,
  };
}

/** The daemon's live status, or null when none runs (or it does not answer quickly). */
export async function liveStatus(processes: DaemonProcesses): Promise<DaemonLiveStatus | null> {
  if (!(await processes.running())) return null;
  try {
    return await processes.control().status();
  } catch {
    return null;
  }
}
