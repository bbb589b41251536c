/**
 * The delivery worker for registered endpoints, as a daemon service.
 *
 * Guarantees:
 * - all state is in the delivery queue: new events are fanned out into pending attempts, due
 *   thread heads are claimed (pending → in_flight), sent, and their outcome + next attempt
 *   committed together; nothing lives only in memory, so a crash loses nothing;
 * - per-thread order: only the head of an (endpoint, ordering key) is claimed;
 * - isolation: at most `perEndpoint` attempts in flight per endpoint and `global` overall, with
 *   `global` > `perEndpoint`, so a hanging endpoint holds only its own slots;
 * - wake-ups come from the change notifier (new events, commands in other processes), from an
 *   attempt finishing, and from a timer for the next scheduled retry — on an injected clock, so
 *   tests move time forward instead of waiting;
 * - a store out of reach (down, restarting) ends nothing: the worker looks again every idle
 *   period, reports the outage once, and resumes as soon as the store is back.
 *
 * Claims and crashes. Every claim carries this worker's holder id (unique per process run) and
 * its time. A worker never asks whether another holder is alive (it may be another process or
 * another host sharing the store); it releases any claim older than the claim timeout — on
 * start and then every few seconds — closing it as failed/interrupted with a retry due now. A
 * restarted worker cannot recognise its predecessor's claims (holder ids are never reused, and
 * a host:pid match proves nothing on a shared store), so it waits for them to age out like
 * anyone else's: after a crash, attempts that were in flight resume within the claim timeout
 * plus one sweep, and later events of their threads wait behind them. The claim timeout stays
 * well above the delivery timeout, so a live attempt is not released while it can still finish;
 * if one is (a stalled process), its late outcome is refused because its holder no longer holds
 * the claim. Either way each event reaches the endpoint at least once, with the same event id.
 */
import type { Metrics } from '../app/ports/metrics.js';
import { setMaxListeners } from 'node:events';
import type { ChangeMark, ChangeNotifier } from '../app/ports/change-notifier.js';
import { attemptDelivery, type AttemptDeps, type AttemptRecord } from '../app/attempt-delivery.js';
import { isStoreOutage } from '../core/errors.js';
import type { Logger } from '../core/log-entry.js';
import { current, type Live } from '../core/live.js';
import type { ClaimedDelivery } from '../app/ports/delivery-queue.js';
import type { Clock } from '../app/ports/clock.js';
import type { Service } from './service.js';

/** A developer trace line (printf-style), off unless tracing is enabled. */
export type TraceLine = (format: string, ...args: unknown[]) => void;

export interface DeliveryServiceDeps extends Omit<AttemptDeps, 'now'> {
  clock: Clock;
  /** Wakes the worker when events are appended (by this process or another) and when another process commits (`webhooks enable`…). */
  changes: ChangeNotifier;
  perEndpoint?: number;
  global?: number;
  /** Real milliseconds between looks at the store when nothing wakes the worker: a safety poll only. */
  idleMs?: number;
  /** Claims older than this are presumed dead and released; default claimTimeoutFor(timeoutMs). */
  claimTimeoutMs?: Live<number>;
  onAttempt?: (record: AttemptRecord) => void;
  onError?: (error: unknown) => void;
  /** Counts each finished attempt by outcome and event type, with its latency. */
  metrics?: Pick<Metrics, 'deliveryFinished'>;
}

export interface DeliveryService extends Service {
  /** Look at the store now (tests). */
  wake(): void;
  /** Attempts in flight right now. */
  inFlight(): number;
}

/** Comfortably above the delivery timeout: a live attempt ends (and records its outcome) well before its claim goes stale. */
export function claimTimeoutFor(deliveryTimeoutMs: number): number {
  return 2 * deliveryTimeoutMs + 5_000;
}

/** How often claims are checked for age, at most. */
const SWEEP_EVERY_MS = 5_000;

/** How soon a worker that could not reach the store looks again. */
const OUTAGE_RETRY_MS = 2_000;

