/**
 * Forwards events from the log to one HTTP target with signatures: the engine of `listen` and
 * `replay` ("catch up from the log, then go live").
 *
 * Never loses an event: an event leaves the queue only once finished — delivered, rejected by the
 * app for good (a final 4xx, reported and counted), or, for replay, given up after `maxAttempts` —
 * and the durable progress (`checkpoint`) never covers an unfinished event, so a restart resends
 * whatever was not confirmed (at-least-once; consumers dedupe by event id).
 * Bounded duplicates: `checkpoint` runs (and completes) before any new request is sent, with
 * every event finished since the last one, so after a crash at most `maxInFlight` events the app
 * already received are sent again — however far one stuck thread holds the watermark back.
 * Order per thread holds (ForwardQueue); threads go concurrently up to `maxInFlight`.
 * What an attempt's result means is core/delivery-outcome's classifyAttempt; 410 Gone stops forwarding.
 */
import { setMaxListeners } from 'node:events';
import { appAnswered, classifyAttempt, type AttemptVerdict } from '../core/delivery-outcome.js';
import { listenRetryPolicy, retryDelayMs } from '../core/delivery-schedule.js';
import { ForwardQueue, type QueueItem } from '../core/forward-queue.js';
import type { DeliveryResult, WebhookRequest } from '../adapters/http/webhook-sender.js';
import type { StoredEvent } from './ports/event-log.js';
import type { EventSource } from './read-log.js';

export type { EventSource };

/** What every forwarder (listen, replay) needs to send: one HTTP client, a clock, ids, and listen's retry policy. */
export interface SendingDeps {
  send: (request: WebhookRequest) => Promise<DeliveryResult>;
  now: () => number;
  newDeliveryId: () => string;
  userAgent: string;
  retryScheduleMs: readonly number[];
  timeoutMs: number;
}

export interface ForwardTarget {
  url: string;
  headers: Record<string, string>;
  secrets: string[];
  scheme: WebhookRequest['scheme'];
}

export type ForwardRecord =
  | { type: 'event'; at: string; sequence: number; id: string; eventType: string }
  | {
      type: 'delivery';
      at: string;
      sequence: number;
      id: string;
      eventType: string;
      attempt: number;
      ok: boolean;
      status: number | null;
      latencyMs: number;
      errorClass: string | null;
      error: string | null;
      nextAttemptInMs: number | null;
      /** Finished without delivery: rejected by the app (a final 4xx) or out of attempts. */
      gaveUp: boolean;
      /** What the attempt means (core/delivery-outcome). */
      verdict: AttemptVerdict;
      responseBody?: string;
    };

/**
 * Durable progress: `watermark` = every event at or below it is finished; `threads` = per
 * ordering key, the last finished sequence above the watermark (a thread finishes in order, so
 * everything of that thread up to it is finished too).
 */
export interface ForwardProgress {
  watermark: number;
  threads: ReadonlyMap<string, number>;
}

export interface ForwardOptions {
  source: EventSource;
  startAfter: number;
  target: ForwardTarget;
  send: (request: WebhookRequest) => Promise<DeliveryResult>;
  maxInFlight: number;
  retryScheduleMs: readonly number[];
  /** Give up on an event after this many attempts (replay); unlimited when absent (listen). */
  maxAttempts?: number;
  /** Keep waiting for new events (listen) or stop once the source is exhausted (replay). */
  follow: boolean;
  exitAfter?: number;
  timeoutMs: number;
  userAgent: string;
  includeResponseBody?: boolean;
  onRecord: (record: ForwardRecord) => void;
  /**
   * Persists progress; awaited before any new request is sent. `threads` holds only what
   * finished since the previous call (and lies above `watermark`).
   */
  checkpoint?: (progress: ForwardProgress) => void | Promise<void>;
  /** Progress kept from an earlier run (per-thread positions above `startAfter`): those events are skipped. */
  resume?: ReadonlyMap<string, number>;
  now: () => number;
  newDeliveryId: () => string;
  signal: AbortSignal;
}

export interface ForwardResult {
  delivered: number;
  /** Answered with a final 4xx: reported once, not retried. */
  rejected: number;
  /** Given up after `maxAttempts` (replay). */
  failed: number;
  /** Of the events given up or still failing when forwarding stopped, how many last failed for lack of any answer. */
  unreachable: number;
  /** The last failed attempt, for the closing message ("HTTP 400", "connection refused"…). */
  lastFailure: { verdict: AttemptVerdict; status: number | null; error: string | null } | null;
  /** Events still undelivered when forwarding stopped (they are resent on the next start). */
  pending: number;
  /** Of those, how many had at least one failed attempt. */
  pendingAfterFailure: number;
  watermark: number;
  stoppedBecause: 'caught_up' | 'exit_after' | 'aborted' | 'gone';
}

