/** `mailmon tail`: the last N matching events, then every new one as it is committed (like tail -f). */
import type Database from 'better-sqlite3';
import type { MailmonEvent } from '../core/events.js';
import { EventLog, parseStoredEvent, type EventFilter } from '../adapters/sqlite/event-log.js';
import type { LogWatcher } from '../adapters/sqlite/log-watcher.js';

export async function* tailEvents(deps: { sqlite: Database.Database; watcher: LogWatcher }, input: { last: number; filter: EventFilter; signal: AbortSignal }): AsyncGenerator<MailmonEvent> {
  const log = new EventLog(deps.sqlite);
  let position = log.maxSequence();
  for (const event of input.last > 0 ? log.readLatest(input.last, { ...input.filter, maxSequence: position }) : []) yield parseStoredEvent(event);
  while (!input.signal.aborted) {
    const head = log.maxSequence();
    if (head > position) {
      for (const event of log.readAfter(position, 10_000, { ...input.filter, maxSequence: head })) yield parseStoredEvent(event);
      position = head;
      continue;
    }
    await deps.watcher.waitForChange(60_000, input.signal);
  }
}
