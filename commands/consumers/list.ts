import { BaseCommand } from '../../src/cli/base-command.js';
import { listConsumers } from '../../src/app/consumers.js';
import { renderConsumers } from '../../src/cli/render-consumers.js';
import { consumerDeps } from '../../src/cli/wiring.js';

export default class ConsumersList extends BaseCommand {
  static summary = 'List the durable cursors of "listen" (one per forward target): position, lag, last activity.';
  static description = 'A listen that is gone leaves its consumer behind so that the next listen to the same target resumes where it stopped. Remove the ones you no longer need with "mailmon consumers remove NAME".';
  static examples = ['<%= config.bin %> consumers list', '<%= config.bin %> consumers list --json | jq ".[] | select(.active | not) | .name"'];

  async run() {
    await this.parse(ConsumersList);
    const consumers = await listConsumers(await consumerDeps(this.ctx));
    this.out(renderConsumers(consumers));
    return consumers;
  }
}
