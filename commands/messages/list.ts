import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { limitFlag, mailboxFlag } from '../../src/cli/flags.js';
import { listMessages } from '../../src/app/message-queries.js';
import { renderMessages } from '../../src/cli/render-state.js';

export default class MessagesList extends BaseCommand {
  static summary = 'List messages from the local copy, newest first.';
  static storeAccess = 'read' as const;
  static examples = ['<%= config.bin %> messages list', '<%= config.bin %> messages list --label UNREAD --limit 5', '<%= config.bin %> messages list --json | jq ".[].subject"'];
  static flags = {
    mailbox: mailboxFlag,
    label: Flags.string({ description: 'Only messages with this label id (e.g. INBOX, UNREAD, Label_3).' }),
    thread: Flags.string({ description: 'Only messages of this thread (thr_… or Gmail thread id).' }),
    limit: limitFlag(20),
  };

  async run() {
    const { flags } = await this.parse(MessagesList);
    const messages = await listMessages(await this.ctx.storage(), flags);
    this.out(renderMessages(messages));
    return messages;
  }
}
