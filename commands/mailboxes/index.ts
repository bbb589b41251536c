import { BaseCommand } from '../../src/cli/base-command.js';
import { listMailboxes } from '../../src/app/mailbox-queries.js';
import { renderMailboxes } from '../../src/cli/render-state.js';

export default class Mailboxes extends BaseCommand {
  static summary = 'List connected mailboxes: status, sync state, cursor, last sync, message count.';
  static storeAccess = 'read' as const;
  static examples = ['<%= config.bin %> mailboxes', '<%= config.bin %> mailboxes --json | jq ".[].status"'];

  async run() {
    await this.parse(Mailboxes);
    const mailboxes = await listMailboxes(await this.ctx.storage(), Date.now());
    this.out(renderMailboxes(mailboxes));
    return mailboxes;
  }
}
