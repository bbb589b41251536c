import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { addEndpoint } from '../../src/app/add-endpoint.js';
import { endpointFlags, endpointInput } from '../../src/cli/endpoint-flags.js';
import { endpointDeps } from '../../src/cli/wiring-webhooks.js';
import { renderAddedEndpoint } from '../../src/cli/render-endpoints.js';

export default class WebhooksAdd extends BaseCommand {
  static summary = 'Register a webhook endpoint: the daemon delivers every matching event to it, signed, at least once.';
  static description = 'Before registering, mailmon POSTs a signed {"type":"webhook.verification","challenge":"…"} that the endpoint must answer with 2xx within 5 s, echoing {"challenge":"…"}.';
  static examples = [
    '<%= config.bin %> webhooks add https://example.com/hooks/mailmon',
    '<%= config.bin %> webhooks add http://localhost:3000/hook --events message.created --mailbox me@example.com --skip-verification',
    '<%= config.bin %> webhooks add https://example.com/hook --signature standard --header "Authorization:Bearer abc" --json',
  ];
  static args = { url: Args.string({ description: 'The endpoint URL (http or https)', required: true }) };
  static flags = { ...endpointFlags, mailbox: Flags.string({ char: 'm', description: 'Only events of these mailboxes (ids or addresses, comma-separated). Default: all.', helpValue: 'MAILBOXES' }) };

  async run() {
    const { args, flags } = await this.parse(WebhooksAdd);
    const mailboxes = (flags.mailbox ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    const { deps, close } = await endpointDeps(this.ctx);
    try {
      const added = await addEndpoint(deps, endpointInput(args.url, flags, mailboxes));
      this.out(renderAddedEndpoint(added, this.color));
      return added;
    } finally {
      await close();
    }
  }
}