const READ_BATCH = 500;
const MAX_BUFFERED = 5000;

export async function forwardEvents(options: ForwardOptions): Promise<ForwardResult> {
  const queue = new ForwardQueue<StoredEvent>(options.startAfter);
  const policy = listenRetryPolicy(options.retryScheduleMs);
  const inFlight = new Set<Promise<void>>();
  let readPosition = options.startAfter;
  let exhausted = false;
  // Set when the log watcher says something may have been committed since the last read; while
  // the backlog is exhausted and nothing changed, the loop does not query the log at all.
  let logChanged = true;
  let watchingLog = false;
  const watch = new AbortController();
  let delivered = 0;
  let rejected = 0;
  let failed = 0;
  let unreachable = 0;
  let lastFailure: ForwardResult['lastFailure'] = null;
  /** The verdict of each still-failing event's last attempt. */
  const failingVerdicts = new Map<number, AttemptVerdict>();
  let stoppedBecause: ForwardResult['stoppedBecause'] | null = null;
  let lastWatermark = options.startAfter;
  /** Per thread, the last sequence finished since the previous checkpoint. */
  const finishedThreads = new Map<string, number>();
  let wake: (() => void) | null = null;
  /** A wake-up that came while the loop was not waiting: its next wait returns at once. */
  let wokenEarly = false;
  const wakeUp = () => {
    const resolve = wake;
    wake = null;
    if (resolve) resolve();
    else wokenEarly = true;
  };
  // Responses that arrive in one poll phase of the event loop are handled in ONE loop turn (one
  // checkpoint, one takeReady), not one turn each: the loop wakes after the I/O phase.
  let wakeScheduled = false;
  const wakeAfterIo = () => {
    if (wakeScheduled) return;
    wakeScheduled = true;
    setImmediate(() => {
      wakeScheduled = false;
      wakeUp();
    });
  };
  const sendAbort = new AbortController();
  // Every in-flight delivery listens on it.
  setMaxListeners(Math.max(50, options.maxInFlight * 2), sendAbort.signal);
  const onAbort = () => {
    stoppedBecause ??= 'aborted';
    sendAbort.abort();
    wakeUp();
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  const iso = () => new Date(options.now()).toISOString();
  // One long-lived wait on the log at a time (not one per loop turn, which costs an
  // AbortController, a timer and a listener for every delivery).
  const watchLog = () => {
    if (watchingLog) return;
    watchingLog = true;
    options.source.waitForChange(60_000, watch.signal).catch(() => undefined).then(() => {
      watchingLog = false;
      logChanged = true;
      wakeUp();
    });
  };

  const checkpoint = async () => {
    if (!options.checkpoint) return;
    const watermark = queue.watermark();
    if (finishedThreads.size === 0 && watermark === lastWatermark) return;
    const threads = new Map<string, number>();
    for (const [key, sequence] of finishedThreads) if (sequence > watermark) threads.set(key, sequence);
    finishedThreads.clear();
    lastWatermark = watermark;
    await options.checkpoint({ watermark, threads });
  };

  const finish = (item: QueueItem<StoredEvent>) => {
    queue.complete(item);
    failingVerdicts.delete(item.sequence);
    if (options.checkpoint) finishedThreads.set(item.key, item.sequence);
  };

  const deliver = async (item: QueueItem<StoredEvent>) => {
    const event = item.payload;
    if (item.attempts === 1) options.onRecord({ type: 'event', at: iso(), sequence: event.sequence, id: event.id, eventType: event.type });
    const result = await options.send({
      url: options.target.url,
      body: event.body,
      eventId: event.id,
      eventType: event.type,
      attempt: item.attempts,
      deliveryId: options.newDeliveryId(),
      secrets: options.target.secrets,
      scheme: options.target.scheme,
      headers: options.target.headers,
      timeoutMs: options.timeoutMs,
      signal: sendAbort.signal,
      userAgent: options.userAgent,
    });
    const verdict = classifyAttempt(result);
    if (verdict === 'aborted' && stoppedBecause) {
      queue.retryLater(item, options.now());
      return;
    }
    let gaveUp = false;
    let nextAttemptInMs: number | null = null;
    if (verdict === 'delivered') {
      finish(item);
      delivered += 1;
    } else if (verdict === 'gone' && policy.onGone === 'stop') {
      queue.retryLater(item, Number.MAX_SAFE_INTEGER);
      stoppedBecause = 'gone';
    } else {
      lastFailure = { verdict, status: result.status, error: result.errorMessage };
      if (verdict === 'rejected') {
        // The app's final answer: retrying cannot change it. Report it, count it, move on.
        gaveUp = true;
        finish(item);
        rejected += 1;
      } else if (options.maxAttempts !== undefined && item.attempts >= options.maxAttempts) {
        gaveUp = true;
        finish(item);
        failed += 1;
        if (!appAnswered(verdict)) unreachable += 1;
      } else {
        failingVerdicts.set(item.sequence, verdict);
        nextAttemptInMs = retryDelayMs(policy, item.attempts, result);
        queue.retryLater(item, options.now() + nextAttemptInMs);
      }
    }
    options.onRecord({
      type: 'delivery',
      at: iso(),
      sequence: event.sequence,
      id: event.id,
      eventType: event.type,
      attempt: item.attempts,
      ok: result.ok,
      status: result.status,
      latencyMs: result.latencyMs,
      errorClass: result.errorClass,
      error: result.errorMessage,
      nextAttemptInMs,
      gaveUp,
      verdict,
      ...(options.includeResponseBody ? { responseBody: result.responseBody } : {}),
    });
    if (options.exitAfter !== undefined && delivered >= options.exitAfter) stoppedBecause ??= 'exit_after';
  };

  try {
    for (;;) {
      if (stoppedBecause) break;
      // Catch up: read more while the buffer has room.
      while ((!exhausted || logChanged) && queue.size < MAX_BUFFERED) {
        logChanged = false;
        const { events, scannedTo } = await options.source.read(readPosition, READ_BATCH);
        for (const event of events) {
          // Finished by an earlier run (its thread's kept position covers it): not sent again.
          if (options.resume && event.sequence <= (options.resume.get(event.orderingKey) ?? 0)) continue;
          queue.push(event.sequence, event.orderingKey, event, options.now());
        }
        if (scannedTo > readPosition) {
          readPosition = scannedTo;
          queue.advanceReadPosition(scannedTo);
        }
        exhausted = events.length < READ_BATCH && scannedTo === readPosition;
        if (events.length < READ_BATCH) break;
      }
      // Whatever finished is durable before anything new is sent (the duplicate bound); a
      // checkpoint that awaits I/O may see more finish meanwhile, hence the loop.
      do await checkpoint();
      while (finishedThreads.size > 0);
      for (const item of queue.takeReady(options.now(), options.maxInFlight)) {
        const task = deliver(item).catch((error) => {
          // A programmer error in sending: keep the event, surface the problem, retry later.
          queue.retryLater(item, options.now() + 1000);
          options.onRecord({ type: 'delivery', at: iso(), sequence: item.sequence, id: item.payload.id, eventType: item.payload.type, attempt: item.attempts, ok: false, status: null, latencyMs: 0, errorClass: 'network', error: String(error), nextAttemptInMs: 1000, gaveUp: false, verdict: 'unreachable' });
        }).finally(() => {
          inFlight.delete(task);
          wakeAfterIo();
        });
        inFlight.add(task);
      }
      if (stoppedBecause) break;
      if (!options.follow && exhausted && queue.size === 0) {
        stoppedBecause = 'caught_up';
        break;
      }
      // Sleep until something can happen: a delivery finishes, a retry is due, or new events land.
      // With every slot taken only a finishing delivery can start another, so no retry timer
      // then (ready heads waiting for a slot would otherwise make it fire at once, spinning).
      if (wokenEarly) {
        wokenEarly = false;
        continue;
      }
      const waiters: Array<Promise<void>> = [new Promise<void>((resolve) => (wake = resolve))];
      const nextWake = queue.inFlight < options.maxInFlight ? queue.nextWakeAt() : null;
      const untilRetry = nextWake === null ? null : Math.max(0, nextWake - options.now());
      let retryTimer: NodeJS.Timeout | undefined;
      if (untilRetry !== null) waiters.push(new Promise((resolve) => (retryTimer = setTimeout(resolve, untilRetry))));
      // Only a follower waits for new commits; a finite source (replay) reads on once a delivery
      // frees buffer room, which already wakes this loop (its wait resolves at once: it would spin).
      if (options.follow) watchLog();
      await Promise.race(waiters);
      clearTimeout(retryTimer);
    }
  } finally {
    watch.abort();
    sendAbort.abort();
    await Promise.allSettled([...inFlight]);
    options.signal.removeEventListener('abort', onAbort);
    await checkpoint();
  }
  for (const verdict of failingVerdicts.values()) if (!appAnswered(verdict)) unreachable += 1;
  return {
    delivered,
    rejected,
    failed,
    unreachable,
    lastFailure,
    pending: queue.size,
    // Cancelled attempts (forwarding stopped mid-request) are not failures.
    pendingAfterFailure: failingVerdicts.size,
    watermark: queue.watermark(),
    stoppedBecause: stoppedBecause ?? 'caught_up',
  };
}
