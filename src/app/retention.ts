/**
 * Retention (config `retention`, default 30 d): deletes finished delivery attempts and events
 * older than the cutoff. Never deleted: an event any endpoint has not enqueued yet, an event or
 * attempt whose delivery is still open (pending / in flight), and the newest event (its
 * sequence is what the next event's sequence is counted from).
 */
import { current, type Live } from '../core/live.js';
import type { Clock } from './ports/clock.js';
import type { Storage } from './ports/storage.js';

export interface RetentionResult {
  cutoff: number;
  attemptsDeleted: number;
  eventsDeleted: number;
}

export async function applyRetention(deps: Pick<Storage, 'retention'>, input: { now: number; retentionMs: number }): Promise<RetentionResult> {
  const cutoff = input.now - input.retentionMs;
  return { cutoff, ...(await deps.retention.pruneOlderThan(cutoff)) };
}

export interface RetentionServiceDeps {
  retention: Storage['retention'];
  /** Read at each run: a reloaded retention applies from the next run. */
  retentionMs: Live<number>;
  /** How often to apply retention (default hourly). */
  intervalMs?: number;
  clock: Clock;
  onApplied?: (result: RetentionResult) => void;
  onError?: (error: unknown) => void;
}

/** The daemon job: applies retention at start, then every `intervalMs`. Shaped `{ id, run(signal), stop() }`. */
export function createRetentionService(deps: RetentionServiceDeps) {
  const stopper = new AbortController();
  let running: Promise<void> | null = null;
  async function loop(signal: AbortSignal) {
    while (!signal.aborted) {
      try {
        deps.onApplied?.(await applyRetention(deps, { now: deps.clock.now(), retentionMs: current(deps.retentionMs) }));
      } catch (error) {
        deps.onError?.(error);
      }
      await deps.clock.sleep(deps.intervalMs ?? 60 * 60 * 1000, signal);
    }
  }
  return {
    id: 'retention',
    run(signal: AbortSignal): Promise<void> {
      if (signal.aborted) stopper.abort();
      signal.addEventListener('abort', () => stopper.abort(), { once: true });
      running = loop(stopper.signal);
      return running;
    },
    async stop(): Promise<void> {
      stopper.abort();
      await running;
    },
  };
}
