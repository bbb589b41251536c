import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { disableEndpoint } from '../../src/app/change-endpoint.js';

export default class WebhooksDisable extends BaseCommand {
  static summary = 'Disable a webhook endpoint: nothing is sent, new events are kept for when it is enabled.';
  static examples = ['<%= config.bin %> webhooks disable whe_01h455vb4pex5vsknk084sn02q'];
  static args = { id: Args.string({ description: 'Endpoint id (whe_…)', required: true }) };

  async run() {
    const { args } = await this.parse(WebhooksDisable);
    const result = await disableEndpoint(await this.ctx.storage(), args.id, Date.now());
    this.out(`${result.id} is ${result.enabled ? 'enabled' : 'disabled'} (${result.pending} pending).`);
    return result;
  }
}
