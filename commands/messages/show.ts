import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { showMessage } from '../../src/app/message-queries.js';
import { renderMessage } from '../../src/cli/render-state.js';

export default class MessagesShow extends BaseCommand {
  static summary = 'Show one message from the local copy.';
  static storeAccess = 'read' as const;
  static examples = ['<%= config.bin %> messages show msg_01h455vb4pex5vsknk084sn02q', '<%= config.bin %> messages show 18c2f0a1b2c3d4e5 --json'];
  static args = { id: Args.string({ description: 'Message id (msg_…) or Gmail message id', required: true }) };

  async run() {
    const { args } = await this.parse(MessagesShow);
    const message = await showMessage(await this.ctx.storage(), args.id);
    this.out(renderMessage(message));
    return message;
  }
}
