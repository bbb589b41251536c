import { Args } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { interruptSignal, verifyDeps } from '../src/cli/wiring.js';
import { verifyMailbox } from '../src/app/verify-mailbox.js';
import { plural } from '../src/cli/output.js';
import { ExitCode, MailmonError } from '../src/core/errors.js';
import { integerFlag, MAX_TIMER_SECONDS } from '../src/cli/flags.js';

export default class Verify extends BaseCommand {
  static summary = 'Compare the local copy with Gmail (message ids and labels) and report drift.';
  static description = 'Exits non-zero when the local copy differs from Gmail. Run "mailmon sync" first: changes Gmail made since the last sync show up as drift until they are synced.';
  static examples = ['<%= config.bin %> verify', '<%= config.bin %> verify you@example.com --json'];
  static args = { mailbox: Args.string({ description: 'Mailbox id or email address (default: the only mailbox)' }) };
  static flags = { wait: integerFlag({ description: 'Seconds to wait for a running sync to finish first.', default: 30, min: 0, max: MAX_TIMER_SECONDS }) };

  async run() {
    const { args, flags } = await this.parse(Verify);
    const result = await verifyMailbox(await verifyDeps(this.ctx, { signal: interruptSignal(), waitMs: flags.wait * 1000 }), { mailbox: args.mailbox });
    if (result.ok) {
      this.out(`✓ ${result.emailAddress}: local copy matches Gmail (${plural(result.localCount, 'message')}, cursor ${result.cursor}).`);
      return result;
    }
    if (this.jsonEnabled()) {
      this.logJson(result);
      this.exit(ExitCode.drift);
    }
    for (const item of result.drift.slice(0, 20)) this.out(`${item.problem.padEnd(18)} ${item.providerMessageId}${item.problem === 'labels_differ' ? `  local [${item.localLabelIds?.join(',')}] gmail [${item.serverLabelIds?.join(',')}]` : ''}`);
    if (result.drift.length > 20) this.out(`… and ${result.drift.length - 20} more`);
    throw new MailmonError('drift_detected', `${plural(result.drift.length, 'difference')} between the local copy of ${result.emailAddress} and Gmail.`, {
      hint: result.serverMovedDuringCheck || result.cursor !== result.serverHistoryId ? 'Gmail changed since the last sync: run "mailmon sync" and verify again.' : 'Run "mailmon sync --full" to repair the local copy.',
    });
  }
}
