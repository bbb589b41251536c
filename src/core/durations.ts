/**
 * Durations and points in time as users type them: `500ms`, `30s`, `5m`, `2h`, `7d`, and
 * ISO-8601 timestamps. Parsing is done by the `ms` library; this module only validates and
 * turns failures into one clear error naming the accepted forms.
 */
import parseMs from 'ms';
import { MailmonError } from './errors.js';

export const DURATION_FORMS = 'a number with a unit, like 500ms, 30s, 5m, 2h or 7d';
export const TIME_FORMS = 'an ISO timestamp like 2026-05-04T10:00:00Z, a date like 2026-05-04, or a duration ago like 1h';

/** Parses a duration to milliseconds. A bare number is rejected: units are required. */
export function parseDuration(input: string, what = 'duration'): number {
  const text = input.trim();
  const value = /^\d+(\.\d+)?\s*[a-zA-Z]+$/.test(text) ? parseMs(text as parseMs.StringValue) : undefined;
  if (value === undefined || !Number.isFinite(value) || value < 0) {
    throw new MailmonError('bad_duration', `Invalid ${what} "${input}".`, { hint: `Use ${DURATION_FORMS}.` });
  }
  return value;
}

export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`;
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  for (const [unit, size] of units) {
    if (milliseconds % size === 0) return `${milliseconds / size}${unit}`;
  }
  return parseMs(milliseconds);
}

/** For people, not for parsing back: the two largest units, e.g. `34h 36m`, `16m`, `2d 3h`, `40s`. */
export function formatSpan(milliseconds: number): string {
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  const first = units.findIndex(([, size]) => milliseconds >= size);
  if (first === -1) return `${Math.max(0, Math.round(milliseconds))}ms`;
  const [unit, size] = units[first];
  const whole = Math.floor(milliseconds / size);
  const next = units[first + 1];
  const rest = next ? Math.floor((milliseconds - whole * size) / next[1]) : 0;
  return rest > 0 ? `${whole}${unit} ${rest}${next![0]}` : `${whole}${unit}`;
}

/** Parses a comma-separated schedule of durations, e.g. `1s,5s,30s,60s`. */
export function parseSchedule(input: string, what = 'schedule'): number[] {
  const parts = input.split(',').map((part) => part.trim()).filter(Boolean);
  if (parts.length === 0) {
    throw new MailmonError('bad_duration', `Invalid ${what} "${input}".`, { hint: `Use comma-separated durations, each ${DURATION_FORMS}.` });
  }
  return parts.map((part) => parseDuration(part, what));
}

/**
 * Parses a point in time: an ISO timestamp, a date, or a duration meaning "that long before now".
 * `now` is a parameter so this stays pure.
 */
export function parseTime(input: string, now: number, what = 'time'): number {
  const text = input.trim();
  if (/^\d+(\.\d+)?\s*[a-zA-Z]+$/.test(text)) {
    const ago = parseMs(text as parseMs.StringValue);
    if (ago !== undefined && Number.isFinite(ago)) return now - ago;
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const value = Date.parse(text);
    if (Number.isFinite(value)) return value;
  }
  throw new MailmonError('bad_time', `Invalid ${what} "${input}".`, { hint: `Use ${TIME_FORMS}.` });
}
