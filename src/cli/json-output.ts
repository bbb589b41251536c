/**
 * The one shape rule for machine output: points in time are ISO 8601 strings. Use cases keep
 * epoch milliseconds (they compute with them); this boundary turns every timestamp field —
 * named `…At`, `…Since` or `at` — into an ISO string, for `--json` results and NDJSON lines alike.
 * Durations stay numbers and say their unit (`uptimeMs`, `lagMs`).
 */

const TIMESTAMP_KEY = /(?:At|Since)$|^at$/;

export function toJsonOutput(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonOutput);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = TIMESTAMP_KEY.test(key) && typeof field === 'number' && Number.isFinite(field) ? new Date(field).toISOString() : toJsonOutput(field);
  }
  return out;
}

/** One NDJSON line (no trailing newline). */
export function jsonLine(value: unknown): string {
  return JSON.stringify(toJsonOutput(value));
}
