/**
 * The daemon's log file: JSON lines appended synchronously (a crash never loses a written line),
 * size-rotated (daemon.log → daemon.log.1 → … → daemon.log.N, the oldest dropped), files 0600.
 * Optionally echoes each entry to a second sink (the human rendering on stderr for `daemon run`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { logEntry, parseLogLine, type LogEntry, type LogLevel, type Logger } from '../../core/log-entry.js';

export interface JsonLogOptions {
  file: string;
  maxBytes?: number;
  keep?: number;
  echo?: (entry: LogEntry) => void;
  now?: () => number;
}

export const DEFAULT_LOG_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_LOG_KEEP = 3;

export function openJsonLog(options: JsonLogOptions): Logger {
  const maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
  const keep = options.keep ?? DEFAULT_LOG_KEEP;
  const now = options.now ?? Date.now;
  fs.mkdirSync(path.dirname(options.file), { recursive: true, mode: 0o700 });
  let size = fileSize(options.file);
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    const entry = logEntry(level, msg, fields, now());
    const line = `${JSON.stringify(entry, errorReplacer)}\n`;
    try {
      if (size > 0 && size + line.length > maxBytes) {
        rotate(options.file, keep);
        size = 0;
      }
      fs.appendFileSync(options.file, line, { mode: 0o600 });
      size += Buffer.byteLength(line);
    } catch {
      // A full disk must not take the daemon down; the echo still shows the line.
    }
    options.echo?.(entry);
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { message: value.message, ...('code' in value ? { code: (value as { code: unknown }).code } : {}) };
  return value;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function rotate(file: string, keep: number): void {
  fs.rmSync(`${file}.${keep}`, { force: true });
  for (let index = keep - 1; index >= 1; index--) {
    if (fs.existsSync(`${file}.${index}`)) fs.renameSync(`${file}.${index}`, `${file}.${index + 1}`);
  }
  if (keep >= 1) fs.renameSync(file, `${file}.1`);
  else fs.rmSync(file, { force: true });
}

/** The last `lines` entries of the log (reading the rotated file too when the current one is short). */
export function readLogTail(file: string, lines: number): LogEntry[] {
  const collected: string[] = [];
  for (const candidate of [file, `${file}.1`]) {
    let text: string;
    try {
      text = fs.readFileSync(candidate, 'utf8');
    } catch {
      continue;
    }
    collected.unshift(...text.split('\n').filter((line) => line.trim() !== ''));
    if (collected.length >= lines) break;
  }
  return collected.slice(-lines).map(parseLogLine).filter((entry): entry is LogEntry => entry !== null);
}

/** Follows the log like `tail -f` (survives rotation) until the signal aborts. */
export async function followLog(file: string, onEntry: (entry: LogEntry) => void, signal: AbortSignal, pollMs = 200): Promise<void> {
  let offset = fileSize(file);
  let partial = '';
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, pollMs);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
    const size = fileSize(file);
    if (size < offset) offset = 0; // rotated: start the new file from the top
    if (size === offset) continue;
    const handle = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(size - offset);
      fs.readSync(handle, buffer, 0, buffer.length, offset);
      offset = size;
      const text = partial + buffer.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const entry = parseLogLine(line);
        if (entry) onEntry(entry);
      }
    } finally {
      fs.closeSync(handle);
    }
  }
}
