import type { DemoSummary } from '../app/demo.js';
import type { MailmonEvent } from '../core/events.js';
import type { ReceivedDelivery } from '../app/demo.js';
import { eventSummary } from './render-state.js';
import { paint } from './output.js';

export function renderDemoEvent(event: MailmonEvent, delivery: ReceivedDelivery | undefined, color: boolean): string {
  const outcome = !delivery ? paint('red', '✗ not delivered', color) : delivery.verified ? paint('green', '→ delivered, signature verified ✓', color) : paint('red', `→ delivered, signature REJECTED (${delivery.error})`, color);
  return `   ${paint('cyan', event.type.padEnd(22), color)} ${paint('dim', event.id, color)}  ${eventSummary(event)}\n      ${outcome}`;
}

export function renderDemoSummary(summary: DemoSummary, color: boolean): string {
  const ok = summary.nothingLost && summary.rejected === 0;
  return [
    '',
    paint('bold', 'Summary', color),
    `  events in the log       ${summary.events} (after the initial sync of ${summary.initialMessages} messages)`,
    `  deliveries received     ${summary.deliveries} (live + ${summary.replay.sent} replayed)`,
    `  signatures verified     ${summary.verified} of ${summary.deliveries}`,
    `  recoveries              ${summary.recoveries.length === 0 ? 'none' : summary.recoveries.join('; ')}`,
    `  ${ok ? paint('green', '✓ Every event was delivered and verified. Nothing lost.', color) : paint('red', '✗ Something was not delivered or did not verify.', color)}`,
    '',
    'Next: "mailmon login" with a real Gmail account, "mailmon daemon start", "mailmon listen --forward-to <your app>".',
  ].join('\n');
}
