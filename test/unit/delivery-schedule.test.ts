import { describe, expect, it } from 'vitest';
import { HEALTH_RULE, healthAfterAttempt, healthForStreak, jitter, matchesSubscriptions, nextStep, type AttemptOutcome, type HealthState, endpointRetryPolicy, listenRetryPolicy, retryDelayMs } from '../../src/core/delivery-schedule.js';
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
  const MINUTE = 60_000;
  const HOUR = 60 * MINUTE;

  it('is measured in time: warning after failing 15 min, disabled after 24 h and at least 5 failed attempts', () => {
    expect(HEALTH_RULE).toEqual({ warningAfterMs: 15 * MINUTE, disabledAfterMs: 24 * HOUR, disabledAfterFailures: 5 });
    const at = (failures: number, failingForMs: number) => healthForStreak({ failures, failingForMs });
    // Many failures within a second (8 attempts in flight) are not an outage.
    expect([at(1, 0), at(10, 1000), at(500, 1000), at(50, 15 * MINUTE - 1)]).toEqual(['active', 'active', 'active', 'active']);
    expect([at(2, 15 * MINUTE), at(4, 24 * HOUR + 1), at(4, 7 * 24 * HOUR), at(500, 24 * HOUR - 1)]).toEqual(['warning', 'warning', 'warning', 'warning']);
    expect([at(5, 24 * HOUR), at(50, 3 * 24 * HOUR)]).toEqual(['disabled', 'disabled']);
  });

  it('a streak starts at its first failure, records a change only when the health changes, and a success resets it', () => {
    const start = 1_000_000;
    let state: HealthState = { health: 'active', enabled: true, consecutiveFailures: 0, failingSince: null };
    const changes: string[] = [];
    const fail = (at: number) => {
      const update = healthAfterAttempt(state, failed({ status: 503 }), at);
      if (update.change) changes.push(`${update.change.from}→${update.change.to}: ${update.change.reason}`);
      state = update;
    };
    // Ten failures in one second: still active.
    for (let i = 0; i < 10; i += 1) fail(start + i * 100);
    expect(state).toMatchObject({ health: 'active', enabled: true, consecutiveFailures: 10, failingSince: start });
    fail(start + 16 * MINUTE);
    fail(start + 23 * HOUR);
    fail(start + 24 * HOUR);
    expect(changes).toEqual(['active→warning: failing for 16m, 11 failed deliveries in a row (last: HTTP 503)', 'warning→disabled: failing for 1d, 13 failed deliveries in a row (last: HTTP 503)']);
    expect(state).toMatchObject({ enabled: false, consecutiveFailures: 13, failingSince: start });
    const back = healthAfterAttempt({ health: 'warning', enabled: true, consecutiveFailures: 7, failingSince: start }, { ok: true, status: 200, errorClass: null, retryAfterMs: null }, start + HOUR);
    expect(back).toMatchObject({ health: 'active', consecutiveFailures: 0, failingSince: null, change: { from: 'warning', to: 'active', reason: 'a delivery succeeded' } });
    // After a success, the next failure starts a new streak: 23 h of earlier failures do not count.
    const fresh = healthAfterAttempt(back, failed(), start + 23 * HOUR);
    expect(fresh).toMatchObject({ health: 'active', consecutiveFailures: 1, failingSince: start + 23 * HOUR, change: null });
    expect(healthAfterAttempt({ health: 'active', enabled: true, consecutiveFailures: 0, failingSince: null }, failed({ status: 410, errorClass: 'gone' }), start)).toMatchObject({ health: 'disabled', enabled: false, change: { reason: 'the endpoint answered 410 Gone' } });
  });

  it('a disabled endpoint keeps the event of its last scheduled attempt instead of giving up', () => {
    expect(nextStep({ attempt: 7, outcome: failed(), scheduleMs: schedule, random: middle, endpointDisabled: true })).toMatchObject({ kind: 'retry' });
    expect(nextStep({ attempt: 7, outcome: failed(), scheduleMs: schedule, random: middle, endpointDisabled: false })).toEqual({ kind: 'abandon' });
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

describe('retry policies: listen and endpoints differ only in data', () => {
  const hour = 3_600_000;
  const outcome = (overrides: Partial<AttemptOutcome> = {}): AttemptOutcome => ({ ok: false, status: 503, errorClass: 'http_status', retryAfterMs: null, ...overrides });

  it('one Retry-After rule, capped at 5 min for listen and 24 h for endpoints', () => {
    expect(retryDelayMs(listenRetryPolicy([1000, 5000]), 1, outcome({ retryAfterMs: hour }))).toBe(5 * 60_000);
    expect(retryDelayMs(endpointRetryPolicy([0, 1000, 5000]), 1, outcome({ retryAfterMs: hour }), () => 0.5)).toBe(hour);
  });

  it('listen repeats its last delay without jitter or a slow-down minimum; endpoints jitter and wait 60 s after a 429', () => {
    expect([1, 2, 3, 9].map((n) => retryDelayMs(listenRetryPolicy([1000, 5000, 30_000]), n, outcome({ status: 429 })))).toEqual([1000, 5000, 30_000, 30_000]);
    expect(retryDelayMs(endpointRetryPolicy([0, 1000, 5000]), 1, outcome({ status: 429 }), () => 0)).toBe(60_000);
    expect(retryDelayMs(endpointRetryPolicy([0, 100_000]), 1, outcome(), () => 0)).toBe(80_000);
  });

  it('410 Gone stops listen and disables an endpoint', () => {
    expect(listenRetryPolicy([1000]).onGone).toBe('stop');
    expect(endpointRetryPolicy([0, 1000]).onGone).toBe('disable');
  });
});
