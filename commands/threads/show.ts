import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { showThread } from '../../src/app/message-queries.js';
import { renderMessages, renderThreads } from '../../src/cli/render-state.js';

export default class ThreadsShow extends BaseCommand {
  static summary = 'Show one thread and its messages from the local copy.';
  static storeAccess = 'read' as const;
  static examples = ['<%= config.bin %> threads show thr_01h455vb4pex5vsknk084sn02q'];
  static args = { id: Args.string({ description: 'Thread id (thr_…) or Gmail thread id', required: true }) };

  async run() {
    const { args } = await this.parse(ThreadsShow);
    const thread = await showThread(await this.ctx.storage(), args.id);
    this.out(`${renderThreads([thread])}\n${renderMessages(thread.messages)}`);
    return thread;
  }
}
