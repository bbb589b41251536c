/**
 * The background daemon of one home, as `daemon start | stop | status` manage it: its pid file,
 * the process (spawn detached, signal, wait for exit), what it left behind when it died on start,
 * and a client of its control channel.
 */
import type { DaemonLiveStatus } from '../../core/daemon-status.js';

export interface DaemonRecord {
  pid: number;
  hostname: string;
  startedAt: number;
  version: string;
}

export interface SpawnedDaemon {
  pid: number;
  /** The exit code once the child has exited (null while it runs). */
  exitCode(): number | null;
  exited(): boolean;
}

export interface DaemonControl {
  /** daemon_not_running when nothing listens. */
  ping(timeoutMs?: number): Promise<{ pid: number; version: string }>;
  status(): Promise<DaemonLiveStatus>;
}

/** What a daemon that died during start left behind. */
export interface StartFailure {
  /** The tail of its stderr ('' when it wrote none). */
  stderr: string;
  /** Its log's error entries from `since` on, formatted. */
  loggedErrors: string[];
}

export interface DaemonProcesses {
  /** Where the daemon logs and listens, as shown to the user. */
  readonly logFile: string;
  readonly socket: string;
  hasPidFile(): Promise<boolean>;
  /** The pid file's record, whether or not its process lives. */
  pidRecord(): Promise<DaemonRecord | null>;
  /** The record when the pid file names a live process (the socket may not exist yet). */
  alive(): Promise<DaemonRecord | null>;
  /** The record when the pid file names a live process and its socket exists. */
  running(): Promise<DaemonRecord | null>;
  /** Removes the pid file and the socket (a daemon that is gone cannot); true when a pid file was there. */
  removeRunFiles(): Promise<boolean>;
  /** Starts `daemon run --detached` in its own session, its stderr kept for startFailure. */
  spawn(): Promise<SpawnedDaemon>;
  /** false when no such process. */
  signal(pid: number, signal: 'SIGTERM' | 'SIGKILL'): Promise<boolean>;
  /** true once the pid is gone, false after `timeoutMs`. */
  waitForExit(pid: number, timeoutMs: number): Promise<boolean>;
  startFailure(since: number): Promise<StartFailure>;
  control(): DaemonControl;
}
