/** Event-type filters as users type them: `message.*,thread.updated`. Pure. */
import { MailmonError } from './errors.js';
import { EVENT_TYPES, type EventType } from './events.js';

export function matchesEventType(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** Expands a comma-separated list of types and wildcards to the exact types; rejects unknown ones. */
export function expandEventTypes(input: string | undefined): EventType[] | undefined {
  if (input === undefined || input.trim() === '') return undefined;
  const patterns = input.split(',').map((part) => part.trim()).filter(Boolean);
  const result = new Set<EventType>();
  for (const pattern of patterns) {
    const matched = EVENT_TYPES.filter((type) => matchesEventType(pattern, type));
    if (matched.length === 0) {
      throw new MailmonError('usage', `Unknown event type "${pattern}".`, { hint: `Use one of ${EVENT_TYPES.join(', ')}, or a wildcard like message.*.` });
    }
    for (const type of matched) result.add(type);
  }
  return [...result];
}
