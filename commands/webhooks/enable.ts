import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { enableEndpoint } from '../../src/app/change-endpoint.js';

export default class WebhooksEnable extends BaseCommand {
  static summary = 'Enable a webhook endpoint: health back to active, and its kept backlog is delivered now.';
  static examples = ['<%= config.bin %> webhooks enable whe_01h455vb4pex5vsknk084sn02q'];
  static args = { id: Args.string({ description: 'Endpoint id (whe_…)', required: true }) };

  async run() {
    const { args } = await this.parse(WebhooksEnable);
    const result = await enableEndpoint(await this.ctx.storage(), args.id, Date.now());
    this.out(`${result.id} is ${result.enabled ? 'enabled' : 'disabled'} (${result.pending} pending).`);
    return result;
  }
}
