/**
 * Wakes readers of the event log when new events may have been committed: by this process
 * (`notify()`), or by another process (the daemon, a `mailmon sync`), detected by a cheap poll of
 * SQLite's `PRAGMA data_version`, which changes only when another connection commits. Polling
 * runs only while someone waits, every few milliseconds, so commit → wake-up stays well under
 * 50 ms without reading the log itself.
 */
import type Database from 'better-sqlite3';
import type { EventFilter, StoredEvent } from './event-log.js';
import { EventLog } from './event-log.js';

export class LogWatcher {
  private readonly waiters = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private lastVersion: number;
  private readonly versionStatement: Database.Statement;

  constructor(sqlite: Database.Database, private readonly intervalMs = 5) {
    this.versionStatement = sqlite.prepare('pragma data_version');
    this.versionStatement.pluck();
    this.lastVersion = this.version();
  }

  private version(): number {
    return this.versionStatement.get() as number;
  }

  notify(): void {
    for (const resolve of [...this.waiters]) resolve();
  }

  waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timeout);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        if (this.waiters.size === 0 && this.timer) {
          clearInterval(this.timer);
          this.timer = undefined;
        }
        resolve();
      };
      const timeout = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      if (signal?.aborted) return done();
      this.waiters.add(done);
      this.timer ??= setInterval(() => {
        const version = this.version();
        if (version !== this.lastVersion) {
          this.lastVersion = version;
          this.notify();
        }
      }, this.intervalMs);
    });
  }
}

/** A filtered, consistent view of the log for forwarders: never skips an event committed late. */
export function logEventSource(sqlite: Database.Database, watcher: LogWatcher, filter: EventFilter = {}) {
  const log = new EventLog(sqlite);
  return {
    read(afterSequence: number, limit: number): { events: StoredEvent[]; scannedTo: number } {
      // Read the head first: every sequence at or below it is committed (sequences are assigned
      // inside serialized write transactions), so nothing between can appear later.
      const head = log.maxSequence();
      const events = log.readAfter(afterSequence, limit, { ...filter, maxSequence: head });
      return { events, scannedTo: events.length === limit ? events[events.length - 1].sequence : head };
    },
    waitForChange: (timeoutMs: number, signal: AbortSignal) => watcher.waitForChange(timeoutMs, signal),
  };
}
