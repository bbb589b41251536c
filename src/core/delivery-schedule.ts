/**
 * The delivery rules: when a failed attempt is retried, for `listen`/`replay` and for registered
 * endpoints alike. The two differ only in data (RetryPolicy): listen's short schedule, no jitter,
 * Retry-After capped at 5 min and 410 stopping it; endpoints' long jittered schedule, Retry-After
 * up to 24 h, at least 60 s after a slow-down answer, and 410 disabling the endpoint. What a
 * result means is delivery-outcome's classifyAttempt. Pure: the clock and the random source are
 * parameters. For registered endpoints:
 *
 *   attempt n fails ──► n < schedule.length ? retry after schedule[n] ±20% : abandon
 *                        └─ at least Retry-After (capped at 24 h)
 *                        └─ at least 60 s for 429 / 502 / 504 / timeouts
 *   410 Gone ─────────► the endpoint is disabled; the event stays pending for when it is re-enabled
 *   endpoint disabled ─► never abandon: the event stays pending for when it is re-enabled
 *
 * Health measures an outage in time, not in attempts: with 8 attempts in flight, ten failures
 * can arrive within one second, so a count says nothing about how long the endpoint has been
 * down. A streak starts at the first failed normal delivery (replays and tests never count) and
 * ends at the next success:
 *
 *   active ──failing ≥ 15 min──► warning ──failing ≥ 24 h and ≥ 5 failed attempts──► disabled
 *      ▲                            │
 *      └──────── a success ─────────┘   (a disabled endpoint only comes back by `webhooks enable`)
 *
 * 24 h is shorter than the default schedule's last retry (≥ 27.7 h after the first attempt,
 * jitter included), so in a continuous outage the endpoint is disabled before any event gives
 * up, and `webhooks enable` delivers all of it.
 */
import { classifyAttempt } from './delivery-outcome.js';
import { formatSpan } from './durations.js';
import { matchesEventType } from './events.js';

export type EndpointHealth = 'active' | 'warning' | 'disabled';

/** The health rule, as data: how long an endpoint must fail without a success in between. */
export const HEALTH_RULE = {
  warningAfterMs: 15 * 60 * 1000,
  disabledAfterMs: 24 * 60 * 60 * 1000,
  /** A disable also needs this many failed attempts in the streak: never on one or two data points. */
  disabledAfterFailures: 5,
} as const;
export const JITTER_FRACTION = 0.2;
export const SLOW_DOWN_MIN_MS = 60_000;
export const RETRY_AFTER_MAX_MS = 24 * 60 * 60 * 1000;
export const LISTEN_RETRY_AFTER_MAX_MS = 5 * 60_000;
/** Statuses that ask the sender to slow down: the retry waits at least the policy's slowDownMinMs. */
const SLOW_DOWN_STATUSES = new Set([429, 502, 504]);

/** How one delivery engine retries, as data. */
export interface RetryPolicy {
  /** The delay before retry n is `retryDelaysMs[n - 1]`; past the end, the last entry. */
  retryDelaysMs: readonly number[];
  /** The delay when `retryDelaysMs` is empty. */
  fallbackDelayMs: number;
  /** Each delay varies by ± this fraction, uniformly. */
  jitterFraction: number;
  /** A Retry-After is honoured up to this long. */
  retryAfterMaxMs: number;
  /** After 429, 502, 504 or a timeout, the retry waits at least this long. */
  slowDownMinMs: number;
  /** 410 Gone: stop forwarding to the target (listen, replay) or disable the endpoint (registered endpoints). */
  onGone: 'stop' | 'disable';
}

/** listen/replay: `listen.retry-schedule` lists the delays before each retry. */
export function listenRetryPolicy(retryScheduleMs: readonly number[]): RetryPolicy {
  return { retryDelaysMs: retryScheduleMs, fallbackDelayMs: 1000, jitterFraction: 0, retryAfterMaxMs: LISTEN_RETRY_AFTER_MAX_MS, slowDownMinMs: 0, onGone: 'stop' };
}

/** Registered endpoints: `delivery.retry-schedule`'s first entry is the first attempt's own delay. */
export function endpointRetryPolicy(scheduleMs: readonly number[]): RetryPolicy {
  return { retryDelaysMs: scheduleMs.slice(1), fallbackDelayMs: scheduleMs[0] ?? 0, jitterFraction: JITTER_FRACTION, retryAfterMaxMs: RETRY_AFTER_MAX_MS, slowDownMinMs: SLOW_DOWN_MIN_MS, onGone: 'disable' };
}

/** The wait before the next attempt, after `failedAttempts` attempts (1-based) and this outcome. */
export function retryDelayMs(policy: RetryPolicy, failedAttempts: number, outcome: AttemptOutcome, random: () => number = () => 0.5): number {
  const delays = policy.retryDelaysMs;
  const base = delays.length === 0 ? policy.fallbackDelayMs : delays[Math.min(failedAttempts - 1, delays.length - 1)];
  let delayMs = policy.jitterFraction > 0 ? jitter(base, random, policy.jitterFraction) : Math.max(0, base);
  if (outcome.retryAfterMs !== null && outcome.retryAfterMs > 0) delayMs = Math.max(delayMs, Math.min(outcome.retryAfterMs, policy.retryAfterMaxMs));
  if ((outcome.status !== null && SLOW_DOWN_STATUSES.has(outcome.status)) || outcome.errorClass === 'timeout') delayMs = Math.max(delayMs, policy.slowDownMinMs);
  return delayMs;
}

