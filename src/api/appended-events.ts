/**
 * Moves `mailmon_events_appended_total` in a process that does not append events itself (the
 * API alone): follows the log from its head at start and counts each new event by type.
 * Events are appended inside the store's own transactions, so the log is where they are seen.
 */
import type { EventLog } from '../app/ports/event-log.js';
import type { Metrics } from '../app/ports/metrics.js';
import type { WaitForChange } from './routes/stream.js';

export interface AppendedEventsDeps {
  events: Pick<EventLog, 'head' | 'readAfter'>;
  metrics: Pick<Metrics, 'eventsAppended'>;
  waitForChange: WaitForChange;
  signal: AbortSignal;
  /** A failed read of the log: reported, then retried at the next wake-up. */
  onError: (error: unknown) => void;
  recheckMs?: number;
}

const BATCH = 1_000;

export async function countAppendedEvents(deps: AppendedEventsDeps): Promise<void> {
  let cursor: number | undefined;
  while (!deps.signal.aborted) {
    try {
      cursor ??= await deps.events.head();
      cursor = await countUpToHead(deps, cursor);
    } catch (error) {
      deps.onError(error);
    }
    await deps.waitForChange(deps.recheckMs ?? 1_000, deps.signal);
  }
}

/** Counts the events after `cursor` up to the head; returns the new cursor. */
async function countUpToHead(deps: AppendedEventsDeps, cursor: number): Promise<number> {
  const head = await deps.events.head();
  while (cursor < head) {
    const batch = await deps.events.readAfter(cursor, BATCH, { maxSequence: head });
    if (batch.length === 0) break;
    const byType = new Map<string, number>();
    for (const event of batch) byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
    for (const [type, count] of byType) deps.metrics.eventsAppended(type, count);
    cursor = batch[batch.length - 1].sequence;
  }
  return Math.max(cursor, head);
}
