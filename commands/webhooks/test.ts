import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { MailmonError } from '../../src/core/errors.js';
import { testEndpoint } from '../../src/app/test-endpoint.js';
import { endpointDeps } from '../../src/cli/wiring-webhooks.js';
import { renderTestResult } from '../../src/cli/render-endpoints.js';

export default class WebhooksTest extends BaseCommand {
  static summary = 'Send a signed webhook.test ping to an endpoint and print the status, latency and body.';
  static description = 'The ping is logged in the delivery log but never retried and never counted toward health. Exits 10 when it fails.';
  static examples = ['<%= config.bin %> webhooks test whe_01h455vb4pex5vsknk084sn02q'];
  static args = { id: Args.string({ description: 'Endpoint id (whe_…)', required: true }) };

  async run() {
    const { args } = await this.parse(WebhooksTest);
    const { deps, close } = await endpointDeps(this.ctx);
    const result = await testEndpoint(deps, args.id).finally(close);
    this.out(renderTestResult(result, this.color));
    if (!result.ok && !this.jsonEnabled()) {
      throw new MailmonError('delivery_failed', `The test ping to ${result.url} failed: ${result.errorMessage ?? result.errorClass}.`, { hint: `See "mailmon deliveries show ${result.deliveryId}".` });
    }
    return result;
  }
}
