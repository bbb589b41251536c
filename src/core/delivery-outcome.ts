/**
 * What one webhook delivery attempt's result means: the one place that reads a status code or a
 * network error class to decide between "done", "try again" and "stop" (listen, replay, and the
 * 410 rule of registered endpoints). Pure.
 *
 *   2xx ────────────────────────────────────► delivered
 *   410 Gone ───────────────────────────────► gone         stop sending to this target
 *   4xx except 408, 409, 425, 429 ──────────► rejected     the app's final answer: never retried
 *   408, 409, 425, 429, 5xx, 3xx ───────────► failed       the app answered; it may accept later
 *   timeout, refused, reset, DNS, TLS… ─────► unreachable  nothing answered
 *   cancelled by us ────────────────────────► aborted
 */

export type AttemptVerdict = 'delivered' | 'gone' | 'rejected' | 'failed' | 'unreachable' | 'aborted';

/** 4xx statuses that say "not now" rather than "never": timeout, conflict, too early, too many requests. */
export const RETRYABLE_CLIENT_STATUSES: readonly number[] = [408, 409, 425, 429];

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  errorClass: string | null;
}

export function classifyAttempt(result: AttemptResult): AttemptVerdict {
  if (result.ok) return 'delivered';
  if (result.errorClass === 'aborted') return 'aborted';
  if (result.errorClass === 'gone' || result.status === 410) return 'gone';
  if (result.status !== null) {
    if (result.status >= 400 && result.status < 500 && !RETRYABLE_CLIENT_STATUSES.includes(result.status)) return 'rejected';
    return 'failed';
  }
  return 'unreachable';
}

/** Whether the app itself answered (for hints: "rejected" vs "unreachable"). */
export function appAnswered(verdict: AttemptVerdict): boolean {
  return verdict === 'rejected' || verdict === 'failed' || verdict === 'gone';
}
