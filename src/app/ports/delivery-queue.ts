/**
 * The durable delivery queue and log of registered endpoints: one row per attempt.
 *
 * Promises every implementation keeps (each method is one transaction):
 * - fan-out enqueues each new event for each endpoint whose subscriptions match exactly once,
 *   however many workers fan out at the same time;
 * - only the head of an (endpoint, ordering key) is claimable: the open (pending or in-flight)
 *   normal attempt with the lowest event sequence, so one thread's events arrive in order;
 * - a claim records its holder and time; of concurrent claimers of one attempt exactly one wins;
 * - an attempt's outcome, the next attempt and the endpoint's health commit together, and only
 *   while the holder still holds the claim;
 * - claims are released by age alone (`releaseStaleClaims`): a holder's liveness is never
 *   checked, so workers on any number of hosts may share one queue.
 */
import type { HealthUpdate } from '../../core/delivery-schedule.js';

export type DeliveryStatus = 'pending' | 'in_flight' | 'succeeded' | 'failed' | 'abandoned';
export type DeliveryKind = 'normal' | 'replay' | 'test' | 'verification';

export interface DeliveryRow {
  id: string;
  endpointId: string;
  eventSequence: number;
  eventId: string;
  orderingKey: string;
  attempt: number;
  kind: DeliveryKind;
  status: DeliveryStatus;
  scheduledAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  responseStatus: number | null;
  latencyMs: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  errorClass: string | null;
  errorMessage: string | null;
}

/** A claimed attempt with the event it carries. */
export interface ClaimedDelivery extends DeliveryRow {
  eventType: string;
  body: string;
}

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  responseHeaders: Record<string, string>;
  responseBody: string;
  errorClass: string | null;
  errorMessage: string | null;
}

export type DeliveryStatusFilter = 'failed' | 'abandoned' | 'pending' | 'succeeded';

export interface DeliveryQuery {
  endpointId?: string;
  /** failed includes abandoned attempts (retries used up); pending includes in_flight. */
  status?: DeliveryStatusFilter;
  since?: number;
  limit: number;
}

export interface Claim {
  endpointId: string;
  /** Who claims: unique per worker process run (e.g. host:pid:random). */
  holder: string;
  now: number;
  limit: number;
}

export interface Outcome {
  delivery: DeliveryRow;
  holder: string;
  result: AttemptResult;
  finishedAt: number;
  next: { id: string; scheduledAt: number } | null;
  abandoned: boolean;
  health: HealthUpdate | null;
}

export interface DeliveryQueue {
  /**
   * Enqueues events after each endpoint's last enqueued sequence (at most `batch` per endpoint
   * per call) that match its subscriptions. Disabled endpoints keep collecting a backlog.
   * Returns how many attempts were created.
   */
  fanOut(now: number, newDeliveryId: () => string, batch?: number): Promise<number>;
  /** Claims up to `limit` due thread heads of one enabled endpoint and returns them with their events. */
  claimDue(claim: Claim): Promise<ClaimedDelivery[]>;
  /** Enabled endpoints that have due thread heads. */
  endpointsWithDueWork(now: number): Promise<string[]>;
  /** When the earliest thread head of an enabled endpoint scheduled after `now` is due, if any. */
  nextScheduledAfter(now: number): Promise<number | null>;
  /** A claim given up unsent (a graceful stop): pending again, unchanged, as if never claimed. */
  release(id: string, holder: string): Promise<void>;
  /**
   * The outcome, the next attempt (when `next`) and the health update, in one transaction.
   * false, writing nothing, when `holder` no longer holds the claim (it went stale and was released).
   */
  recordOutcome(outcome: Outcome): Promise<boolean>;
  /**
   * Claims taken before `claimedBefore`, whoever holds them, are closed as failed/interrupted
   * with a new attempt due at `now`: the receiver may have had it already (at-least-once, same
   * event id). Returns how many were released.
   */
  releaseStaleClaims(input: { claimedBefore: number; now: number; newDeliveryId: () => string }): Promise<number>;
  /** An attempt made outside the queue (a test ping): logged, never retried, never counted. */
  logAttempt(row: DeliveryRow): Promise<void>;
  get(id: string): Promise<DeliveryRow | undefined>;
  /** Newest first. */
  list(query: DeliveryQuery): Promise<DeliveryRow[]>;
  /** Every attempt of one event to one endpoint, oldest first. */
  attemptsOf(endpointId: string, eventSequence: number): Promise<DeliveryRow[]>;
  /**
   * A fresh attempt due now for given-up deliveries (one id, or every abandoned one of an
   * endpoint), unless the event already has an open or succeeded attempt. Returns the new ids.
   */
  retry(input: { deliveryId?: string; endpointId?: string }, now: number, newDeliveryId: () => string): Promise<string[]>;
  /** Open attempts (pending or in flight). */
  pendingCount(endpointId: string): Promise<number>;
  /** The last finished attempt's failure, or null when it succeeded or none finished. */
  lastError(endpointId: string): Promise<{ message: string; at: number } | null>;
  lastDeliveryAt(endpointId: string): Promise<number | null>;
}
