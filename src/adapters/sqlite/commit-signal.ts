/**
 * In-process wake-ups on commit. `PRAGMA data_version` does not change for a commit on the same
 * connection, so the adapters that append events call `eventsAppended(sqlite)` inside that
 * transaction; every change notifier on the same database file in this process is signalled
 * right after it (better-sqlite3 transactions are synchronous, so a microtask runs after the
 * commit). A rolled-back append only causes a spurious wake-up.
 */
import path from 'node:path';
import type Database from 'better-sqlite3';

export class CommitSignal {
  /** Grows with every append in this process. */
  generation = 0;
  private readonly listeners = new Set<() => void>();
  private scheduled = false;

  bump(): void {
    this.generation += 1;
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const listener of [...this.listeners]) listener();
    });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const byFile = new Map<string, CommitSignal>();
const byHandle = new WeakMap<Database.Database, CommitSignal>();

/** The signal of the database `sqlite` is connected to (per file; per handle in memory). */
export function commitSignal(sqlite: Database.Database): CommitSignal {
  if (sqlite.memory) {
    let signal = byHandle.get(sqlite);
    if (!signal) byHandle.set(sqlite, (signal = new CommitSignal()));
    return signal;
  }
  const key = path.resolve(sqlite.name);
  let signal = byFile.get(key);
  if (!signal) byFile.set(key, (signal = new CommitSignal()));
  return signal;
}

export function eventsAppended(sqlite: Database.Database): void {
  commitSignal(sqlite).bump();
}
