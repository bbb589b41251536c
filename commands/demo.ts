import { Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { INTERRUPTED_EXIT_CODE } from '../src/cli/interrupt.js';
import { createDemoWorld } from '../src/cli/demo-environment.js';
import { renderDemoEvent, renderDemoSummary } from '../src/cli/render-demo.js';
import { paint } from '../src/cli/output.js';
import { runDemo } from '../src/app/demo.js';
import { MailmonError } from '../src/core/errors.js';
import { integerFlag, pathFlag, MAX_FIXTURE_MESSAGES } from '../src/cli/flags.js';

export default class Demo extends BaseCommand {
  static summary = 'See mailmon do its job in a minute, on a built-in fixture mailbox (no Google account).';
  static description = 'Starts a Gmail-compatible fixture server, signs in through its OAuth flow, runs the initial sync, forwards events to a built-in receiver that verifies every signature, makes realistic changes (new mail, read, star, trash, untrash, delete), then expires the history cursor and revokes the token to show how mailmon recovers, and replays the last hour.';
  static examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --messages 1000 --keep', '<%= config.bin %> demo --json | jq .nothingLost'];
  static flags = {
    messages: integerFlag({ description: 'Size of the generated fixture mailbox.', default: 200, min: 1, max: MAX_FIXTURE_MESSAGES }),
    keep: Flags.boolean({ description: 'Keep the temporary MAILMON_HOME (its path is printed) to explore it afterwards.' }),
    home: pathFlag({ description: 'Use this MAILMON_HOME instead of a temporary one (kept).', helpValue: 'DIR' }),
  };

  async run() {
    const { flags } = await this.parse(Demo);
    const world = await createDemoWorld({ messages: flags.messages, home: flags.home, json: this.jsonEnabled(), userAgent: `mailmon/${this.config.version}` });
    const cleanup = () => world.close({ keep: flags.keep || Boolean(flags.home) });
    // Interrupted before its end: say so, clean up, exit 130 (the rule in src/cli/interrupt.ts).
    const onInterrupt = () => {
      process.stderr.write(`\nDemo interrupted${flags.keep || flags.home ? `; its home is kept: ${world.home}` : ''}.\n`);
      void cleanup().finally(() => process.exit(INTERRUPTED_EXIT_CODE));
    };
    process.on('SIGINT', onInterrupt); // not once: see src/cli/interrupt.ts
    this.note(`${paint('bold', 'mailmon demo', this.color)} — fixture Gmail at ${world.env.fixtureUrl} (no Google account), home ${world.home}`);
    try {
      const summary = await runDemo(world.env, {
        onStep: (step) => this.note(`\n${paint('bold', `▸ ${step}`, this.color)}`),
        onEvent: (event, delivery) => this.note(renderDemoEvent(event, delivery, this.color)),
        onNote: (note) => this.note(`  ${paint('dim', note, this.color)}`),
      });
      this.out(renderDemoSummary(summary, this.color));
      if (flags.keep) this.note(`Kept ${world.home}: try MAILMON_HOME=${world.home} mailmon events list`);
      if (!summary.nothingLost || summary.rejected > 0) throw new MailmonError('delivery_failed', 'The demo saw an event that was not delivered or not verified.', { hint: 'Re-run with --verbose and please report it.' });
      return { ...summary, home: flags.keep || flags.home ? world.home : null };
    } finally {
      process.off('SIGINT', onInterrupt);
      await cleanup();
    }
  }
}
