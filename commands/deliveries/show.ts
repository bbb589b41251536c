import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { showDelivery } from '../../src/app/delivery-queries.js';
import { renderDelivery } from '../../src/cli/render-endpoints.js';

export default class DeliveriesShow extends BaseCommand {
  static summary = 'Show one delivery attempt: response status, headers, body (first 20 KB) and the other attempts of that event.';
  static storeAccess = 'read' as const;
  static examples = ['<%= config.bin %> deliveries show dlv_01h455vb4pex5vsknk084sn02q'];
  static args = { id: Args.string({ description: 'Delivery id (dlv_…)', required: true }) };

  async run() {
    const { args } = await this.parse(DeliveriesShow);
    const delivery = await showDelivery(await this.ctx.storage(), args.id);
    this.out(renderDelivery(delivery, this.color));
    return delivery;
  }
}
