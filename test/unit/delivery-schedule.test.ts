import { describe, expect, it } from 'vitest';
import { healthAfterAttempt, healthForFailures, jitter, matchesSubscriptions, nextStep, type AttemptOutcome } from '../../src/core/delivery-schedule.js';
import { parseSchedule } from '../../src/core/durations.js';

const schedule = parseSchedule('0s,1m,5m,30m,2h,8h,24h');
const failed = (overrides: Partial<AttemptOutcome> = {}): AttemptOutcome => ({ ok: false, status: 500, errorClass: 'http_status', retryAfterMs: null, ...overrides });
const middle = () => 0.5;

describe('nextStep', () => {
  it('follows the schedule after each failed attempt and gives up after the last', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => nextStep({ attempt, outcome: failed(), scheduleMs: schedule, random: middle }));
    expect(delays.map((step) => (step.kind === 'retry' ? step.delayMs : null))).toEqual([60_000, 300_000, 1_800_000, 7_200_000, 28_800_000, 86_400_000]);
    expect(nextStep({ attempt: 7, outcome: failed(), scheduleMs: schedule, random: middle })).toEqual({ kind: 'abandon' });
    expect(nextStep({ attempt: 1, outcome: { ok: true, status: 200, errorClass: null, retryAfterMs: null }, scheduleMs: schedule, random: middle })).toEqual({ kind: 'done' });
  });

  it('jitters by at most ±20%', () => {
    expect(jitter(100_000, () => 0)).toBe(80_000);
    expect(jitter(100_000, () => 0.999999)).toBe(120_000);
    for (let i = 0; i < 100; i += 1) {
      const value = jitter(60_000, Math.random);
      expect(value).toBeGreaterThanOrEqual(48_000);
      expect(value).toBeLessThanOrEqual(72_000);
    }
  });

  it('waits at least 60 s after 429, 502, 504 and timeouts; honours Retry-After up to 24 h', () => {
    const fast = parseSchedule('0s,1s,1s');
    for (const outcome of [failed({ status: 429 }), failed({ status: 502 }), failed({ status: 504 }), failed({ status: null, errorClass: 'timeout' })]) {
      expect(nextStep({ attempt: 1, outcome, scheduleMs: fast, random: middle })).toMatchObject({ kind: 'retry', delayMs: 60_000 });
    }
    expect(nextStep({ attempt: 1, outcome: failed({ status: 503 }), scheduleMs: fast, random: middle })).toMatchObject({ delayMs: 1000 });
    expect(nextStep({ attempt: 1, outcome: failed({ status: 503, retryAfterMs: 120_000 }), scheduleMs: fast, random: middle })).toMatchObject({ delayMs: 120_000 });
    expect(nextStep({ attempt: 1, outcome: failed({ status: 503, retryAfterMs: 7 * 86_400_000 }), scheduleMs: fast, random: middle })).toMatchObject({ delayMs: 86_400_000 });
    // A Retry-After shorter than the schedule does not shorten it.
    expect(nextStep({ attempt: 2, outcome: failed({ retryAfterMs: 1000 }), scheduleMs: schedule, random: middle })).toMatchObject({ delayMs: 300_000 });
  });

  it('410 disables the endpoint and keeps the event, even after the last attempt', () => {
    expect(nextStep({ attempt: 1, outcome: failed({ status: 410, errorClass: 'gone' }), scheduleMs: schedule, random: middle })).toMatchObject({ kind: 'retry', disableEndpoint: true });
    expect(nextStep({ attempt: 7, outcome: failed({ status: 410, errorClass: 'gone' }), scheduleMs: schedule, random: middle })).toMatchObject({ kind: 'retry', disableEndpoint: true });
  });
});

describe('health', () => {
  it('active 0–4, warning 5–9, disabled 10+', () => {
    expect([0, 4, 5, 9, 10, 50].map(healthForFailures)).toEqual(['active', 'active', 'warning', 'warning', 'disabled', 'disabled']);
  });

  it('records a change only when the health changes, with the reason', () => {
    let state = { health: 'active' as const as 'active' | 'warning' | 'disabled', enabled: true, consecutiveFailures: 0 };
    const changes: string[] = [];
    for (let i = 0; i < 11; i += 1) {
      const update = healthAfterAttempt(state, failed({ status: 503 }));
      if (update.change) changes.push(`${update.change.from}→${update.change.to}: ${update.change.reason}`);
      state = update;
    }
    expect(changes).toEqual(['active→warning: 5 consecutive failed deliveries (last: HTTP 503)', 'warning→disabled: 10 consecutive failed deliveries (last: HTTP 503)']);
    expect(state).toMatchObject({ enabled: false, consecutiveFailures: 11 });
    const back = healthAfterAttempt({ health: 'warning', enabled: true, consecutiveFailures: 7 }, { ok: true, status: 200, errorClass: null, retryAfterMs: null });
    expect(back).toMatchObject({ health: 'active', consecutiveFailures: 0, change: { from: 'warning', to: 'active', reason: 'a delivery succeeded' } });
    expect(healthAfterAttempt({ health: 'active', enabled: true, consecutiveFailures: 0 }, failed({ status: 410, errorClass: 'gone' }))).toMatchObject({ health: 'disabled', enabled: false, change: { reason: 'the endpoint answered 410 Gone' } });
  });
});

describe('matchesSubscriptions', () => {
  it('matches on type pattern and mailbox; no rules match nothing', () => {
    const rules = [{ eventType: 'message.*', mailboxId: 'mbx_a' }, { eventType: 'thread.updated', mailboxId: null }];
    expect(matchesSubscriptions(rules, { type: 'message.created', mailboxId: 'mbx_a' })).toBe(true);
    expect(matchesSubscriptions(rules, { type: 'message.created', mailboxId: 'mbx_b' })).toBe(false);
    expect(matchesSubscriptions(rules, { type: 'thread.updated', mailboxId: 'mbx_b' })).toBe(true);
    expect(matchesSubscriptions([], { type: 'thread.updated', mailboxId: 'mbx_b' })).toBe(false);
  });
});
