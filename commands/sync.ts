import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { interruptSignal, syncDeps } from '../src/cli/wiring.js';
import { syncProgressReporter } from '../src/cli/sync-progress.js';
import { renderFetchChoice, renderSyncFailure, renderSyncSummary } from '../src/cli/render-sync.js';
import { syncMailboxes } from '../src/app/sync-all.js';
import type { FetchChoice } from '../src/app/sync-mailbox.js';
import { syncThroughDaemon } from '../src/cli/wiring-daemon.js';
import { integerFlag, MAX_TIMER_SECONDS } from '../src/cli/flags.js';

export default class Sync extends BaseCommand {
  static summary = 'Sync a mailbox now, in the foreground (all mailboxes when none is named).';
  static description = 'Takes the mailbox lease (waits up to --wait for another holder), then runs an incremental sync from the stored history cursor, or a full sync for a new mailbox, after --full, or when Gmail has expired the cursor. Progress goes to stderr; the summary to stdout. With --verbose, stderr also names the Gmail call that fetched each thread (threads.get for 3+ messages, unless sync.fetch-by-thread is false).';
  static examples = [
    '<%= config.bin %> sync',
    '<%= config.bin %> sync you@example.com --full',
    '<%= config.bin %> sync --wait 60 --json',
  ];
  static args = { mailbox: Args.string({ description: 'Mailbox id or email address (default: every mailbox)' }) };
  static flags = {
    full: Flags.boolean({ description: 'Run a full sync: re-list everything and diff it against the local copy (emits only real changes).' }),
    wait: integerFlag({ description: 'Seconds to wait when another process holds the mailbox lease.', default: 0, min: 0, max: MAX_TIMER_SECONDS }),
    'emit-backfill': Flags.boolean({ description: 'On an initial sync, emit message.created for every existing message.' }),
  };

  async run() {
    const { args, flags } = await this.parse(Sync);
    const signal = interruptSignal();
    // Rate and ETA of a sync the daemon runs count from when the daemon saw it start.
    const daemonStarts = new Map<string, number>();
    const progress = await syncProgressReporter({ json: this.jsonEnabled(), startedAt: (p) => daemonStarts.get(p.mailboxId) });
    let outcome;
    try {
      const viaDaemon = await syncThroughDaemon(this.ctx, { mailbox: args.mailbox, full: flags.full, emitBackfill: flags['emit-backfill'] || undefined }, {
        signal, onProgress: (p, startedAt) => (daemonStarts.set(p.mailboxId, startedAt), progress.onProgress(p)),
      });
      if (viaDaemon) this.note(`The daemon (pid ${viaDaemon.pid}) ran this sync.`);
      outcome = viaDaemon?.outcome;
      if (!outcome) {
        const onFetch = this.verbose ? (choice: FetchChoice) => process.stderr.write(`${renderFetchChoice(choice)}\n`) : undefined;
        const deps = await syncDeps(this.ctx, { onProgress: progress.onProgress, onFetch, signal, waitMs: flags.wait * 1000, emitBackfill: flags['emit-backfill'] || undefined });
        outcome = await syncMailboxes(deps, { mailbox: args.mailbox, full: flags.full });
      }
    } finally {
      progress.stop();
    }
    for (const summary of outcome.results) this.out(renderSyncSummary(summary, this.color));
    for (const failure of outcome.failures) this.note(renderSyncFailure(failure, this.color));
    if (outcome.failures.length > 0) {
      if (this.jsonEnabled()) this.logJson(outcome);
      this.exit(1);
    }
    return outcome.results.length === 1 && args.mailbox !== undefined ? outcome.results[0] : outcome;
  }
}