export interface AttemptOutcome {
  ok: boolean;
  status: number | null;
  errorClass: string | null;
  retryAfterMs: number | null;
}

export type NextStep =
  | { kind: 'done' }
  | { kind: 'retry'; delayMs: number; disableEndpoint: boolean }
  | { kind: 'abandon' };

/**
 * The step after attempt number `attempt` (1-based) ended with `outcome`. `scheduleMs[i]` is the
 * delay before attempt i + 1 (its first entry, usually 0, is the first attempt's own delay).
 * `random` returns a number in [0, 1).
 */
export function nextStep(input: { attempt: number; outcome: AttemptOutcome; scheduleMs: readonly number[]; random: () => number; endpointDisabled?: boolean }): NextStep {
  const { attempt, outcome, scheduleMs, random } = input;
  if (outcome.ok) return { kind: 'done' };
  const gone = classifyAttempt(outcome) === 'gone';
  // A disabled endpoint (by 410, by its health, by command) keeps the event: it is delivered
  // once the endpoint is enabled again.
  if (attempt >= scheduleMs.length && !gone && !input.endpointDisabled) return { kind: 'abandon' };
  const policy = endpointRetryPolicy(scheduleMs);
  return { kind: 'retry', delayMs: retryDelayMs(policy, attempt, outcome, random), disableEndpoint: gone && policy.onGone === 'disable' };
}

/** `base` ± `fraction` (20% by default), uniformly. */
export function jitter(baseMs: number, random: () => number, fraction = JITTER_FRACTION): number {
  const factor = 1 + fraction * (2 * random() - 1);
  return Math.max(0, Math.round(baseMs * factor));
}

/** The health of an endpoint that has failed `failures` times in a row over `failingForMs`. */
export function healthForStreak(streak: { failures: number; failingForMs: number }): EndpointHealth {
  if (streak.failingForMs >= HEALTH_RULE.disabledAfterMs && streak.failures >= HEALTH_RULE.disabledAfterFailures) return 'disabled';
  if (streak.failingForMs >= HEALTH_RULE.warningAfterMs) return 'warning';
  return 'active';
}

export interface HealthState {
  health: EndpointHealth;
  enabled: boolean;
  consecutiveFailures: number;
  /** When the first failure of the current streak finished; null while the last attempt succeeded. */
  failingSince: number | null;
}

export interface HealthUpdate extends HealthState {
  /** Set when `health` changed: why, for the endpoint_health_changes row. */
  change: { from: EndpointHealth; to: EndpointHealth; reason: string } | null;
}

/** The endpoint's health after a normal delivery attempt that finished at `now`. */
export function healthAfterAttempt(state: HealthState, outcome: AttemptOutcome & { errorMessage?: string | null }, now: number): HealthUpdate {
  if (outcome.ok) {
    const health: EndpointHealth = state.enabled ? 'active' : state.health;
    return { health, enabled: state.enabled, consecutiveFailures: 0, failingSince: null, change: health !== state.health ? { from: state.health, to: health, reason: 'a delivery succeeded' } : null };
  }
  const consecutiveFailures = state.consecutiveFailures + 1;
  const failingSince = state.failingSince ?? now;
  const what = describeOutcome(outcome);
  if (classifyAttempt(outcome) === 'gone') {
    return { health: 'disabled', enabled: false, consecutiveFailures, failingSince, change: state.health !== 'disabled' ? { from: state.health, to: 'disabled', reason: 'the endpoint answered 410 Gone' } : null };
  }
  const failingForMs = Math.max(0, now - failingSince);
  const byStreak = healthForStreak({ failures: consecutiveFailures, failingForMs });
  const health = state.health === 'disabled' ? 'disabled' : byStreak;
  const enabled = state.enabled && health !== 'disabled';
  const change = health !== state.health ? { from: state.health, to: health, reason: `failing for ${formatSpan(failingForMs)}, ${consecutiveFailures} failed deliveries in a row (last: ${what})` } : null;
  return { health, enabled, consecutiveFailures, failingSince, change };
}

export function describeOutcome(outcome: { status: number | null; errorClass: string | null; errorMessage?: string | null }): string {
  if (outcome.errorClass === 'http_status' && outcome.status !== null) return `HTTP ${outcome.status}`;
  return outcome.errorMessage ?? outcome.errorClass ?? (outcome.status !== null ? `HTTP ${outcome.status}` : 'unknown error');
}

export interface SubscriptionRule {
  eventType: string;
  mailboxId: string | null;
}

/** An event matches an endpoint when any of its subscriptions matches (no subscriptions = nothing). */
export function matchesSubscriptions(rules: readonly SubscriptionRule[], event: { type: string; mailboxId: string }): boolean {
  return rules.some((rule) => (rule.mailboxId === null || rule.mailboxId === event.mailboxId) && matchesEventType(rule.eventType, event.type));
}
