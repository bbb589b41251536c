/**
 * Retry timing: exponential backoff with jitter, and the server's own word (Retry-After, or
 * Gmail's "Retry after <time>" in a 403 message) when it gives one. Pure: random and now are inputs.
 */

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** A number in [0, 1). */
  random: number;
}

/** "Equal jitter": half the exponential step fixed, half random, capped. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(step / 2 + (step / 2) * options.random);
}

/**
 * The one Retry-After parser (Gmail's API and webhook receivers alike): delta seconds, or an
 * HTTP date, in milliseconds from `now` (never negative); null for anything else. A date must
 * name its month or weekday, so a stray "-1" is not read as the year -1. Callers cap it.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (!/[a-z]/i.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/** Gmail's 403 userRateLimitExceeded says "Retry after 2026-05-04T10:00:00.000Z". */
export function parseRetryAfterMessage(message: string | null | undefined, now: number): number | null {
  const match = message?.match(/Retry after (\d{4}-\d{2}-\d{2}T[\d:.]+Z)/);
  if (!match) return null;
  const at = Date.parse(match[1]);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/** The delay before the next try: the server's hint when present (bounded), else backoff. */
export function retryDelay(attempt: number, hintMs: number | null, options: BackoffOptions & { maxHintMs?: number }): number {
  const computed = backoffDelay(attempt, options);
  if (hintMs === null) return computed;
  return Math.min(Math.max(hintMs, 0), options.maxHintMs ?? 5 * 60_000);
}
