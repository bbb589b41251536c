/**
 * Retention (config `retention`, default 30 d): deletes finished delivery attempts and events
 * older than the cutoff. Never deleted: an event any endpoint has not enqueued yet, an event or
 * attempt whose delivery is still open (pending / in flight), and the newest event (its
 * sequence is what the next event's sequence is counted from).
 */
import type Database from 'better-sqlite3';
import { current, type Live } from '../core/live.js';

export interface RetentionResult {
  cutoff: number;
  attemptsDeleted: number;
  eventsDeleted: number;
}

const BATCH = 5000;

export function applyRetention(sqlite: Database.Database, input: { now: number; retentionMs: number }): RetentionResult {
  const cutoff = input.now - input.retentionMs;
  let attemptsDeleted = 0;
  let eventsDeleted = 0;
  const deleteAttempts = sqlite.prepare(`delete from deliveries where id in (
    select d.id from deliveries d where d.status in ('succeeded', 'failed', 'abandoned') and coalesce(d.finished_at, d.scheduled_at) < ?
      and not exists (select 1 from deliveries o where o.endpoint_id = d.endpoint_id and o.event_sequence = d.event_sequence and o.kind = d.kind and o.status in ('pending', 'in_flight'))
    limit ${BATCH})`);
  const deleteEvents = sqlite.prepare(`delete from events where sequence in (
    select e.sequence from events e where e.occurred_at < ?
      and e.sequence < (select max(sequence) from events)
      and e.sequence <= coalesce((select min(last_enqueued_sequence) from webhook_endpoints), e.sequence)
      and not exists (select 1 from deliveries d where d.event_sequence = e.sequence and d.status in ('pending', 'in_flight'))
    limit ${BATCH})`);
  // Small batches, each its own transaction, so the daemon's writers are never blocked for long.
  for (;;) {
    const changes = sqlite.transaction(() => deleteAttempts.run(cutoff).changes).immediate();
    attemptsDeleted += changes;
    if (changes < BATCH) break;
  }
  for (;;) {
    const changes = sqlite.transaction(() => deleteEvents.run(cutoff).changes).immediate();
    eventsDeleted += changes;
    if (changes < BATCH) break;
  }
  return { cutoff, attemptsDeleted, eventsDeleted };
}

export interface RetentionServiceDeps {
  sqlite: Database.Database;
  /** Read at each run: a reloaded retention applies from the next run. */
  retentionMs: Live<number>;
  /** How often to apply retention (default hourly). */
  intervalMs?: number;
  clock: { now(): number; sleep(ms: number, signal: AbortSignal): Promise<void> };
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
        deps.onApplied?.(applyRetention(deps.sqlite, { now: deps.clock.now(), retentionMs: current(deps.retentionMs) }));
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
