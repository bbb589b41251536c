/**
 * The daemon's structured log: one JSON object per line (time, level, message, fields), and its
 * human rendering for `daemon run` on a terminal and `daemon logs`. Pure: the writer lives in
 * src/adapters/system/json-log.ts.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  time: string;
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function logEntry(level: LogLevel, msg: string, fields: Record<string, unknown> | undefined, now: number): LogEntry {
  return { time: new Date(now).toISOString(), level, msg, ...fields };
}

/** Parses one log line; a line that is not a log entry is kept as an info message (never lost). */
export function parseLogLine(line: string): LogEntry | null {
  if (line.trim() === '') return null;
  try {
    const value = JSON.parse(line) as Partial<LogEntry>;
    if (typeof value === 'object' && value !== null && typeof value.msg === 'string') return { time: String(value.time ?? ''), level: (value.level ?? 'info') as LogLevel, ...value, msg: value.msg };
  } catch {
    // fall through
  }
  return { time: '', level: 'info', msg: line };
}

/** `2026-11-22 05:50:01 WARN  sync failed  mailbox=dev@… retryInMs=5000` */
export function formatLogEntry(entry: LogEntry): string {
  const { time, level, msg, ...fields } = entry;
  const when = time ? time.replace('T', ' ').replace(/\.\d+Z$/, '') : '';
  const rest = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? (/\s/.test(value) ? JSON.stringify(value) : value) : JSON.stringify(value)}`)
    .join(' ');
  return [when, level.toUpperCase().padEnd(5), msg, rest].filter((part) => part !== '').join('  ');
}
