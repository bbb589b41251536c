import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { showEvent } from '../../src/app/event-queries.js';

export default class EventsShow extends BaseCommand {
  static summary = 'Show one event exactly as it is stored and delivered.';
  static storeAccess = 'read' as const;
  static examples = ['<%= config.bin %> events show evt_01h455vb4pex5vsknk084sn02q', '<%= config.bin %> events show 42'];
  static args = { id: Args.string({ description: 'Event id (evt_…) or sequence number', required: true }) };

  async run() {
    const { args } = await this.parse(EventsShow);
    const event = await showEvent(await this.ctx.storage(), args.id);
    this.out(JSON.stringify(event, null, 2));
    return event;
  }
}
