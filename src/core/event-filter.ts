/** Turns a user's `--events` patterns into the exact event types a SQL filter needs. Pure. */
import { EVENT_TYPES, matchesAnyEventType, parseEventTypeList, type EventType } from './events.js';

/** undefined when no filter was given; otherwise the exact types the patterns match. */
export function expandEventTypes(input: string | undefined): EventType[] | undefined {
  if (input === undefined || input.trim() === '') return undefined;
  const patterns = parseEventTypeList(input);
  return EVENT_TYPES.filter((type) => matchesAnyEventType(patterns, type));
}
