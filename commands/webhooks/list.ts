import { BaseCommand } from '../../src/cli/base-command.js';
import { listEndpoints } from '../../src/app/endpoint-queries.js';
import { renderEndpointList } from '../../src/cli/render-endpoints.js';

export default class WebhooksList extends BaseCommand {
  static summary = 'List webhook endpoints with their health, failures, backlog and last delivery.';
  static storeAccess = 'read' as const;
  static examples = ['<%= config.bin %> webhooks list', '<%= config.bin %> webhooks list --json | jq ".[] | select(.health != \\"active\\")"'];

  async run() {
    await this.parse(WebhooksList);
    const endpoints = await listEndpoints(await this.ctx.storage());
    this.out(renderEndpointList(endpoints, this.color));
    return endpoints;
  }
}
