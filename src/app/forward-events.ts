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
import { listenRetryPolicy, retryDelayMs, type RetryPolicy } from '../core/delivery-schedule.js';
import { ForwardQueue, type QueueItem } from '../core/forward-queue.js';
import type { Clock } from './ports/clock.js';
import type { DeliveryResult, WebhookRequest } from './ports/webhook-sender.js';
import type { StoredEvent } from './ports/event-log.js';
import type { EventSource } from './read-log.js';
import { webhookRequest, type WebhookTarget } from './webhook-request.js';

export type { EventSource };

/** What every forwarder (listen, replay) needs to send: one HTTP client, a clock, ids, and listen's retry policy. */
export interface SendingDeps {
  send: (request: WebhookRequest) => Promise<DeliveryResult>;
  /** The time of records and retries, and the wait until a retry is due. */
  clock: Clock;
  newDeliveryId: () => string;
  userAgent: string;
  retryScheduleMs: readonly number[];
  timeoutMs: number;
}

export type ForwardTarget = WebhookTarget;

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
  clock: Clock;
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

/**
 * Reading runs just ahead of sending: while every thread is healthy, more is read only once fewer
 * than READ_AHEAD events wait for a slot, a batch of READ_BATCH at a time. An event then lives
 * for a few milliseconds and dies young: with 2,000 buffered, every body outlived a young
 * collection and was copied to old space, which cost listen ~15 % of its CPU at 50k events.
 */
const READ_BATCH = 128;
const READ_AHEAD = 128;
/**
 * While a thread is being retried, reading runs up to this far ahead of the oldest unfinished
 * event: room for the other threads to go on past it, small enough that a backlog does not fill
 * the heap with bodies waiting their turn (5,000 peaked ~30 MB higher in the forward benchmark).
 */
const MAX_BUFFERED = 2000;

export async function forwardEvents(options: ForwardOptions): Promise<ForwardResult> {
  return await new Forwarder(options).run();
}

type Delivery = QueueItem<StoredEvent>;
type Settled = { gaveUp: boolean; nextAttemptInMs: number | null };

/**
 * The loop's wake-ups. A wake-up while the loop is not asleep is kept for its next sleep, and
 * responses that arrive in one poll phase of the event loop are handled in ONE loop turn (one
 * checkpoint, one takeReady), not one turn each.
 */
class Wakeup {
  private resolve: (() => void) | null = null;
  private early = false;
  private scheduled = false;

  readonly wake = () => {
    const resolve = this.resolve;
    this.resolve = null;
    if (resolve) resolve();
    else this.early = true;
  };

  wakeAfterIo(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.wake();
    });
  }

  /** True (once) when a wake-up came while the loop was not asleep. */
  takeEarly(): boolean {
    const early = this.early;
    this.early = false;
    return early;
  }

  next(): Promise<void> {
    return new Promise<void>((resolve) => (this.resolve = resolve));
  }
}

/** What forwarding has done so far. */
class Tally {
  delivered = 0;
  rejected = 0;
  failed = 0;
  unreachable = 0;
  lastFailure: ForwardResult['lastFailure'] = null;
  /** The verdict of each still-failing event's last attempt. */
  readonly failing = new Map<number, AttemptVerdict>();
}

/** Durable progress: what finished since the last checkpoint, saved before anything new is sent. */
class Checkpoints {
  /** Per thread, the last sequence finished since the previous checkpoint. */
  private readonly finishedThreads = new Map<string, number>();
  private lastWatermark: number;

  constructor(private readonly save: ForwardOptions['checkpoint'], startAfter: number) {
    this.lastWatermark = startAfter;
  }

  finished(item: Delivery): void {
    if (this.save) this.finishedThreads.set(item.key, item.sequence);
  }

  /** Saves until nothing is left: a save that awaits I/O may see more finish meanwhile. */
  async flush(watermark: () => number): Promise<void> {
    do await this.saveOnce(watermark());
    while (this.finishedThreads.size > 0);
  }

