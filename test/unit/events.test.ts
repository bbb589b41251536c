import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, matchesAnyEventType, matchesEventType, parseEventTypeList } from '../../src/core/events.js';
import { hasCode, type MailmonError } from '../../src/core/errors.js';

describe('matchesEventType', () => {
  it('matches exact names, families and everything', () => {
    expect(matchesEventType('message.created', 'message.created')).toBe(true);
    expect(matchesEventType('message.created', 'message.updated')).toBe(false);
    expect(matchesEventType('message.*', 'message.deleted')).toBe(true);
    expect(matchesEventType('message.*', 'mailbox.resynced')).toBe(false);
    expect(matchesEventType('mailbox.*', 'mailbox.status_changed')).toBe(true);
    expect(matchesEventType('*', 'thread.updated')).toBe(true);
    // A family needs the dot: "mail.*" must not match "mailbox.resynced".
    expect(matchesEventType('mail.*', 'mailbox.resynced')).toBe(false);
  });

  it('treats an empty filter list as "everything"', () => {
    expect(matchesAnyEventType([], 'thread.updated')).toBe(true);
    expect(matchesAnyEventType(['message.*', 'thread.updated'], 'thread.updated')).toBe(true);
    expect(matchesAnyEventType(['message.*'], 'thread.updated')).toBe(false);
  });
});

describe('parseEventTypeList', () => {
  it('parses a comma-separated list, trimming and de-duplicating', () => {
    expect(parseEventTypeList('message.*, thread.updated,,message.*')).toEqual(['message.*', 'thread.updated']);
    expect(parseEventTypeList('*')).toEqual(['*']);
    for (const type of EVENT_TYPES) expect(parseEventTypeList(type)).toEqual([type]);
  });

  it('rejects an unknown type with a usage error that suggests the nearest and lists the valid ones', () => {
    let error: MailmonError | undefined;
    try {
      parseEventTypeList('message.created,mesage.updated');
    } catch (caught) {
      error = caught as MailmonError;
    }
    expect(hasCode(error, 'usage')).toBe(true);
    expect(error?.message).toBe('Unknown event type "mesage.updated". Did you mean "message.updated"?');
    for (const type of EVENT_TYPES) expect(error?.hint).toContain(type);
    expect(error?.hint).toContain('message.*');
  });

  it('rejects families and wildcards that match nothing, and an empty list', () => {
    expect(() => parseEventTypeList('invoice.*')).toThrow(/Unknown event type "invoice\.\*"/);
    expect(() => parseEventTypeList('message*')).toThrow(/Unknown event type/);
    expect(() => parseEventTypeList('*.created')).toThrow(/Unknown event type/);
    expect(() => parseEventTypeList(' , ')).toThrow(/No event types given/);
  });
});
