/** core/push: how a recorded watch reads, when it is due, and which notifications are news. */
import { describe, expect, it } from 'vitest';
import { DAY_MS, historyAfter, watchDue, watchHealth, type WatchRecord } from '../../src/core/push.js';
import { settingSpec } from '../../src/core/settings.js';

const T = Date.parse('2026-05-04T10:00:00Z');
const active: WatchRecord = { topic: 'projects/p/topics/t', state: 'active', expiration: T + 7 * DAY_MS, watchedAt: T, error: null, updatedAt: T };
const due = (watch: WatchRecord | null, now: number, topic = active.topic) => watchDue(watch, { topic, now, renewEveryMs: DAY_MS, failedRetryMs: 600_000 });

describe('watchHealth', () => {
  it('active, expiring in the last day, expired, failed, stopped', () => {
    expect(watchHealth(active, T)).toBe('active');
    expect(watchHealth(active, T + 6.5 * DAY_MS)).toBe('expiring');
    expect(watchHealth(active, T + 7 * DAY_MS)).toBe('expired');
    expect(watchHealth({ ...active, state: 'failed', error: 'x' }, T)).toBe('failed');
    expect(watchHealth({ ...active, state: 'stopped' }, T)).toBe('stopped');
    expect(watchHealth({ ...active, expiration: null }, T)).toBe('expired');
  });
});

describe('watchDue', () => {
  it('renews daily, at once for a new topic or no watch, and retries a failed one after failedRetryMs', () => {
    expect(due(null, T)).toBe(true);
    expect(due(active, T + 3600_000)).toBe(false);
    expect(due(active, T + DAY_MS)).toBe(true);
    expect(due(active, T, 'projects/p/topics/other')).toBe(true);
    const failed = { ...active, state: 'failed' as const, updatedAt: T };
    expect(due(failed, T + 1000)).toBe(false);
    expect(due(failed, T + 600_000)).toBe(true);
    // A watch Gmail gave a short life is renewed within a day of its end.
    expect(due({ ...active, expiration: T + DAY_MS / 2 }, T + 1000)).toBe(true);
  });
});

describe('historyAfter', () => {
  it('compares decimal history ids as numbers, beyond 2^53', () => {
    expect(historyAfter('10', '9')).toBe(true);
    expect(historyAfter('9', '10')).toBe(false);
    expect(historyAfter('10', '10')).toBe(false);
    expect(historyAfter('18446744073709551615', '18446744073709551614')).toBe(true);
    expect(historyAfter('5', null)).toBe(true);
  });
});

describe('push settings', () => {
  it('validate Pub/Sub resource names and the credentials choice', () => {
    expect(() => settingSpec('push.topic').validate('projects/p/topics/gmail')).not.toThrow();
    expect(() => settingSpec('push.topic').validate('gmail')).toThrow(/Invalid value/);
    expect(() => settingSpec('push.subscription').validate('projects/p/topics/gmail')).toThrow(/Invalid value/);
    expect(() => settingSpec('push.credentials').validate('mailbox')).not.toThrow();
    expect(() => settingSpec('push.credentials').validate('key')).toThrow();
    expect(settingSpec('push.poll-interval')).toMatchObject({ default: '10m', daemon: 'live' });
    expect(settingSpec('pubsub.api-url')).toMatchObject({ env: 'MAILMON_PUBSUB_API_URL', default: 'https://pubsub.googleapis.com/' });
  });
});
