import type { SyncSummary } from '../app/sync-mailbox.js';
import type { SyncFailure } from '../app/sync-failure.js';
import { paint } from './output.js';

export function renderSyncSummary(summary: SyncSummary, color: boolean): string {
  const mark = paint('green', '✓', color);
  if (summary.kind === 'noop') return `${mark} ${summary.emailAddress}: up to date (history ${summary.historyId})`;
  const kind = summary.kind === 'resync' ? 'full resync (history expired)' : summary.kind === 'full' ? 'full sync' : 'incremental sync';
  return `${mark} ${summary.emailAddress}: ${kind} — ${summary.created} created, ${summary.updated} updated, ${summary.deleted} deleted, ${summary.events} events in ${(summary.durationMs / 1000).toFixed(1)}s (${summary.fetched} fetched, ${summary.quotaUnits} quota units)`;
}

export function renderSyncFailure(failure: SyncFailure, color: boolean): string {
  return `${paint('red', '✗', color)} ${failure.emailAddress}: ${failure.message}${failure.hint ? `\n  ${paint('dim', '→', color)} ${failure.hint}` : ''}`;
}
