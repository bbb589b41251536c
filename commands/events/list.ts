import { BaseCommand } from '../../src/cli/base-command.js';
import { eventTypesFlag, lastFlag, limitFlag, mailboxFlag, sinceFlag, timeWindow, untilFlag } from '../../src/cli/flags.js';
import { listEvents, severalMailboxes } from '../../src/app/event-queries.js';
import { renderEvents } from '../../src/cli/render-state.js';

export default class EventsList extends BaseCommand {
  static summary = 'List events from the durable log (the newest ones, oldest first).';
  static storeAccess = 'read' as const;
  static examples = [
    '<%= config.bin %> events list',
    '<%= config.bin %> events list --last 1h --events message.*',
    '<%= config.bin %> events list --mailbox you@example.com --limit 100 --json',
  ];
  static flags = { events: eventTypesFlag, mailbox: mailboxFlag, since: sinceFlag, until: untilFlag, last: lastFlag, limit: limitFlag(50) };

  async run() {
    const { flags } = await this.parse(EventsList);
    const storage = await this.ctx.storage();
    const events = await listEvents(storage, { types: flags.events, mailbox: flags.mailbox, limit: flags.limit, ...timeWindow(flags, Date.now()) });
    this.out(renderEvents(events, { mailboxColumn: await severalMailboxes(storage) }));
    return events;
  }
}
