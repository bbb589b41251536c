/**
 * What `mailmon sync` does, for commands/sync.ts and for bin/run.js's `sync --json` without
 * oclif (fast-path.ts says when): the sync runs in a running daemon when there is one (this
 * process shows its progress and waits), otherwise here, under the mailbox lease.
 * test/e2e/sync-fast-path.test.ts holds both paths to the same output and exit codes.
 */
import type { FetchChoice } from '../app/sync-mailbox.js';
import { syncMailboxes } from '../app/sync-all.js';
import type { SyncResults } from '../app/sync-failure.js';
import type { CliContext } from './context.js';
import { interruptSignal, syncDeps } from './wiring.js';
import { syncThroughDaemon } from './wiring-daemon.js';
import { syncProgressReporter } from './sync-progress.js';
import { renderFetchChoice } from './render-sync.js';
import { runJsonWithoutOclif } from './json-without-oclif.js';

export interface SyncRequest {
  mailbox?: string;
  full: boolean;
  /** Seconds to wait for another holder of the mailbox lease. */
  waitSeconds: number;
  emitBackfill: boolean;
}

export interface SyncOutput {
  /** --json: no progress, no notes. */
  json: boolean;
  /** Name the Gmail call that fetched each thread, on stderr. */
  verbose: boolean;
  /** A note for the person at the terminal (stderr). */
  note: (message: string) => void;
}

export async function runSync(ctx: CliContext, request: SyncRequest, output: SyncOutput): Promise<SyncResults> {
  const signal = interruptSignal();
  // Rate and ETA of a sync the daemon runs count from when the daemon saw it start.
  const daemonStarts = new Map<string, number>();
  const progress = await syncProgressReporter({ json: output.json, startedAt: (p) => daemonStarts.get(p.mailboxId) });
  const emitBackfill = request.emitBackfill || undefined;
  try {
    const viaDaemon = await syncThroughDaemon(ctx, { mailbox: request.mailbox, full: request.full, emitBackfill }, {
      signal, onProgress: (p, startedAt) => (daemonStarts.set(p.mailboxId, startedAt), progress.onProgress(p)),
    });
    if (viaDaemon) {
      output.note(`The daemon (pid ${viaDaemon.pid}) ran this sync.`);
      return viaDaemon.outcome;
    }
    const onFetch = output.verbose ? (choice: FetchChoice) => process.stderr.write(`${renderFetchChoice(choice)}\n`) : undefined;
    const deps = await syncDeps(ctx, { onProgress: progress.onProgress, onFetch, signal, waitMs: request.waitSeconds * 1000, emitBackfill });
    return await syncMailboxes(deps, { mailbox: request.mailbox, full: request.full });
  } finally {
    progress.stop();
  }
}

/**
 * Exactly `sync --json`, without oclif: every mailbox synced on a write context, in the frame
 * `BaseCommand` gives it (json-without-oclif.ts); with a failed mailbox the results are printed
 * all the same, and the exit code is 1.
 */
export async function runSyncJson(): Promise<void> {
  await runJsonWithoutOclif({ id: 'sync', storeAccess: 'write', exitCode: (outcome: SyncResults) => (outcome.failures.length > 0 ? 1 : 0) }, (ctx) =>
    runSync(ctx, { full: false, waitSeconds: 0, emitBackfill: false }, { json: true, verbose: false, note: () => undefined }));
}
