/**
 * The ChangeNotifier port on SQLite. Commits in this process arrive through the commit signal at
 * once; commits by other processes are seen by polling `PRAGMA data_version` (it changes when
 * another connection commits) every few milliseconds, and only while someone waits.
 */
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

export function sqliteChangeNotifier(sqlite: Database.Database, pollMs = 5): ChangeNotifier {
  const signal = commitSignal(sqlite);
  const versionStatement = sqlite.prepare('pragma data_version').pluck();
  const waiters = new Set<Waiter>();
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  const position = (): Position => ({ generation: signal.generation, version: versionStatement.get() as number });
  const changed = (since: Position, now: Position) => now.generation !== since.generation || now.version !== since.version;
  const check = () => {
    let now: Position;
    try {
      now = position();
    } catch {
      return; // closed underneath us: the waiters' timeouts end them
    }
    for (const waiter of [...waiters]) if (changed(waiter.since, now)) waiter.done();
  };
  const watch = () => {
    timer ??= setInterval(check, pollMs);
    unsubscribe ??= signal.subscribe(check);
  };
  const unwatch = () => {
    if (waiters.size > 0) return;
    clearInterval(timer);
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
