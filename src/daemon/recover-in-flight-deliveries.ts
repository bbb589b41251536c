/**
 * Recovery hook for endpoint deliveries left "in flight" by a daemon that died mid-POST.
 * The endpoint delivery worker (src/daemon/delivery-service.ts, another branch) fills this in:
 * it should move such attempts back to "pending" so they are retried (at-least-once).
 * Until then it is a no-op that reports nothing recovered.
 */
import type Database from 'better-sqlite3';

export function recoverInFlightDeliveries(_deps: { sqlite: Database.Database; now: number; isAlive: (pid: number) => boolean }): number {
  return 0;
}
