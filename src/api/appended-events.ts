/**
 * Moves `mailmon_events_appended_total`: follows the log from its head at start and counts each
 * new event by type, woken by the ChangeNotifier port (whichever process committed them).
 * Events are appended inside the store's own transactions, so the log is where they are seen.
 */
import type { ChangeMark } from '../app/ports/change-notifier.js';
import type { Metrics } from '../app/ports/metrics.js';
import type { Storage } from '../app/ports/storage.js';
import { isStoreOutage } from '../core/errors.js';

export interface AppendedEventsDeps {
  storage: Pick<Storage, 'events' | 'changes'>;
  metrics: Pick<Metrics, 'eventsAppended'>;
  signal: AbortSignal;
  /** A failed read of the log: reported (a store outage once), then retried at the next wake-up. */
  onError: (error: unknown) => void;
  recheckMs?: number;
}

const BATCH = 1_000;

export async function countAppendedEvents(deps: AppendedEventsDeps): Promise<void> {
  const { events, changes } = deps.storage;
  let cursor: number | undefined;
  // A store out of reach is reported once, not at every retry, until a read succeeds again.
  let outage = false;
  while (!deps.signal.aborted) {
    let mark: ChangeMark | undefined;
    try {
      // Marked before reading: a commit during the read wakes the wait below at once.
      mark = await changes.mark();
      cursor ??= await events.head();
      cursor = await countUpToHead(deps, cursor);
      outage = false;
    } catch (error) {
      if (!(outage && isStoreOutage(error))) deps.onError(error);
      outage = isStoreOutage(error);
    }
    await (mark ? changes.waitForChange(mark, deps.recheckMs ?? 1_000, deps.signal) : sleepOrAbort(deps.recheckMs ?? 1_000, deps.signal));
  }
}

/** Counts the events after `cursor` up to the head; returns the new cursor. */
async function countUpToHead(deps: AppendedEventsDeps, cursor: number): Promise<number> {
  const head = await deps.storage.events.head();
  while (cursor < head) {
    const batch = await deps.storage.events.readAfter(cursor, BATCH, { maxSequence: head });
    if (batch.length === 0) break;
    const byType = new Map<string, number>();
    for (const event of batch) byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
    for (const [type, count] of byType) deps.metrics.eventsAppended(type, count);
    cursor = batch[batch.length - 1].sequence;
  }
  return Math.max(cursor, head);
}

/** After a failed mark (the store unreachable): wait before trying again. */
function sleepOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