  async saveOnce(watermark: number): Promise<void> {
    if (!this.save) return;
    if (this.finishedThreads.size === 0 && watermark === this.lastWatermark) return;
    const threads = new Map<string, number>();
    for (const [key, sequence] of this.finishedThreads) if (sequence > watermark) threads.set(key, sequence);
    this.finishedThreads.clear();
    this.lastWatermark = watermark;
    await this.save({ watermark, threads });
  }
}

/** One forwarding run: read batches, send what is ready, record each outcome, checkpoint, sleep. */
class Forwarder {
  private readonly queue: ForwardQueue<StoredEvent>;
  private readonly policy: RetryPolicy;
  private readonly tally = new Tally();
  private readonly checkpoints: Checkpoints;
  private readonly wakeup = new Wakeup();
  private readonly inFlight = new Set<Promise<void>>();
  /** Ends the long-lived wait on the log. */
  private readonly watch = new AbortController();
  /** Cancels every request in flight. */
  private readonly sendAbort = new AbortController();
  private readPosition: number;
  private exhausted = false;
  // Set when the log may have grown since the last read; while the backlog is exhausted and
  // nothing changed, the loop does not query the log at all.
  private logChanged = true;
  private watchingLog = false;
  private stoppedBecause: ForwardResult['stoppedBecause'] | null = null;
  private isoAt = Number.NaN;
  private isoText = '';

  constructor(private readonly options: ForwardOptions) {
    this.queue = new ForwardQueue<StoredEvent>(options.startAfter);
    this.policy = listenRetryPolicy(options.retryScheduleMs);
    this.checkpoints = new Checkpoints(options.checkpoint, options.startAfter);
    this.readPosition = options.startAfter;
    // Every in-flight delivery listens on it.
    setMaxListeners(Math.max(50, options.maxInFlight * 2), this.sendAbort.signal);
  }

