import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { rotateEndpointSecret } from '../../src/app/endpoint-secret.js';
import { credentialVault } from '../../src/cli/wiring.js';
import { generateSecret } from '../../src/cli/wiring-webhooks.js';

export default class WebhooksRotateSecret extends BaseCommand {
  static summary = "Give an endpoint a new signing secret; the old one keeps signing next to it for 24 h.";
  static examples = ['<%= config.bin %> webhooks rotate-secret whe_01h455vb4pex5vsknk084sn02q'];
  static args = { id: Args.string({ description: 'Endpoint id (whe_…)', required: true }) };

  async run() {
    const { args } = await this.parse(WebhooksRotateSecret);
    const result = await rotateEndpointSecret({ storage: await this.ctx.storage(), vault: await credentialVault(this.ctx), generateSecret, now: Date.now }, args.id);
    this.out(`New secret: ${result.secret}`);
    this.note(`Deliveries carry signatures with both secrets until ${new Date(result.previous!.expiresAt).toISOString()}; update your receiver before then.`);
    return result;
  }
}
