/**
 * What `mailmon sync` does, for commands/sync.ts and for bin/run.js's `sync --json` without
 * oclif (fast-path.ts says when): the sync runs in a running daemon when there is one (this
 * process shows its progress and waits), otherwise here, under the mailbox lease.
 * test/e2e/sync-fast-path.test.ts holds both paths to the same output and exit codes.
 */
import type { FetchChoice } from '../app/sync-mailbox.js';
import { syncMailboxes } from '../app/sync-all.js';
import type { SyncResults } from '../app/sync-failure.js';
import { CliContext } from './context.js';
import { interruptSignal, syncDeps } from './wiring.js';
import { syncThroughDaemon } from './wiring-daemon.js';
import { syncProgressReporter } from './sync-progress.js';
import { renderFetchChoice } from './render-sync.js';
import { prepareCommandProcess } from './command-process.js';
import { toJsonOutput } from './json-output.js';
import { describeError, errorJson } from './render-error.js';

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
 * Exactly `sync --json`, without oclif: what `BaseCommand` and `commands/sync.ts` do for it, in
 * their order — a private umask and the colour policy, every mailbox synced on a write context,
 * the results as pretty JSON on stdout (with a failed mailbox: the results as they are, exit 1),
 * the context closed; an error as one JSON line from the same renderer, with its exit code.
 */
export async function runSyncJson(): Promise<void> {
  prepareCommandProcess();
  const ctx = new CliContext(process.env, 'write');
  let outcome: SyncResults;
  try {
    outcome = await runSync(ctx, { full: false, waitSeconds: 0, emitBackfill: false }, { json: true, verbose: false, note: () => undefined });
  } catch (error) {
    const rendered = describeError(error, 'sync', ctx.storeFile);
    process.stdout.write(`${JSON.stringify(errorJson(rendered))}\n`);
    ctx.close();
    process.exit(rendered.exitCode);
  }
  process.stdout.write(`${JSON.stringify(toJsonOutput(outcome), null, 2)}\n`);
  ctx.close();
  if (outcome.failures.length > 0) process.exit(1);
}
