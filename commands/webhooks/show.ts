import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { showEndpoint } from '../../src/app/endpoint-queries.js';
import { renderEndpoint } from '../../src/cli/render-endpoints.js';

export default class WebhooksShow extends BaseCommand {
  static summary = 'Show one webhook endpoint: subscriptions, health and its recorded health changes.';
  static storeAccess = 'read' as const;
  static examples = ['<%= config.bin %> webhooks show whe_01h455vb4pex5vsknk084sn02q'];
  static args = { id: Args.string({ description: 'Endpoint id (whe_…)', required: true }) };

  async run() {
    const { args } = await this.parse(WebhooksShow);
    const endpoint = await showEndpoint(await this.ctx.storage(), args.id, Date.now());
    this.out(renderEndpoint(endpoint, this.color));
    return endpoint;
  }
}
