/** `mailmon tail`: the last N matching events, then every new one as it is committed (like tail -f). */
import type { MailmonEvent } from '../core/events.js';
import type { EventFilter } from './ports/event-log.js';
import type { Storage } from './ports/storage.js';
import { followLog, parseEvent } from './read-log.js';

const PAGE = 1000;

export async function* tailEvents(deps: Pick<Storage, 'events' | 'changes'>, input: { last: number; filter: EventFilter; signal: AbortSignal }): AsyncGenerator<MailmonEvent> {
  const source = followLog(deps, input.filter);
  let position = await deps.events.head();
  if (input.last > 0) for (const event of await deps.events.readLatest(input.last, { ...input.filter, maxSequence: position })) yield parseEvent(event.body);
  while (!input.signal.aborted) {
    const { events, scannedTo } = await source.read(position, PAGE);
    for (const event of events) yield parseEvent(event.body);
    position = scannedTo;
    // A full page: more may be waiting already, so read on before waiting.
    if (events.length < PAGE) await source.waitForChange(60_000, input.signal);
  }
}
