import { Args } from '@oclif/core';
import { BaseCommand } from '../../../src/cli/base-command.js';
import { addEndpoint } from '../../../src/app/add-endpoint.js';
import { endpointFlags, endpointInput } from '../../../src/cli/endpoint-flags.js';
import { endpointDeps } from '../../../src/cli/wiring-webhooks.js';
import { renderAddedEndpoint } from '../../../src/cli/render-endpoints.js';

export default class MailboxesWebhookSet extends BaseCommand {
  static summary = "Send one mailbox's events to a URL (a shortcut for webhooks add --mailbox).";
  static examples = ['<%= config.bin %> mailboxes webhook set me@example.com https://example.com/hooks/me'];
  static args = {
    mailbox: Args.string({ description: 'Mailbox id or email address', required: true }),
    url: Args.string({ description: 'The endpoint URL (http or https)', required: true }),
  };
  static flags = endpointFlags;

  async run() {
    const { args, flags } = await this.parse(MailboxesWebhookSet);
    const { deps, close } = await endpointDeps(this.ctx);
    try {
      const added = await addEndpoint(deps, endpointInput(args.url, flags, [args.mailbox]));
      this.out(renderAddedEndpoint(added, this.color));
      return added;
    } finally {
      await close();
    }
  }
}
