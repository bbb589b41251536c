import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { renderSyncFailure, renderSyncSummary } from '../src/cli/render-sync.js';
import { runSync } from '../src/cli/sync-run.js';
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

  // `sync --json` alone is usually run by src/cli/sync-run.ts's runSyncJson before oclif loads:
  // what this prints under --json must stay what that prints (test/e2e/sync-fast-path.test.ts).
  async run() {
    const { args, flags } = await this.parse(Sync);
    const outcome = await runSync(this.ctx, { mailbox: args.mailbox, full: flags.full, waitSeconds: flags.wait, emitBackfill: flags['emit-backfill'] }, {
      json: this.jsonEnabled(), verbose: this.verbose, note: (message) => this.note(message),
    });
    for (const summary of outcome.results) this.out(renderSyncSummary(summary, this.color));
    for (const failure of outcome.failures) this.note(renderSyncFailure(failure, this.color));
    if (outcome.failures.length > 0) {
      if (this.jsonEnabled()) this.logJson(this.toSuccessJson(outcome));
      this.exit(1);
    }
    return outcome.results.length === 1 && args.mailbox !== undefined ? outcome.results[0] : outcome;
  }
}
