import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { limitFlag, mailboxFlag } from '../../src/cli/flags.js';
import { listThreads } from '../../src/app/message-queries.js';
import { renderThreads } from '../../src/cli/render-state.js';

export default class ThreadsList extends BaseCommand {
  static summary = 'List threads from the local copy, most recent first.';
  static storeAccess = 'read' as const;
  static examples = ['<%= config.bin %> threads list', '<%= config.bin %> threads list --label INBOX --json'];
  static flags = { mailbox: mailboxFlag, label: Flags.string({ description: 'Only threads with this label id on any message.' }), limit: limitFlag(20) };

  async run() {
    const { flags } = await this.parse(ThreadsList);
    const threads = await listThreads(await this.ctx.storage(), flags);
    this.out(renderThreads(threads));
    return threads;
  }
}
