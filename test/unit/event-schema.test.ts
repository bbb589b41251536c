import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { eventJsonSchema } from '../../src/core/event-schema.js';
import { EVENT_TYPES } from '../../src/core/events.js';
import { sampleEventList, sampleEvents } from '../support/sample-events.js';

function validator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(eventJsonSchema);
}

describe('eventJsonSchema', () => {
  const validate = validator();

  it('is a draft 2020-12 schema (compiled above in strict mode) with one data definition per type', () => {
    expect(eventJsonSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(eventJsonSchema.oneOf).toHaveLength(EVENT_TYPES.length);
    expect(Object.keys(eventJsonSchema.$defs)).toHaveLength(EVENT_TYPES.length + 1);
  });

  it.each(EVENT_TYPES)('accepts a sample %s event', (type) => {
    const valid = validate(sampleEvents[type]);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('accepts events that went through JSON (what a receiver gets)', () => {
    for (const event of sampleEventList) expect(validate(JSON.parse(JSON.stringify(event)))).toBe(true);
  });

  it('rejects data of the wrong shape for the declared type', () => {
    const swapped = { ...sampleEvents['message.created'], data: sampleEvents['mailbox.resynced'].data };
    expect(validate(swapped)).toBe(false);
    const updatedWithoutDiff = { ...sampleEvents['message.updated'], data: sampleEvents['message.created'].data };
    expect(validate(updatedWithoutDiff)).toBe(false);
  });

  it('rejects unknown types, missing and extra fields, bad ids and bad timestamps', () => {
    const base = sampleEvents['message.created'];
    expect(validate({ ...base, type: 'message.exploded' })).toBe(false);
    const { sequence: _sequence, ...withoutSequence } = base;
    expect(validate(withoutSequence)).toBe(false);
    expect(validate({ ...base, extra: true })).toBe(false);
    expect(validate({ ...base, data: { ...base.data, extra: true } })).toBe(false);
    expect(validate({ ...base, id: '01jt0000' })).toBe(false);
    expect(validate({ ...base, occurredAt: 'yesterday' })).toBe(false);
    expect(validate({ ...base, schemaVersion: 2 })).toBe(false);
    expect(validate({ ...base, data: { ...base.data, from: { address: 'a@b.c' } } })).toBe(false);
    expect(validate({ ...sampleEvents['mailbox.resynced'], data: { ...sampleEvents['mailbox.resynced'].data, reason: 'boredom' } })).toBe(false);
  });
});
