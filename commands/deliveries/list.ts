import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { listDeliveries, type DeliveryStatusFilter } from '../../src/app/delivery-queries.js';
import { limitFlag, sinceFlag } from '../../src/cli/flags.js';
import { parseTime } from '../../src/core/durations.js';
import { renderDeliveryList } from '../../src/cli/render-endpoints.js';

export default class DeliveriesList extends BaseCommand {
  static summary = 'List delivery attempts to webhook endpoints, newest first.';
  static storeAccess = 'read' as const;
  static examples = ['<%= config.bin %> deliveries list --status failed', '<%= config.bin %> deliveries list --endpoint whe_01h455vb4pex5vsknk084sn02q --since 1h --json'];
  static flags = {
    endpoint: Flags.string({ description: 'Only this endpoint (whe_…).' }),
    status: Flags.string({ description: 'Only failed (incl. abandoned), abandoned (retries used up), pending (incl. in flight) or succeeded attempts.', options: ['failed', 'abandoned', 'pending', 'succeeded'] }),
    since: sinceFlag,
    limit: limitFlag(50),
  };

  async run() {
    const { flags } = await this.parse(DeliveriesList);
    const since = flags.since === undefined ? undefined : parseTime(flags.since, Date.now(), '--since');
    const rows = await listDeliveries(await this.ctx.storage(), { endpointId: flags.endpoint, status: flags.status as DeliveryStatusFilter | undefined, since, limit: flags.limit });
    this.out(renderDeliveryList(rows, this.color));
    return rows;
  }
}
