/**
 * Whether a finished `listen` succeeded (CI mode) — every event delivered, none rejected,
 * --exit-after reached — and, when not, a message that says what really happened: nothing
 * answered, the app answered and refused, or no event arrived at all (then nothing is "kept").
 */
import { MailmonError } from '../core/errors.js';
import { appAnswered } from '../core/delivery-outcome.js';
import type { ListenResult } from './listen.js';

/** listen's closing record (the last `--json` line). */
export function listenSummary(result: ListenResult) {
  const { consumer, delivered, rejected, pending, pendingAfterFailure, timedOut, stoppedBecause, watermark } = result;
  return { consumer, delivered, rejected, pending, pendingAfterFailure, timedOut, stoppedBecause, watermark };
}

export function listenOutcomeError(result: ListenResult, options: { exitAfter?: number; timeoutSeconds?: number; url: string }): MailmonError | null {
  const missedTarget = options.exitAfter !== undefined && result.delivered < options.exitAfter && result.timedOut;
  if (result.pendingAfterFailure === 0 && result.rejected === 0 && !missedTarget) return null;
  const counts = [`${result.delivered} delivered`];
  if (result.rejected > 0) counts.push(`${result.rejected} rejected by the app`);
  counts.push(`${result.pending} undelivered${result.pendingAfterFailure > 0 ? ` (${result.pendingAfterFailure} failing)` : ''}`);
  const when = result.timedOut ? `Timed out after ${options.timeoutSeconds}s` : 'Stopped';
  const target = missedTarget ? ` (--exit-after ${options.exitAfter} not reached)` : '';
  return new MailmonError(result.timedOut ? 'timeout' : 'delivery_failed', `${when} with ${counts.join(', ')}${target}.`, { hint: hint(result, options.url) });
}

function hint(result: ListenResult, url: string): string {
  const failure = result.lastFailure;
  const kept = result.pending > 0 ? ` The ${result.pending} undelivered event(s) are kept: run listen again to resume.` : '';
  if (failure && (result.pendingAfterFailure > 0 || result.rejected > 0)) {
    if (!appAnswered(failure.verdict)) return `Nothing answered at ${url} (${failure.error ?? 'no response'}): check that your app is up and listening there.${kept}`;
    const answer = failure.status !== null ? `HTTP ${failure.status}` : (failure.error ?? 'an error');
    const rejected = result.rejected > 0 ? ` Rejected events are not sent again by listen: once the app accepts them, re-send them with "mailmon replay --since TIME --forward-to ${url}".` : '';
    return `Your app answered ${answer} (rejected): see its logs, or run with --show-response.${rejected}${kept}`;
  }
  // Nothing failed: no event (or too few) arrived while listen ran, so nothing is waiting either.
  return 'listen forwards events committed after it started: cause them once it is ready (under --json, wait for its first stdout line {"type":"ready",…}), or pass --from-start or --since. Check that something syncs the mailbox (the daemon, or listen itself unless --no-sync) and the --events / --mailbox filters.';
}
