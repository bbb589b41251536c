import { BaseCommand } from '../src/cli/base-command.js';
import { eventTypesFlag, mailboxFlag, integerFlag, MAX_LIMIT } from '../src/cli/flags.js';
import { interruptSignal, tailDeps } from '../src/cli/wiring.js';
import { eventSummary } from '../src/cli/render-state.js';
import { paint } from '../src/cli/output.js';
import { eventFilter } from '../src/app/event-queries.js';
import { tailEvents } from '../src/app/tail.js';
import type { MailmonEvent } from '../src/core/events.js';

export default class Tail extends BaseCommand {
  static summary = 'Follow the event log live, like tail -f (the last few events first).';
  static storeAccess = 'read' as const;
  static examples = ['<%= config.bin %> tail', '<%= config.bin %> tail --events message.* --last 20', '<%= config.bin %> tail --json | jq .type'];
  static flags = { events: eventTypesFlag, mailbox: mailboxFlag, last: integerFlag({ char: 'n', description: 'How many past events to show first.', default: 10, min: 0, max: MAX_LIMIT }) };

  async run() {
    const { flags } = await this.parse(Tail);
    const deps = await tailDeps(this.ctx);
    const signal = interruptSignal();
    const events = tailEvents(deps, { last: flags.last, filter: await eventFilter(deps, { types: flags.events, mailbox: flags.mailbox }), signal });
    const describe = (event: MailmonEvent) => ({ key: event.id, time: event.occurredAt.slice(11, 19), type: event.type, mailbox: event.emailAddress, summary: eventSummary(event) });
    if (this.jsonEnabled()) {
      for await (const event of events) process.stdout.write(`${JSON.stringify(event)}\n`);
    } else if (process.stdout.isTTY) {
      const { renderTail } = await import('../src/ui/tail-view.js');
      await renderTail(events, describe, signal);
    } else {
      for await (const event of events) {
        const line = describe(event);
        process.stdout.write(`${line.time}  ${paint('cyan', line.type.padEnd(22), this.color)} ${line.mailbox}  ${line.summary}\n`);
      }
    }
    if (this.jsonEnabled()) this.exit(0);
  }
}
