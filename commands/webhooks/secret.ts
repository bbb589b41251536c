import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { showEndpointSecret } from '../../src/app/endpoint-secret.js';
import { credentialVault } from '../../src/cli/wiring.js';

export default class WebhooksSecret extends BaseCommand {
  static summary = "Show an endpoint's signing secret (and the previous one during a rotation).";
  static examples = ['<%= config.bin %> webhooks secret whe_01h455vb4pex5vsknk084sn02q', '<%= config.bin %> webhooks secret whe_01h455vb4pex5vsknk084sn02q --json | jq -r .secret'];
  static args = { id: Args.string({ description: 'Endpoint id (whe_…)', required: true }) };

  async run() {
    const { args } = await this.parse(WebhooksSecret);
    const result = await showEndpointSecret(await this.ctx.storage(), await credentialVault(this.ctx), args.id, Date.now());
    this.out(result.previous ? `${result.secret}\n(previous, signs until ${new Date(result.previous.expiresAt).toISOString()}: ${result.previous.secret})` : result.secret);
    return result;
  }
}
