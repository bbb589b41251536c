/**
 * The CLI side of the control channel: where the daemon's files live for a home, whether a daemon
 * runs, and a small typed client (`ping`, `status`, `sync`, `shutdown`, `reloadConfig`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DaemonLiveStatus } from '../../core/daemon-status.js';
import type { DaemonSettingState } from '../../core/settings.js';
import type { SyncResults } from '../../app/sync-failure.js';
import { controlRequest } from './control-socket.js';
import { liveDaemon, type PidRecord } from './pid-file.js';

export interface DaemonPaths {
  pidFile: string;
  socket: string;
  logFile: string;
  /** Where a detached daemon's stderr goes: errors from before its JSON log was open. */
  stderrFile: string;
  leases: string;
}

/** `home` is MAILMON_HOME's root (or a HomeLayout with root/run/logs/leases). */
export function daemonPaths(home: string | { root: string; run?: string; logs?: string; leases?: string }): DaemonPaths {
  const root = typeof home === 'string' ? home : home.root;
  const run = (typeof home === 'object' && home.run) || path.join(root, 'run');
  const logs = (typeof home === 'object' && home.logs) || path.join(root, 'logs');
  return {
    pidFile: path.join(run, 'daemon.pid'),
    socket: path.join(run, 'daemon.sock'),
    logFile: path.join(logs, 'daemon.log'),
    stderrFile: path.join(logs, 'daemon.stderr.log'),
    leases: (typeof home === 'object' && home.leases) || path.join(root, 'leases'),
  };
}

export interface SyncRequest {
  mailbox?: string;
  full?: boolean;
  /** On an initial sync, emit message.created for existing messages (as `sync --emit-backfill`). */
  emitBackfill?: boolean;
  /** Wait for the sync to finish and return its summary. */
  wait?: boolean;
}

export interface DaemonClient {
  ping(timeoutMs?: number): Promise<{ ok: true; pid: number; version: string }>;
  status(): Promise<DaemonLiveStatus>;
  sync(request: SyncRequest, timeoutMs?: number, signal?: AbortSignal): Promise<SyncResults | { nudged: string[] }>;
  shutdown(): Promise<{ ok: true }>;
  /** Reload the config file now; answers how the daemon holds `key` (see daemon/config-service). */
  reloadConfig(key: string): Promise<DaemonSettingState>;
}

export function daemonClient(home: Parameters<typeof daemonPaths>[0]): DaemonClient {
  const { socket } = daemonPaths(home);
  return {
    ping: (timeoutMs = 2_000) => controlRequest(socket, 'GET', '/ping', undefined, timeoutMs),
    status: () => controlRequest(socket, 'GET', '/status'),
    sync: (request, timeoutMs = 10 * 60_000, signal) => controlRequest(socket, 'POST', '/sync', request, request.wait ? timeoutMs : 5_000, signal),
    shutdown: () => controlRequest(socket, 'POST', '/shutdown'),
    reloadConfig: (key) => controlRequest(socket, 'POST', '/config/reload', { key }, 5_000),
  };
}

/** The live daemon's pid record when one runs for this home (pid file names a live process and its socket exists). */
export function runningDaemon(home: Parameters<typeof daemonPaths>[0]): PidRecord | null {
  const paths = daemonPaths(home);
  const record = liveDaemon(paths.pidFile);
  return record && fs.existsSync(paths.socket) ? record : null;
}

export function isDaemonRunning(home: Parameters<typeof daemonPaths>[0]): boolean {
  return runningDaemon(home) !== null;
}
