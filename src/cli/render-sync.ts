import type { FetchChoice, SyncSummary } from '../app/sync-mailbox.js';
import type { SyncFailure } from '../app/sync-failure.js';
import { paint, plural } from './output.js';

export function renderSyncSummary(summary: SyncSummary, color: boolean): string {
  const mark = paint('green', '✓', color);
  if (summary.kind === 'noop') return `${mark} ${summary.emailAddress}: up to date${summary.historyId ? ` (history ${summary.historyId})` : ''}`;
  const kind = summary.kind === 'resync' ? 'full resync (history expired)' : summary.kind === 'full' ? 'full sync' : 'incremental sync';
  return `${mark} ${summary.emailAddress}: ${kind} — ${summary.created} created, ${summary.updated} updated, ${summary.deleted} deleted, ${plural(summary.events, 'event')} in ${(summary.durationMs / 1000).toFixed(1)}s (${summary.fetched} fetched, ${summary.quotaUnits} quota units)`;
}

/** `sync --verbose`, one line per thread and page: which Gmail call fetched it. */
export function renderFetchChoice(choice: FetchChoice): string {
  const thread = choice.threadId === null ? 'message without a thread' : `thread ${choice.threadId}`;
  if (choice.call === 'messages.get') return `${thread}: messages.get × ${choice.requested}`;
  return `${thread}: threads.get for ${choice.requested} message${choice.requested === 1 ? '' : 's'}${choice.extra > 0 ? ` (+${choice.extra} listed on later pages)` : ''}`;
}

export function renderSyncFailure(failure: SyncFailure, color: boolean): string {
  return `${paint('red', '✗', color)} ${failure.emailAddress}: ${failure.message}${failure.hint ? `\n  ${paint('dim', '→', color)} ${failure.hint}` : ''}`;
}
