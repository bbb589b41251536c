/**
 * Progress for long syncs on stderr: the ink bar on a TTY, otherwise a plain line at most every
 * two seconds (so CI logs stay readable), nothing under --json. ink is imported only when drawn.
 */
import type { SyncProgress } from '../app/sync-mailbox.js';
import { formatEta, progressSnapshot } from '../core/progress.js';

export interface ProgressReporter {
  onProgress: (progress: SyncProgress) => void;
  stop: () => void;
}

export async function syncProgressReporter(options: { json: boolean; label: (mailboxId: string) => string }): Promise<ProgressReporter> {
  if (options.json) return { onProgress: () => undefined, stop: () => undefined };
  const started = new Map<string, { at: number; processed: number }>();
  const snapshotOf = (progress: SyncProgress) => {
    if (!started.has(progress.mailboxId)) started.set(progress.mailboxId, { at: Date.now(), processed: progress.processed });
    const start = started.get(progress.mailboxId)!;
    return progressSnapshot(progress.processed, progress.total, start.at, Date.now(), start.processed);
  };
  if (process.stderr.isTTY) {
    const { mountSyncProgress } = await import('../ui/sync-progress.js');
    let view: ReturnType<typeof mountSyncProgress> | undefined;
    return {
      onProgress: (progress) => {
        // Incremental syncs are quick: only full syncs get a bar.
        if (progress.kind === 'incremental') return;
        view ??= mountSyncProgress(process.stderr);
        view.update({ label: options.label(progress.mailboxId), phase: progress.phase, snapshot: snapshotOf(progress) });
      },
      stop: () => view?.unmount(),
    };
  }
  let lastLine = 0;
  return {
    onProgress: (progress) => {
      if (progress.kind === 'incremental') return;
      const now = Date.now();
      const snapshot = snapshotOf(progress);
      if (now - lastLine < 2000 && snapshot.processed < snapshot.total) return;
      lastLine = now;
      process.stderr.write(`${options.label(progress.mailboxId)}: ${progress.phase} ${snapshot.processed}/${snapshot.total} (${Math.round(snapshot.ratePerSecond)} msg/s, ETA ${formatEta(snapshot.etaSeconds)})\n`);
    },
    stop: () => undefined,
  };
}
