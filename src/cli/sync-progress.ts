/**
 * Progress for long syncs on stderr: the ink bar on a TTY, otherwise a plain line at most every
 * two seconds (so CI logs stay readable), nothing under --json. ink is imported only when drawn.
 * Mailboxes are named by address. The last update a sync sends (its commit: processed = total)
 * is always drawn, so a finished bar never stays at 1,999/2,000.
 */
import type { SyncProgress } from '../app/sync-mailbox.js';
import { formatEta, progressSnapshot } from '../core/progress.js';

export interface ProgressReporter {
  onProgress: (progress: SyncProgress) => void;
  stop: () => void;
}

export interface ProgressReporterOptions {
  json: boolean;
  /** What to call the mailbox (default: its address). */
  label?: (progress: SyncProgress) => string;
  /** When the progress began, if before this process saw it (the daemon's sync): rate and ETA count from there. */
  startedAt?: (progress: SyncProgress) => number | undefined;
}

export async function syncProgressReporter(options: ProgressReporterOptions): Promise<ProgressReporter> {
  if (options.json) return { onProgress: () => undefined, stop: () => undefined };
  const label = options.label ?? ((progress: SyncProgress) => progress.emailAddress);
  const started = new Map<string, { at: number; processed: number }>();
  const snapshotOf = (progress: SyncProgress) => {
    if (!started.has(progress.mailboxId)) {
      const at = options.startedAt?.(progress);
      started.set(progress.mailboxId, at === undefined ? { at: Date.now(), processed: progress.processed } : { at, processed: 0 });
    }
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
        view.update({ label: label(progress), phase: progress.phase, snapshot: snapshotOf(progress) });
      },
      stop: () => view?.unmount(),
    };
  }
  let lastLine = 0;
  let lastKey = '';
  return {
    onProgress: (progress) => {
      if (progress.kind === 'incremental') return;
      const now = Date.now();
      const snapshot = snapshotOf(progress);
      const key = `${progress.mailboxId} ${progress.phase} ${snapshot.processed}/${snapshot.total}`;
      // At most every 2 s, but always the finished count (once).
      if (key === lastKey || (now - lastLine < 2000 && snapshot.processed < snapshot.total)) return;
      lastLine = now;
      lastKey = key;
      process.stderr.write(`${renderProgressLine(label(progress), progress.phase, snapshot)}\n`);
    },
    stop: () => undefined,
  };
}

export function renderProgressLine(label: string, phase: string, snapshot: ReturnType<typeof progressSnapshot>): string {
  return `${label}: ${phase} ${snapshot.processed.toLocaleString('en-US')}/${snapshot.total.toLocaleString('en-US')} ${snapshot.percent}% (${Math.round(snapshot.ratePerSecond)} msg/s, ETA ${formatEta(snapshot.etaSeconds)})`;
}
