import { describe, expect, it } from 'vitest';
import { formatDuration, formatSpan, parseDuration, parseSchedule, parseTime } from '../../src/core/durations.js';
import { hasCode } from '../../src/core/errors.js';

describe('durations', () => {
  it('parses the forms users type', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('7d')).toBe(604_800_000);
  });

  it.each(['', '5', 'abc', '5x', '-1s', '1h30'])('rejects %j with a bad_duration error naming the accepted forms', (input) => {
    let caught: unknown;
    try {
      parseDuration(input);
    } catch (error) {
      caught = error;
    }
    expect(hasCode(caught, 'bad_duration')).toBe(true);
    expect((caught as { hint: string }).hint).toMatch(/500ms, 30s, 5m, 2h or 7d/);
  });

  it('parses schedules and formats durations back', () => {
    expect(parseSchedule('0s,1m,5m')).toEqual([0, 60_000, 300_000]);
    expect(formatDuration(60_000)).toBe('1m');
    expect(formatDuration(250)).toBe('250ms');
  });

  it('formats spans for people in their two largest units', () => {
    expect([250, 40_000, 16 * 60_000, 2076 * 60_000, 86_400_000, 2 * 86_400_000 + 3 * 3_600_000 + 59_000].map(formatSpan)).toEqual(['250ms', '40s', '16m', '1d 10h', '1d', '2d 3h']);
  });

  it('parses times: ISO, dates and durations ago, relative to an injected now', () => {
    const now = Date.parse('2026-05-04T10:00:00Z');
    expect(parseTime('1h', now)).toBe(now - 3_600_000);
    expect(parseTime('2026-05-04T09:00:00Z', now)).toBe(Date.parse('2026-05-04T09:00:00Z'));
    expect(parseTime('2026-05-01', now)).toBe(Date.parse('2026-05-01'));
    expect(() => parseTime('yesterday', now)).toThrow(/Invalid time/);
  });
});
