/**
 * Calls `onChange` when a file changes (created, rewritten, renamed over, removed), until
 * `signal` aborts. fs.watch on the file's directory answers at once (the config file is
 * replaced by a rename, which a watch on the file itself would lose); a periodic stat is the
 * safety net for file systems and platforms where fs.watch misses events or is unavailable.
 * A change is reported once per distinct (inode, size, mtime), however many events announce it.
 */
import fs from 'node:fs';
import path from 'node:path';

export function watchFile(file: string, onChange: () => void, signal: AbortSignal, options: { pollMs?: number } = {}): void {
  if (signal.aborted) return;
  const directory = path.dirname(file);
  const name = path.basename(file);
  let last = fingerprint(file);
  let watcher: fs.FSWatcher | null = null;

  const check = () => {
    const now = fingerprint(file);
    if (now === last) return;
    last = now;
    onChange();
  };
  const watch = () => {
    if (watcher || signal.aborted) return;
    try {
      watcher = fs.watch(directory, { persistent: false }, (_event, changed) => {
        if (changed === null || changed.toString() === name) check();
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = null;
      });
    } catch {
      watcher = null; // no directory yet, or no fs.watch here: the stat poll covers it
    }
  };

  watch();
  const timer = setInterval(() => {
    watch();
    check();
  }, options.pollMs ?? 2_000);
  timer.unref();
  signal.addEventListener('abort', () => {
    clearInterval(timer);
    watcher?.close();
    watcher = null;
  }, { once: true });
}

function fingerprint(file: string): string {
  try {
    const stat = fs.statSync(file);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
