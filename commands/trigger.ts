import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { fixtureFlags, fixtureTarget } from '../src/cli/fixture-flags.js';
import { OVERRIDE_KEYS, TRIGGERS, TRIGGER_EVENTS, parseOverrides, triggerFixtureEvent, type TriggerEvent, type TriggerResult } from '../src/app/trigger-fixture-event.js';
import { nudgeDaemon } from '../src/cli/daemon-nudge.js';
import { checkedFlag } from '../src/cli/flags.js';
import { MailmonError } from '../src/core/errors.js';

export default class Trigger extends BaseCommand {
  static summary = 'Create a realistic change in a fixture mailbox, so the real pipeline produces that event.';
  static description = `Like "stripe trigger": the change happens on the fixture server; mailmon's sync turns it into the event. Without --server it uses the server the fixture mailbox was signed in to ("mailmon login --fixture URL"). --override keys: ${Object.keys(OVERRIDE_KEYS).join(', ')}.`;
  static examples = [
    '<%= config.bin %> trigger --list',
    '<%= config.bin %> trigger message.created --override subject="Invoice 42" --from "Billing <billing@example.com>"',
    '<%= config.bin %> trigger message.updated --label STARRED',
    '<%= config.bin %> trigger thread.updated',
    '<%= config.bin %> trigger mailbox.resynced',
    '<%= config.bin %> trigger message.deleted --mailbox dev@mailmon.test --server http://127.0.0.1:4010/ --json',
  ];
  // Not `options`: the argument is optional (--list), and an unknown flag must be reported as such, not as a bad event.
  static args = { event: Args.string({ description: `Event type to cause: ${TRIGGER_EVENTS.join(', ')} (see --list)` }) };
  static flags = {
    ...fixtureFlags,
    list: Flags.boolean({ description: 'List the event types trigger can cause, and how.' }),
    override: checkedFlag((input) => parseOverrides([input]))({ description: 'Shape the change: key=value (repeatable), e.g. subject="Invoice 42".', multiple: true, helpValue: 'KEY=VALUE' }),
    from: Flags.string({ description: 'From header of the new message (same as --override from=…).', helpValue: 'ADDRESS' }),
    label: Flags.string({ description: 'Label id (repeatable): of the new message, or the one message.updated adds/removes.', multiple: true, helpValue: 'LABEL_ID' }),
  };

  async run(): Promise<TriggerResult | { events: Array<{ type: string; change: string }> }> {
    const { args, flags } = await this.parse(Trigger);
    if (flags.list) {
      const events = TRIGGER_EVENTS.map((type) => ({ type, change: TRIGGERS[type] }));
      this.out(events.map((entry) => `${entry.type.padEnd(24)}${entry.change}`).join('\n'));
      return { events };
    }
    if (!args.event) throw new MailmonError('usage', 'Which event? Name one, e.g. "mailmon trigger message.created".', { hint: 'See them all with "mailmon trigger --list".' });
    if (!(TRIGGER_EVENTS as string[]).includes(args.event)) throw new MailmonError('usage', `trigger cannot cause "${args.event.length > 60 ? `${args.event.slice(0, 57)}…` : args.event}".`, { hint: `Use one of: ${TRIGGER_EVENTS.join(', ')} ("mailmon trigger --list" says how each is caused).` });
    const overrides = parseOverrides(flags.override ?? [], { from: flags.from, labels: flags.label });
    const target = await fixtureTarget(this.ctx, flags);
    const result = await triggerFixtureEvent(target.client, args.event as TriggerEvent, target.mailbox, overrides);
    this.out(`${result.event}: ${result.id ? `message ${result.id} in ` : ''}${result.mailbox} ${result.change}; historyId ${result.historyId}.`);
    // A running daemon picks the change up now instead of on its next poll (best effort, silent).
    await nudgeDaemon(this.ctx);
    return result;
  }
}
