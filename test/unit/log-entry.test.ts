import { describe, expect, it } from 'vitest';
import { formatLogEntry, logEntry, parseLogLine } from '../../src/core/log-entry.js';

describe('daemon log entries', () => {
  it('round-trips a JSON line and renders it for humans', () => {
    const entry = logEntry('warn', 'sync failed', { mailbox: 'dev@mailmon.test', retryInMs: 5000, error: 'token revoked by user' }, Date.parse('2026-11-22T05:50:01.123Z'));
    expect(parseLogLine(JSON.stringify(entry))).toEqual(entry);
    expect(formatLogEntry(entry)).toBe('2026-11-22 05:50:01  WARN   sync failed  mailbox=dev@mailmon.test retryInMs=5000 error="token revoked by user"');
  });

  it('keeps a line that is not JSON as a message instead of dropping it', () => {
    expect(parseLogLine('Error: boom')).toEqual({ time: '', level: 'info', msg: 'Error: boom' });
    expect(parseLogLine('   ')).toBeNull();
  });
});
