/**
 * `daemon start | stop | status`: managing the background daemon of one MAILMON_HOME.
 * - start: refuse when one runs; spawn `daemon run` detached; return once it answers on its
 *   control socket, or fail with what it died of (its stderr, else the errors at the end of its log).
 * - stop: SIGTERM, wait, escalate to SIGKILL after a timeout; a stale pid file is cleaned up.
 * - status: live state over the control channel when it runs, else what the store knows.
 */
import type { MailboxHolder } from '../core/lease-holders.js';
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { DaemonLiveStatus } from '../core/daemon-status.js';
import { MailmonError } from '../core/errors.js';
import { formatLogEntry } from '../core/log-entry.js';
import { daemonClient, daemonPaths, runningDaemon, type DaemonPaths } from '../adapters/system/daemon-client.js';
import { readTextTail, sendSignal, spawnDetachedDaemon, waitForExit } from '../adapters/system/daemon-process.js';
import { readLogTail } from '../adapters/system/json-log.js';
import { listLeases, removeDeadLeases } from '../adapters/system/lease.js';
import { alreadyRunning, liveDaemon, readPidFile } from '../adapters/system/pid-file.js';
import { MailboxRepository } from '../adapters/sqlite/mailbox-repository.js';

export interface DaemonHome {
  root: string;
  run: string;
  logs: string;
  leases: string;
}

