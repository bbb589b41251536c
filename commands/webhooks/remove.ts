import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { removeEndpoint } from '../../src/app/change-endpoint.js';
import { credentialVault } from '../../src/cli/services.js';

export default class WebhooksRemove extends BaseCommand {
  static summary = 'Remove a webhook endpoint, its pending deliveries, its delivery log and its secret.';
  static examples = ['<%= config.bin %> webhooks remove whe_01h455vb4pex5vsknk084sn02q'];
  static args = { id: Args.string({ description: 'Endpoint id (whe_…)', required: true }) };

  async run() {
    const { args } = await this.parse(WebhooksRemove);
    const result = await removeEndpoint((await this.ctx.store()).sqlite, await credentialVault(this.ctx), args.id);
    this.out(`Removed ${result.id}.`);
    return result;
  }
}
