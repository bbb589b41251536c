import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { findConsumer, removeConsumer } from '../../src/app/consumers.js';
import { confirmDestructive } from '../../src/cli/confirm.js';
import { yesFlag } from '../../src/cli/flags.js';
import { consumerDeps } from '../../src/cli/wiring.js';

export default class ConsumersRemove extends BaseCommand {
  static summary = 'Remove a listen consumer and its cursor (a later listen to that target starts from now).';
  static description = 'Refuses while a listen uses it. Asks for confirmation on a terminal; off a terminal (scripts, CI) pass --yes.';
  static examples = ['<%= config.bin %> consumers remove listen:http://localhost:3000/hook', '<%= config.bin %> consumers remove listen:http://localhost:3000/hook --yes'];
  static args = { name: Args.string({ description: 'Consumer name, as "mailmon consumers list" shows it', required: true }) };
  static flags = { yes: yesFlag };

  async run() {
    const { args, flags } = await this.parse(ConsumersRemove);
    const deps = await consumerDeps(this.ctx);
    const consumer = await findConsumer(deps, args.name);
    await confirmDestructive({ question: `Remove consumer ${consumer.name} (at event #${consumer.lastSequence}, ${consumer.behind} behind)?`, yes: flags.yes, rerun: `mailmon consumers remove '${args.name}'` });
    const result = await removeConsumer(deps, args.name);
    this.out(`Removed consumer ${result.name}.`);
    return result;
  }
}