  async run(): Promise<ForwardResult> {
    const onAbort = () => {
      this.stoppedBecause ??= 'aborted';
      this.sendAbort.abort();
      this.wakeup.wake();
    };
    this.options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!this.stoppedBecause && (await this.turn()));
    } finally {
      this.watch.abort();
      this.sendAbort.abort();
      await Promise.allSettled([...this.inFlight]);
      this.options.signal.removeEventListener('abort', onAbort);
      await this.checkpoints.saveOnce(this.queue.watermark());
    }
    return this.result();
  }

  /** One turn of the loop; false once forwarding is over. */
  private async turn(): Promise<boolean> {
    await this.readWhileRoom();
    // Whatever finished is durable before anything new is sent (the duplicate bound).
    await this.checkpoints.flush(() => this.queue.watermark());
    this.sendReady();
    if (this.stoppedBecause) return false;
    if (!this.options.follow && this.exhausted && this.queue.size === 0) {
      this.stoppedBecause = 'caught_up';
      return false;
    }
    await this.sleep();
    return true;
  }

  /** Catch up: read more while the buffer has room (and there is, or may be, more to read). */
  private async readWhileRoom(): Promise<void> {
    while ((!this.exhausted || this.logChanged) && this.wantsMore()) {
      this.logChanged = false;
      const { events, scannedTo } = await this.options.source.read(this.readPosition, READ_BATCH);
      this.enqueue(events);
      if (scannedTo > this.readPosition) {
        this.readPosition = scannedTo;
        this.queue.advanceReadPosition(scannedTo);
      }
      this.exhausted = events.length < READ_BATCH && scannedTo === this.readPosition;
      if (events.length < READ_BATCH) break;
    }
  }

  /** Room to read: a little ahead while all is well, up to MAX_BUFFERED while a thread is being retried. */
  private wantsMore(): boolean {
    const { queue } = this;
    if (queue.size >= MAX_BUFFERED) return false;
    return this.tally.failing.size > 0 || queue.size - queue.inFlight < READ_AHEAD;
  }

  private enqueue(events: readonly StoredEvent[]): void {
    const { resume } = this.options;
    const now = this.now();
    for (const event of events) {
      // Finished by an earlier run (its thread's kept position covers it): not sent again.
      if (resume && event.sequence <= (resume.get(event.orderingKey) ?? 0)) continue;
      this.queue.push(event.sequence, event.orderingKey, event, now);
    }
  }

  private sendReady(): void {
    for (const item of this.queue.takeReady(this.now(), this.options.maxInFlight)) {
      const task: Promise<void> = this.deliver(item).then(
        () => this.sent(task),
        (error: unknown) => {
          try {
            this.sendCrashed(item, error);
          } finally {
            this.sent(task);
          }
        },
      );
      this.inFlight.add(task);
    }
  }

  private sent(task: Promise<void>): void {
    this.inFlight.delete(task);
    this.wakeup.wakeAfterIo();
  }

  /** A programmer error in sending: keep the event, surface the problem, retry later. */
  private sendCrashed(item: Delivery, error: unknown): void {
    this.queue.retryLater(item, this.now() + 1000);
    this.options.onRecord({ type: 'delivery', at: this.iso(), sequence: item.sequence, id: item.payload.id, eventType: item.payload.type, attempt: item.attempts, ok: false, status: null, latencyMs: 0, errorClass: 'network', error: String(error), nextAttemptInMs: 1000, gaveUp: false, verdict: 'unreachable' });
  }

  private async deliver(item: Delivery): Promise<void> {
    const event = item.payload;
    if (item.attempts === 1) this.options.onRecord({ type: 'event', at: this.iso(), sequence: event.sequence, id: event.id, eventType: event.type });
    const result = await this.options.send(this.request(item));
    const verdict = classifyAttempt(result);
    if (verdict === 'aborted' && this.stoppedBecause) {
      this.queue.retryLater(item, this.now());
      return;
    }
    const settled = this.settle(item, verdict, result);
    this.options.onRecord(this.deliveryRecord(item, result, verdict, settled));
    if (this.options.exitAfter !== undefined && this.tally.delivered >= this.options.exitAfter) this.stoppedBecause ??= 'exit_after';
  }

  private request(item: Delivery): WebhookRequest {
    const { payload: event } = item;
    const { target, timeoutMs, userAgent } = this.options;
    return webhookRequest(target, { body: event.body, eventId: event.id, eventType: event.type, attempt: item.attempts, deliveryId: this.options.newDeliveryId() }, { timeoutMs, userAgent, signal: this.sendAbort.signal });
  }

  /** What the verdict does to the event: finished, retried later, or forwarding stops (410). */
  private settle(item: Delivery, verdict: AttemptVerdict, result: DeliveryResult): Settled {
    const { tally } = this;
    if (verdict === 'delivered') {
      this.finish(item);
      tally.delivered += 1;
      return { gaveUp: false, nextAttemptInMs: null };
    }
    if (verdict === 'gone' && this.policy.onGone === 'stop') {
      this.queue.retryLater(item, Number.MAX_SAFE_INTEGER);
      this.stoppedBecause = 'gone';
      return { gaveUp: false, nextAttemptInMs: null };
    }
    tally.lastFailure = { verdict, status: result.status, error: result.errorMessage };
    if (verdict === 'rejected' || this.outOfAttempts(item)) return this.giveUp(item, verdict);
    tally.failing.set(item.sequence, verdict);
    const nextAttemptInMs = retryDelayMs(this.policy, item.attempts, result);
    this.queue.retryLater(item, this.now() + nextAttemptInMs);
    return { gaveUp: false, nextAttemptInMs };
  }

  private outOfAttempts(item: Delivery): boolean {
    return this.options.maxAttempts !== undefined && item.attempts >= this.options.maxAttempts;
  }

  /** Rejected (the app's final answer: retrying cannot change it) or out of attempts: reported, counted, finished. */
  private giveUp(item: Delivery, verdict: AttemptVerdict): Settled {
    this.finish(item);
    if (verdict === 'rejected') {
      this.tally.rejected += 1;
    } else {
      this.tally.failed += 1;
      if (!appAnswered(verdict)) this.tally.unreachable += 1;
    }
    return { gaveUp: true, nextAttemptInMs: null };
  }

  private finish(item: Delivery): void {
    this.queue.complete(item);
    this.tally.failing.delete(item.sequence);
    this.checkpoints.finished(item);
  }

  private deliveryRecord(item: Delivery, result: DeliveryResult, verdict: AttemptVerdict, settled: Settled): ForwardRecord {
    const event = item.payload;
    const record: ForwardRecord = {
      type: 'delivery', at: this.iso(), sequence: event.sequence, id: event.id, eventType: event.type, attempt: item.attempts,
      ok: result.ok, status: result.status, latencyMs: result.latencyMs, errorClass: result.errorClass, error: result.errorMessage,
      nextAttemptInMs: settled.nextAttemptInMs, gaveUp: settled.gaveUp, verdict,
    };
    if (this.options.includeResponseBody) record.responseBody = result.responseBody;
    return record;
  }

  /**
   * Sleeps until something can happen: a delivery finishes, a retry is due, or new events land.
   * With every slot taken only a finishing delivery can start another, so no retry timer then
   * (ready heads waiting for a slot would otherwise make it fire at once, spinning).
   */
  private async sleep(): Promise<void> {
    if (this.wakeup.takeEarly()) return;
    const waiters: Array<Promise<void>> = [this.wakeup.next()];
    const nextWake = this.queue.inFlight < this.options.maxInFlight ? this.queue.nextWakeAt() : null;
    let retryWait: AbortController | null = null;
    if (nextWake !== null) {
      retryWait = new AbortController();
      waiters.push(this.options.clock.sleep(Math.max(0, nextWake - this.now()), retryWait.signal));
    }
    // Only a follower waits for new commits, and only once it has read all there was: while
    // catching up it reads on anyway when a delivery frees buffer room (which wakes this loop),
    // and a wait would be woken by every write to the store, its own checkpoints included. A
    // finite source (replay) never waits: its wait resolves at once, so the loop would spin.
    if (this.options.follow && this.exhausted) this.watchLog();
    await Promise.race(waiters);
    retryWait?.abort();
  }

  /** One long-lived wait on the log at a time (not one per turn: that costs a timer and a listener per delivery). */
  private watchLog(): void {
    if (this.watchingLog) return;
    this.watchingLog = true;
    this.options.source.waitForChange(60_000, this.watch.signal).catch(() => undefined).then(() => {
      this.watchingLog = false;
      this.logChanged = true;
      this.wakeup.wake();
    });
  }

  private now(): number {
    return this.options.clock.now();
  }

  /** The time of a record; two records a delivery, thousands a second, so formatted once per millisecond. */
  private iso(): string {
    const now = this.now();
    if (now !== this.isoAt) {
      this.isoAt = now;
      this.isoText = new Date(now).toISOString();
    }
    return this.isoText;
  }

  private result(): ForwardResult {
    const { tally } = this;
    let unreachable = tally.unreachable;
    for (const verdict of tally.failing.values()) if (!appAnswered(verdict)) unreachable += 1;
    return {
      delivered: tally.delivered, rejected: tally.rejected, failed: tally.failed, unreachable, lastFailure: tally.lastFailure,
      pending: this.queue.size,
      // Cancelled attempts (forwarding stopped mid-request) are not failures.
      pendingAfterFailure: tally.failing.size,
      watermark: this.queue.watermark(),
      stoppedBecause: this.stoppedBecause ?? 'caught_up',
    };
  }
}