export interface StartDaemonInput {
  home: DaemonHome;
  /** How to run the CLI: node and bin/run.js. */
  execPath: string;
  cliPath: string;
  env: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
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

export async function startDaemon(input: StartDaemonInput): Promise<StartDaemonResult> {
  const paths = daemonPaths(input.home);
  const running = runningDaemon(input.home);
  if (running) {
    // The pid is alive and the socket file exists; only a refused connection proves no daemon
    // serves it (the pid was reused after a crash): then the files are stale and are replaced.
    const refused = await daemonClient(input.home).ping(2_000).then(() => false, (error: MailmonError) => error.code === 'daemon_not_running');
    if (!refused) return { alreadyRunning: true, pid: running.pid, socket: paths.socket, logFile: paths.logFile, replacedStalePid: null, startMs: 0 };
  }
  const stale = readPidFile(paths.pidFile);
  if (running) {
    fs.rmSync(paths.pidFile, { force: true });
    fs.rmSync(paths.socket, { force: true });
  }
  const started = Date.now();
  const child = spawnDetachedDaemon({ execPath: input.execPath, args: [input.cliPath, 'daemon', 'run', '--detached'], env: input.env, stderrFile: paths.stderrFile });
  const client = daemonClient(input.home);
  const deadline = started + (input.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (child.exited()) {
      const error = diedOnStart(paths, child.exitCode(), started);
      // Lost a start race to another daemon: it runs, which is what was asked.
      if (error.code === 'daemon_running') return { alreadyRunning: true, pid: Number(error.details?.pid ?? 0), socket: paths.socket, logFile: paths.logFile, replacedStalePid: null, startMs: Date.now() - started };
      throw error;
    }
    try {
      const pong = await client.ping(1_000);
      if (pong.pid === child.pid) break;
      // Another daemon answered: we lost a start race (our child exits with "already running").
      return { alreadyRunning: true, pid: pong.pid, socket: paths.socket, logFile: paths.logFile, replacedStalePid: null, startMs: Date.now() - started };
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) {
      sendSignal(child.pid, 'SIGTERM');
      throw new MailmonError('daemon_failed', `The daemon (pid ${child.pid}) did not become ready within ${Math.round((deadline - started) / 1000)}s.`, { hint: `See its log: mailmon daemon logs (${paths.logFile}).` });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { alreadyRunning: false, pid: child.pid, socket: paths.socket, logFile: paths.logFile, replacedStalePid: stale && stale.pid !== child.pid ? stale.pid : null, startMs: Date.now() - started };
}

function diedOnStart(paths: DaemonPaths, exitCode: number | null, since: number): MailmonError {
  const stderr = readTextTail(paths.stderrFile).trim();
  if (exitCode === 7 && /already running/i.test(stderr)) {
    const pid = Number(/pid (\d+)/.exec(stderr)?.[1] ?? 0);
    return alreadyRunning({ pid, hostname: '', startedAt: 0, version: '' });
  }
  const logged = readLogTail(paths.logFile, 20).filter((entry) => Date.parse(entry.time) >= since - 1000 && entry.level === 'error').map(formatLogEntry);
  const reason = stderr || logged.join('\n') || 'no error was recorded';
  return new MailmonError('daemon_failed', `The daemon exited during start (code ${exitCode ?? '?'}):\n${reason.split('\n').map((line) => `  ${line}`).join('\n')}`, {
    hint: `Fix the cause above, or run it in the foreground to see more: mailmon daemon run. Log: ${paths.logFile}`,
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

export async function stopDaemon(input: { home: DaemonHome; timeoutMs?: number }): Promise<StopDaemonResult> {
  const paths = daemonPaths(input.home);
  const started = Date.now();
  // The pid file alone decides (the socket may not exist yet while the daemon is starting).
  const record = liveDaemon(paths.pidFile);
  if (!record) {
    const stale = fs.existsSync(paths.pidFile);
    if (stale) fs.rmSync(paths.pidFile, { force: true });
    fs.rmSync(paths.socket, { force: true });
    removeDeadLeases(input.home.leases);
    return { wasRunning: false, pid: null, forced: false, stopMs: 0, removedStalePidFile: stale, leasesLeft: countLeases(input.home.leases) };
  }
  sendSignal(record.pid, 'SIGTERM');
  let forced = false;
  if (!(await waitForExit(record.pid, input.timeoutMs ?? 10_000))) {
    forced = true;
    sendSignal(record.pid, 'SIGKILL');
    if (!(await waitForExit(record.pid, 5_000))) {
      throw new MailmonError('daemon_failed', `The daemon (pid ${record.pid}) did not exit even after SIGKILL.`, { hint: 'Check the process with "ps", and the log with "mailmon daemon logs".' });
    }
  }
  if (forced) {
    // A killed daemon cannot clean up after itself.
    fs.rmSync(paths.pidFile, { force: true });
    fs.rmSync(paths.socket, { force: true });
    removeDeadLeases(input.home.leases);
  }
  return { wasRunning: true, pid: record.pid, forced, stopMs: Date.now() - started, removedStalePidFile: false, leasesLeft: countLeases(input.home.leases) };
}

function countLeases(dir: string): number {
  return listLeases(dir).length;
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
}

export async function daemonStatus(input: { home: DaemonHome; sqlite: Database.Database; holders?: ReadonlyMap<string, MailboxHolder> }): Promise<DaemonStatusResult> {
  const paths = daemonPaths(input.home);
  const live = await liveStatus(input.home);
  const rows = new MailboxRepository(input.sqlite).list();
  const liveById = new Map((live?.mailboxes ?? []).map((mailbox) => [mailbox.mailboxId, mailbox]));
  return {
    running: live !== null,
    pid: live?.pid ?? null,
    uptimeMs: live?.uptimeMs ?? null,
    version: live?.version ?? null,
    home: input.home.root,
    logFile: paths.logFile,
    socket: paths.socket,
    stalePidFile: live === null && fs.existsSync(paths.pidFile),
    mailboxes: rows.map((row) => {
      const state = liveById.get(row.id);
      return { id: row.id, mailboxId: row.id, emailAddress: row.emailAddress, status: row.status, lastSyncAt: state?.lastSyncAt ?? row.lastSyncAt, lastSuccessAt: state?.lastSuccessAt ?? row.lastSuccessAt, lastError: state ? state.lastError : row.lastError, holder: input.holders?.get(row.id) ?? null };
    }),
    services: live?.services ?? [],
  };
}

/** The daemon's live status, or null when none runs (or it does not answer quickly). */
export async function liveStatus(home: DaemonHome): Promise<DaemonLiveStatus | null> {
  if (!runningDaemon(home)) return null;
  try {
    return await daemonClient(home).status();
  } catch {
    return null;
  }
}
