import { Args } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { fixtureClient, fixtureFlags } from '../src/cli/fixture-flags.js';
import { TRIGGER_EVENTS, triggerFixtureEvent, type TriggerEvent, type TriggerResult } from '../src/app/trigger-fixture-event.js';
import { nudgeDaemon } from '../src/cli/daemon-nudge.js';

export default class Trigger extends BaseCommand {
  static summary = 'Create a realistic change in a fixture mailbox, so the real pipeline produces that event.';
  static examples = ['<%= config.bin %> trigger message.created --server http://127.0.0.1:4010/', '<%= config.bin %> trigger message.updated', '<%= config.bin %> trigger message.deleted --mailbox dev@mailmon.test --json'];
  static args = { event: Args.string({ description: 'Event type to cause', required: true, options: [...TRIGGER_EVENTS] }) };
  static flags = { ...fixtureFlags };

  async run(): Promise<TriggerResult> {
    const { args, flags } = await this.parse(Trigger);
    const result = await triggerFixtureEvent(fixtureClient(flags.server), args.event as TriggerEvent, flags.mailbox);
    this.out(`${result.event}: message ${result.id} in ${result.mailbox} ${result.change}; historyId ${result.historyId}.`);
    // A running daemon picks the change up now instead of on its next poll (best effort, silent).
    await nudgeDaemon(this.ctx);
    return result;
  }
}
