/**
 * The one way the readers (listen, listen-print, tail, replay) read the log: the head first,
 * then events up to it. Every sequence at or below the head is committed and none can still
 * appear, so a reader that moves its position to `scannedTo` never skips an event that commits
 * late.
 */
import type { MailmonEvent } from '../core/events.js';
import type { ChangeMark } from './ports/change-notifier.js';
import type { EventFilter, StoredEvent } from './ports/event-log.js';
import type { Storage } from './ports/storage.js';

export interface LogBatch {
  /** Matching events, oldest first. */
  events: StoredEvent[];
  /** The last sequence looked at (filtered-out ones included): the next read starts after it. */
  scannedTo: number;
}

/** A reader's view of the log: batches read up to the head, and a wait for more. */
export interface EventSource {
  read(afterSequence: number, limit: number): Promise<LogBatch>;
  /** Resolves when events may have been committed since the last read (or after `timeoutMs`). */
  waitForChange(timeoutMs: number, signal: AbortSignal): Promise<void>;
}

/** Up to `limit` matching events after `afterSequence`, none above the head (nor `filter.maxSequence`). */
export async function readUpToHead(log: Storage['events'], afterSequence: number, limit: number, filter: EventFilter = {}): Promise<LogBatch> {
  const head = Math.min(await log.head(), filter.maxSequence ?? Infinity);
  const events = await log.readAfter(afterSequence, limit, { ...filter, maxSequence: head });
  const scannedTo = events.length === limit ? events[events.length - 1].sequence : Math.max(head, afterSequence);
  return { events, scannedTo };
}

/**
 * The log as a live source: each read notes where the store's changes stood just before it, so
 * the wait that follows returns at once for anything committed since — even during the read.
 */
export function followLog(deps: Pick<Storage, 'events' | 'changes'>, filter: EventFilter = {}): EventSource {
  let mark: ChangeMark | undefined;
  return {
    async read(afterSequence, limit) {
      mark = await deps.changes.mark();
      return readUpToHead(deps.events, afterSequence, limit, filter);
    },
    async waitForChange(timeoutMs, signal) {
      await deps.changes.waitForChange(mark ?? (await deps.changes.mark()), timeoutMs, signal);
    },
  };
}

/** A finite source: the matching events up to a fixed head; waiting returns at once. */
export function boundedLog(log: Storage['events'], filter: EventFilter & { maxSequence: number }): EventSource {
  return {
    read: (afterSequence, limit) => readUpToHead(log, afterSequence, limit, filter),
    waitForChange: async () => undefined,
  };
}

/** A stored event's body is the exact JSON consumers receive. */
export function parseEvent(body: string): MailmonEvent {
  return JSON.parse(body) as MailmonEvent;
}