export function createDeliveryService(deps: DeliveryServiceDeps): DeliveryService {
  const perEndpoint = deps.perEndpoint ?? 8;
  const global = Math.max(deps.global ?? 64, perEndpoint + 1);
  const idleMs = deps.idleMs ?? 1000;
  const queue = deps.storage.deliveries;
  const claimTimeout = () => (deps.claimTimeoutMs === undefined ? claimTimeoutFor(current(deps.timeoutMs)) : current(deps.claimTimeoutMs));
  let lastSweep = -Infinity;
  const attemptDeps: AttemptDeps = { ...deps, now: () => deps.clock.now(), secretCache: new Map() };
  const inFlight = new Map<string, Set<string>>();
  const tasks = new Set<Promise<void>>();
  const stopper = new AbortController();
  // Every attempt in flight listens for the stop.
  setMaxListeners(0, stopper.signal);
  let wakeUp: (() => void) | null = null;
  let pendingWake = false;
  let running: Promise<void> | null = null;
  let rotation = 0;

  const wake = () => {
    pendingWake = true;
    wakeUp?.();
  };
  const total = () => [...inFlight.values()].reduce((sum, ids) => sum + ids.size, 0);

  function start(delivery: ClaimedDelivery) {
    const ids = inFlight.get(delivery.endpointId) ?? new Set<string>();
    ids.add(delivery.id);
    inFlight.set(delivery.endpointId, ids);
    const task = attemptDelivery(attemptDeps, delivery, stopper.signal)
      .then((record) => {
        if (!record) return;
        deps.metrics?.deliveryFinished(record.ok ? 'succeeded' : record.abandoned ? 'abandoned' : 'failed', delivery.eventType, record.latencyMs / 1000);
        deps.onAttempt?.(record);
      })
      .catch((error: unknown) => deps.onError?.(error))
      .finally(() => {
        ids.delete(delivery.id);
        tasks.delete(task);
        wake();
      });
    tasks.add(task);
  }

  async function releaseStaleClaims() {
    const now = deps.clock.now();
    if (now - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now;
    await queue.releaseStaleClaims({ claimedBefore: now - claimTimeout(), now, newDeliveryId: deps.newDeliveryId });
  }

  async function pass() {
    await queue.fanOut(deps.clock.now(), deps.newDeliveryId);
    await releaseStaleClaims();
    const now = deps.clock.now();
    const endpoints = await queue.endpointsWithDueWork(now);
    // Rotate the starting endpoint so no endpoint is always served last.
    rotation = (rotation + 1) % Math.max(1, endpoints.length);
    const ordered = [...endpoints.slice(rotation), ...endpoints.slice(0, rotation)];
    for (const endpointId of ordered) {
      const mine = inFlight.get(endpointId)?.size ?? 0;
      const free = Math.min(perEndpoint - mine, global - total());
      if (free <= 0) continue;
      for (const delivery of await queue.claimDue({ endpointId, holder: deps.holder, now, limit: free })) start(delivery);
    }
  }

  async function waitForWork(signal: AbortSignal, mark: ChangeMark) {
    if (pendingWake) {
      pendingWake = false;
      return;
    }
    const scheduled = await queue.nextScheduledAfter(deps.clock.now());
    // Woken while reading: look again at once rather than sleep on a stale picture.
    if (pendingWake) {
      pendingWake = false;
      return;
    }
    // The next sweep is a wake-up too: stale claims are released even when nothing else happens.
    const next = Math.min(scheduled ?? Infinity, lastSweep + SWEEP_EVERY_MS);
    const round = new AbortController();
    const abortRound = () => round.abort();
    signal.addEventListener('abort', abortRound, { once: true });
    const woken = new Promise<void>((resolve) => (wakeUp = resolve));
    const waits: Array<Promise<void>> = [woken, deps.changes.waitForChange(mark, idleMs, round.signal)];
    if (Number.isFinite(next)) waits.push(deps.clock.sleep(next - deps.clock.now(), round.signal));
    try {
      await Promise.race(waits);
    } finally {
      wakeUp = null;
      pendingWake = false;
      round.abort();
      signal.removeEventListener('abort', abortRound);
    }
  }

  async function loop(signal: AbortSignal) {
    // While the store is out of reach the loop goes on trying; the outage is reported once, not every pass.
    let outage = false;
    const failed = (error: unknown) => {
      if (!(outage && isStoreOutage(error))) deps.onError?.(error);
      outage = isStoreOutage(error);
    };
    while (!signal.aborted) {
      // Taken before the pass: whatever commits during or after it wakes the wait below.
      const mark = await deps.changes.mark();
      try {
        await pass();
        outage = false;
        await waitForWork(signal, mark);
      } catch (error) {
        failed(error);
        await deps.clock.sleep(Math.min(idleMs, OUTAGE_RETRY_MS), signal);
      }
    }
    await Promise.allSettled([...tasks]);
  }

  return {
    id: 'delivery',
    run(signal: AbortSignal) {
      const onAbort = () => stopper.abort();
      if (signal.aborted) stopper.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      running = loop(stopper.signal).finally(() => signal.removeEventListener('abort', onAbort));
      return running;
    },
    async stop() {
      stopper.abort();
      await running;
    },
    wake,
    inFlight: total,
  };
}

/**
 * What the daemon log says about one attempt: failures (with the next retry or "given up") and
 * endpoint health changes; successes only in the trace. Never the URL (it may carry a token).
 */
export function logDeliveryAttempt(log: { logger: Logger; trace: TraceLine }, record: AttemptRecord, now: number): void {
  const { logger } = log;
  const nextRetryInMs = record.nextAttemptAt === null ? null : Math.max(0, record.nextAttemptAt - now);
  log.trace('%s %s attempt %d %s %dms%s', record.endpointId, record.eventId, record.attempt, record.ok ? record.status : record.status ?? record.errorClass, record.latencyMs,
    record.ok ? '' : record.abandoned ? ' given up' : nextRetryInMs !== null ? ` next retry in ${nextRetryInMs}ms` : '');
  const fields = { endpointId: record.endpointId, eventId: record.eventId, deliveryId: record.deliveryId, attempt: record.attempt, status: record.status, latencyMs: record.latencyMs };
  if (!record.ok) {
    logger.warn(record.abandoned ? 'delivery given up' : 'delivery failed', { ...fields, errorClass: record.errorClass, error: record.errorMessage, nextRetryInMs });
  }
  if (record.healthChange) {
    const { from, to, reason } = record.healthChange;
    const entry = { endpointId: record.endpointId, from, to, reason };
    if (to === 'active') logger.info('endpoint health changed', entry);
    else logger.warn('endpoint health changed', entry);
  }
}
