/**
 * Gmail push, the pure part: how a recorded watch reads (active, expiring, expired, failed,
 * stopped), when it is due for renewal, and whether a notification is news. A push is a wake-up,
 * never truth: nothing here decides what changed, only when to look.
 *
 *   (none) ──watch ok──▶ active ──renewal due (daily)──▶ watch again ──ok──▶ active
 *                          │  └─ < 1 day left ─▶ expiring          └─fail─▶ failed (poll at the normal interval)
 *                          └─ expiration passed ─▶ expired (poll at the normal interval)
 */

export const DAY_MS = 24 * 3600 * 1000;

export type WatchHealth = 'active' | 'expiring' | 'expired' | 'failed' | 'stopped';

export interface WatchRecord {
  topic: string;
  state: 'active' | 'failed' | 'stopped';
  expiration: number | null;
  watchedAt: number | null;
  error: string | null;
  updatedAt: number;
}

/** How a watch reads at `now`: a failed renewal of a watch that has not expired yet is still `failed`. */
export function watchHealth(watch: WatchRecord, now: number): WatchHealth {
  if (watch.state === 'stopped') return 'stopped';
  if (watch.state === 'failed') return 'failed';
  if (watch.expiration === null || watch.expiration <= now) return 'expired';
  return watch.expiration - now < DAY_MS ? 'expiring' : 'active';
}

/** Whether users.watch should be called now: Google recommends renewing daily, well before the 7-day expiration. */
export function watchDue(watch: WatchRecord | null, input: { topic: string; now: number; renewEveryMs: number; failedRetryMs: number }): boolean {
  if (!watch || watch.topic !== input.topic || watch.state === 'stopped') return true;
  if (watch.state === 'failed') return input.now - watch.updatedAt >= input.failedRetryMs;
  if (watch.watchedAt === null || input.now - watch.watchedAt >= input.renewEveryMs) return true;
  return watch.expiration === null || watch.expiration - input.now <= input.renewEveryMs;
}

/** historyIds are decimal strings of unsigned 64-bit numbers. */
export function historyAfter(historyId: string, cursor: string | null): boolean {
  return cursor === null || cursor === '' || BigInt(historyId) > BigInt(cursor);
}
