import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { removeEndpoint } from '../../src/app/change-endpoint.js';
import { requireEndpoint } from '../../src/app/endpoint-target.js';
import { credentialVault } from '../../src/cli/wiring.js';
import { confirmDestructive } from '../../src/cli/confirm.js';
import { yesFlag } from '../../src/cli/flags.js';

export default class WebhooksRemove extends BaseCommand {
  static summary = 'Remove a webhook endpoint, its pending deliveries, its delivery log and its secret.';
  static examples = ['<%= config.bin %> webhooks remove whe_01h455vb4pex5vsknk084sn02q', '<%= config.bin %> webhooks remove whe_01h455vb4pex5vsknk084sn02q --yes'];
  static description = 'Asks for confirmation on a terminal; off a terminal (scripts, CI) pass --yes.';
  static args = { id: Args.string({ description: 'Endpoint id (whe_…)', required: true }) };
  static flags = { yes: yesFlag };

  async run() {
    const { args, flags } = await this.parse(WebhooksRemove);
    const storage = await this.ctx.storage();
    const endpoint = await requireEndpoint(storage.endpoints, args.id);
    await confirmDestructive({ question: `Remove endpoint ${endpoint.id} (${endpoint.url}) with its pending deliveries, delivery log and secret?`, yes: flags.yes, rerun: `mailmon webhooks remove ${args.id}` });
    const result = await removeEndpoint(storage, await credentialVault(this.ctx), args.id);
    this.out(`Removed ${result.id}.`);
    return result;
  }
}
