/** What `listen` prints without --forward-to: one line per event, the same columns as `tail`. */
import type { MailmonEvent } from '../core/events.js';
import { paint } from './output.js';
import { eventSummary } from './render-state.js';

export function renderPrintedEvent(event: MailmonEvent, color: boolean): string {
  return `${event.occurredAt.slice(11, 19)}  ${paint('cyan', event.type.padEnd(22), color)} ${event.emailAddress}  ${eventSummary(event)}`;
}

export function renderPrintNote(info: { syncing: boolean; daemonPid: number | null }): string {
  const source = info.daemonPid !== null ? `events committed by the daemon (pid ${info.daemonPid})` : info.syncing ? 'events as this process syncs the mailboxes' : 'events committed by the daemon or "mailmon sync"';
  return `No --forward-to: printing ${source} here, like "mailmon tail" (add --forward-to URL to POST them to your app; ^C to quit).\n`;
}
