import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { plural } from '../../src/cli/output.js';
import { MailmonError } from '../../src/core/errors.js';
import { retryDeliveries } from '../../src/app/delivery-queries.js';
import { newDeliveryId } from '../../src/cli/wiring-webhooks.js';

export default class DeliveriesRetry extends BaseCommand {
  static summary = 'Schedule a new attempt now for abandoned deliveries (retries used up); the daemon sends it.';
  static examples = ['<%= config.bin %> deliveries retry dlv_01h455vb4pex5vsknk084sn02q', '<%= config.bin %> deliveries retry --endpoint whe_01h455vb4pex5vsknk084sn02q --failed'];
  static args = { id: Args.string({ description: 'Delivery id (dlv_…)' }) };
  static flags = {
    endpoint: Flags.string({ description: 'Retry every abandoned delivery of this endpoint (with --failed).', dependsOn: ['failed'] }),
    failed: Flags.boolean({ description: 'With --endpoint: all its failed deliveries.', dependsOn: ['endpoint'] }),
  };

  async run() {
    const { args, flags } = await this.parse(DeliveriesRetry);
    if (!args.id === !flags.endpoint) throw new MailmonError('usage', 'Pass either a delivery id or --endpoint ID --failed.');
    const result = await retryDeliveries(await this.ctx.storage(), { deliveryId: args.id, endpointId: flags.endpoint }, Date.now(), newDeliveryId);
    this.out(result.scheduled.length === 0 ? 'Nothing to retry: no abandoned delivery (an open or delivered one is never sent again).' : `Scheduled ${plural(result.scheduled.length, 'new attempt')}; the daemon sends them.`);
    return result;
  }
}
