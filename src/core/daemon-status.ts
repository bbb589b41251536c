/** The daemon's live state as the control channel reports it (`ping`/`status`), shared by both ends. */
import { MailmonError } from './errors.js';

export interface MailboxLiveState {
  mailboxId: string;
  emailAddress: string;
  lastSyncAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  lastSummary: { kind: string; created: number; updated: number; deleted: number; events: number; durationMs: number } | null;
  nextRetryInMs: number | null;
  /** The sync running now (null when none): what `status` and a waiting `mailmon sync` show. */
  progress?: LiveSyncProgress | null;
}

export interface LiveSyncProgress {
  kind: string;
  phase: string;
  processed: number;
  total: number;
  /** When the daemon first saw this sync's progress, and how far it was then (rate and ETA count from there). */
  startedAt: number;
  processedAtStart: number;
}

export interface ServiceLiveState {
  id: string;
  state: 'starting' | 'running' | 'restarting' | 'stopped';
  restarts: number;
  lastError: string | null;
}

export interface DaemonLiveStatus {
  pid: number;
  version: string;
  home: string;
  startedAt: number;
  uptimeMs: number;
  logFile: string;
  mailboxes: MailboxLiveState[];
  services: ServiceLiveState[];
  /** Gmail push, when configured: the one pull loop's health. */
  push?: PushLiveState;
  /** The HTTP API this daemon serves (null: off, or not listening yet). */
  api?: ApiLiveState | null;
}

export interface ApiLiveState {
  url: string;
  host: string;
  port: number;
}

export interface PushLiveState {
  subscription: string;
  /** starting: no pull answered yet; ok: the last pull worked; failing: it did not (mailboxes are polled at the normal interval). */
  pull: 'starting' | 'ok' | 'failing';
  lastError: string | null;
  lastPullAt: number | null;
}

export function formatUptime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** The error of a second daemon for one home. */
export function daemonAlreadyRunning(pid: number): MailmonError {
  return new MailmonError('daemon_running', `A mailmon daemon is already running for this home (pid ${pid}).`, {
    hint: 'Use "mailmon daemon status" to inspect it, or "mailmon daemon stop" to stop it.',
    details: { pid },
  });
}

/** The JSON body of a failed control request: a MailmonError's code, message and hint; anything else is `internal`. */
export function errorBody(error: unknown): { code: string; message: string; hint?: string } {
  const value = error as { code?: unknown; message?: unknown; hint?: unknown; isMailmonError?: boolean };
  return {
    code: value?.isMailmonError && typeof value.code === 'string' ? value.code : 'internal',
    message: typeof value?.message === 'string' ? value.message : String(error),
    ...(typeof value?.hint === 'string' ? { hint: value.hint } : {}),
  };
}
