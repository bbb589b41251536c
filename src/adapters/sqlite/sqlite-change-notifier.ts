/**
 * The ChangeNotifier port on SQLite. Commits in this process arrive through the commit signal at
 * once; commits by other processes are seen by polling `PRAGMA data_version` (it changes when
 * another connection commits), only while someone waits: every few milliseconds for a quarter
 * of a second after the last change, or after a new wait while changes are coming, then at a
 * slower idle pace. In an idle process the waits that time out and wait again (a worker's safety
 * poll, a metrics counter) do not bring the fast pace back: an idle daemon waits for minutes
 * between changes, and polling every few milliseconds was most of its CPU.
 * Where the OS reports file writes (inotify, kqueue…), a write to the WAL file by any process
 * also checks at once (and a few times more within ~100 ms, in case the write was seen just
 * before its commit became visible), so another process's commit is usually seen in well under a
 * millisecond. The watch is on the database's directory, not on the WAL file, so it survives the
 * WAL file being deleted and created again. Once the watch has reported a WAL write it is known
 * to work and the idle pace slows to `watchedPollMs` (a safety net only); until then, or after
 * the watch fails, the idle pace stays at `idlePollMs`.
 */
import { watch as watchPath, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { ChangeMark, ChangeNotifier } from '../../app/ports/change-notifier.js';
import { commitSignal } from './commit-signal.js';

interface Position {
  generation: number;
  version: number;
}

interface Waiter {
  since: Position;
  done: () => void;
}

/** How long after the last change (or new wait) polling stays at `pollMs` before slowing to the idle pace. */
const BUSY_WINDOW_MS = 250;
/**
 * A WAL write is seen a moment before the commit it belongs to is visible: check again after
 * these delays (from the write), so a writer descheduled mid-commit is still seen within ~100 ms.
 */
const RECHECKS_MS = [1, 5, 20, 50, 100];

/** The watch for writes to the database's WAL file (kept on its directory): re-armed by `arm()` after a failure; `proven` once it has reported a write. */
interface WalWatch {
  arm(): void;
  readonly proven: boolean;
}

function walWatch(sqlite: Database.Database, onWalWrite: () => void): WalWatch {
  let watcher: FSWatcher | null = null;
  let proven = false;
  const failed = () => {
    watcher = null;
    proven = false;
  };
  const written = () => {
    proven = true;
    onWalWrite();
  };
  return {
    get proven() {
      return proven;
    },
    arm() {
      watcher ??= watchDirectory(sqlite, written, failed);
    },
  };
}

/**
 * Calls `onWalWrite` when the database's WAL file is written (or created, or removed), by any
 * process; null where it cannot watch (in memory, no OS support). Never keeps the process alive.
 */
function watchDirectory(sqlite: Database.Database, onWalWrite: () => void, onFailed: () => void): FSWatcher | null {
  if (sqlite.memory) return null;
  const file = path.resolve(sqlite.name);
  const wal = `${path.basename(file)}-wal`;
  try {
    // A platform that does not name the file gives null: it may be the WAL.
    const watcher = watchPath(path.dirname(file), { persistent: false }, (_event, name) => (name === null || name.toString() === wal) && onWalWrite());
    watcher.on('error', () => {
      watcher.close();
      onFailed();
    });
    return watcher;
  } catch {
    return null;
  }
}

/** A new wait polls fast again only within this long of the last change: a waiter is following a stream of changes. */
const FOLLOWING_MS = 10_000;

export function sqliteChangeNotifier(sqlite: Database.Database, pollMs = 5, idlePollMs = 50, followingMs = FOLLOWING_MS, watchedPollMs = 1_000): ChangeNotifier {
  const signal = commitSignal(sqlite);
  const versionStatement = sqlite.prepare('pragma data_version').pluck();
  const waiters = new Set<Waiter>();
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  // A new notifier polls fast for its first moment only (its first wait may be one a caller is
  // timing) and is not "following changes" until one comes. Starting as if one just had kept a
  // new daemon at the 5-ms pace for its first 10 s: each timed-out re-wait of its workers re-armed it.
  let lastActivity = performance.now();
  let lastChange = -Infinity;
  let lastSeen: Position | undefined;
  let idlePaced = false;
  let recheck: NodeJS.Timeout | undefined;

  const position = (): Position => ({ generation: signal.generation, version: versionStatement.get() as number });
  const changed = (since: Position, now: Position) => now.generation !== since.generation || now.version !== since.version;
  const check = () => {
    let now: Position;
    try {
      now = position();
    } catch {
      return; // closed underneath us: the waiters' timeouts end them
    }
    if (lastSeen && changed(lastSeen, now)) lastActivity = lastChange = performance.now();
    lastSeen = now;
    for (const waiter of [...waiters]) if (changed(waiter.since, now)) waiter.done();
  };
  const poll = () => {
    timer = undefined;
    check();
    schedule();
  };
  const schedule = () => {
    if (waiters.size === 0 || timer) return;
    idlePaced = performance.now() - lastActivity >= BUSY_WINDOW_MS;
    timer = setTimeout(poll, !idlePaced ? pollMs : wal.proven ? watchedPollMs : idlePollMs);
  };
  const recheckAfter = (writtenAt: number, step: number) => {
    recheck = undefined;
    if (step >= RECHECKS_MS.length || waiters.size === 0) return;
    recheck = setTimeout(() => {
      check();
      recheckAfter(writtenAt, step + 1);
    }, Math.max(0, writtenAt + RECHECKS_MS[step]! - performance.now()));
  };
  const wal = walWatch(sqlite, () => {
    if (waiters.size === 0) return;
    check();
    clearTimeout(recheck);
    recheckAfter(performance.now(), 0);
  });
  const watch = () => {
    wal.arm();
    const at = performance.now();
    // While changes are coming, a new wait polls fast again at once, not after an idle-paced timer.
    if (at - lastChange < followingMs) {
      lastActivity = at;
      if (timer && idlePaced) {
        clearTimeout(timer);
        timer = undefined;
      }
    }
    schedule();
    unsubscribe ??= signal.subscribe(check);
  };
  const unwatch = () => {
    if (waiters.size > 0) return;
    clearTimeout(timer);
    timer = undefined;
    unsubscribe?.();
    unsubscribe = undefined;
  };

  return {
    mark: async () => ({ changeMark: position() }),
    waitForChange(mark: ChangeMark, timeoutMs: number, abort?: AbortSignal) {
      const since = mark.changeMark as Position;
      return new Promise<void>((resolve) => {
        const waiter: Waiter = {
          since,
          done: () => {
            clearTimeout(timeout);
            abort?.removeEventListener('abort', waiter.done);
            waiters.delete(waiter);
            unwatch();
            resolve();
          },
        };
        const timeout = setTimeout(waiter.done, timeoutMs);
        abort?.addEventListener('abort', waiter.done, { once: true });
        waiters.add(waiter);
        watch();
        if (abort?.aborted || changed(since, position())) waiter.done();
      });
    },
  };
}
