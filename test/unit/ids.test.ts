import { TypeID, typeid } from 'typeid-js';
import { describe, expect, it } from 'vitest';
import { encodeBase32, newId, uuidV7 } from '../../src/adapters/system/ids.js';

describe('newId', () => {
  it('makes TypeIDs that the reference library parses, with a version-7 UUID of the current time', () => {
    const before = Date.now();
    const id = newId('dlv');
    const after = Date.now();
    const parsed = TypeID.fromString(id, 'dlv');
    const uuid = parsed.toUUID();
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(uuid.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('encodes exactly as the reference library does', () => {
    for (let i = 0; i < 2000; i++) {
      const reference = typeid('evt');
      expect(encodeBase32(reference.toUUIDBytes())).toBe(reference.getSuffix());
    }
    expect(encodeBase32(new Uint8Array(16).fill(0xff))).toBe('7zzzzzzzzzzzzzzzzzzzzzzzzz');
    expect(encodeBase32(new Uint8Array(16))).toBe('00000000000000000000000000');
  });

  it('sorts in the order the ids were made, unique, also within one millisecond', () => {
    const ids = Array.from({ length: 50_000 }, () => newId('evt'));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.findIndex((id, i) => i > 0 && id <= ids[i - 1])).toBe(-1);
  });

  it('stays in order when the clock steps back', () => {
    const first = encodeBase32(uuidV7(Date.now() + 60_000));
    const second = encodeBase32(uuidV7(Date.now()));
    expect(second > first).toBe(true);
    expect(TypeID.fromString(`evt_${second}`).getType()).toBe('evt');
  });
});
