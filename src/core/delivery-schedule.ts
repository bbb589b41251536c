/**
 * What happens after a delivery attempt to a registered endpoint (PRODUCT §5). Pure: the clock
 * and the random source are parameters.
 *
 *   attempt n fails ──► n < schedule.length ? retry after schedule[n] ±20% : abandon
 *                        └─ at least Retry-After (capped at 24 h)
 *                        └─ at least 60 s for 429 / 502 / 504 / timeouts
 *   410 Gone ─────────► the endpoint is disabled; the event stays pending for when it is re-enabled
 *
 * Health follows consecutive failures of normal deliveries (replays and tests never count):
 *
 *   active (0–4) ──5──► warning (5–9) ──10──► disabled (10+)
 *      ▲                    │
 *      └──── a success ─────┘   (a disabled endpoint only comes back by `webhooks enable`)
 */
import { classifyAttempt } from './delivery-outcome.js';
import { matchesEventType } from './events.js';

export type EndpointHealth = 'active' | 'warning' | 'disabled';

export const WARNING_AFTER_FAILURES = 5;
export const DISABLED_AFTER_FAILURES = 10;
export const JITTER_FRACTION = 0.2;
export const SLOW_DOWN_MIN_MS = 60_000;
export const RETRY_AFTER_MAX_MS = 24 * 60 * 60 * 1000;
/** Statuses that ask the sender to slow down: the retry waits at least SLOW_DOWN_MIN_MS. */
const SLOW_DOWN_STATUSES = new Set([429, 502, 504]);

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
export function nextStep(input: { attempt: number; outcome: AttemptOutcome; scheduleMs: readonly number[]; random: () => number }): NextStep {
  const { attempt, outcome, scheduleMs, random } = input;
  if (outcome.ok) return { kind: 'done' };
  const gone = classifyAttempt(outcome) === 'gone';
  // 410 disables the endpoint but keeps the event: it is delivered once the endpoint is enabled again.
  if (attempt >= scheduleMs.length && !gone) return { kind: 'abandon' };
  const base = scheduleMs[Math.min(attempt, scheduleMs.length - 1)] ?? 0;
  let delayMs = jitter(base, random);
  if (outcome.retryAfterMs !== null && outcome.retryAfterMs > 0) delayMs = Math.max(delayMs, Math.min(outcome.retryAfterMs, RETRY_AFTER_MAX_MS));
  if ((outcome.status !== null && SLOW_DOWN_STATUSES.has(outcome.status)) || outcome.errorClass === 'timeout') delayMs = Math.max(delayMs, SLOW_DOWN_MIN_MS);
  return { kind: 'retry', delayMs, disableEndpoint: gone };
}

/** `base` ±20%, uniformly. */
export function jitter(baseMs: number, random: () => number): number {
  const factor = 1 + JITTER_FRACTION * (2 * random() - 1);
  return Math.max(0, Math.round(baseMs * factor));
}

export function healthForFailures(consecutiveFailures: number): EndpointHealth {
  if (consecutiveFailures >= DISABLED_AFTER_FAILURES) return 'disabled';
  if (consecutiveFailures >= WARNING_AFTER_FAILURES) return 'warning';
  return 'active';
}

export interface HealthState {
  health: EndpointHealth;
  enabled: boolean;
  consecutiveFailures: number;
}

export interface HealthUpdate extends HealthState {
  /** Set when `health` changed: why, for the endpoint_health_changes row. */
  change: { from: EndpointHealth; to: EndpointHealth; reason: string } | null;
}

/** The endpoint's health after a normal delivery attempt. */
export function healthAfterAttempt(state: HealthState, outcome: AttemptOutcome & { errorMessage?: string | null }): HealthUpdate {
  if (outcome.ok) {
    const health: EndpointHealth = state.enabled ? 'active' : state.health;
    return { health, enabled: state.enabled, consecutiveFailures: 0, change: health !== state.health ? { from: state.health, to: health, reason: 'a delivery succeeded' } : null };
  }
  const consecutiveFailures = state.consecutiveFailures + 1;
  const what = describeOutcome(outcome);
  if (classifyAttempt(outcome) === 'gone') {
    return { health: 'disabled', enabled: false, consecutiveFailures, change: state.health !== 'disabled' ? { from: state.health, to: 'disabled', reason: 'the endpoint answered 410 Gone' } : null };
  }
  const byCount = healthForFailures(consecutiveFailures);
  const health = state.health === 'disabled' ? 'disabled' : byCount;
  const enabled = state.enabled && health !== 'disabled';
  const change = health !== state.health ? { from: state.health, to: health, reason: `${consecutiveFailures} consecutive failed deliveries (last: ${what})` } : null;
  return { health, enabled, consecutiveFailures, change };
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
