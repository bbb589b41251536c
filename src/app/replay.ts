/**
 * `mailmon replay`: re-sends a window of the log (or an exported NDJSON file) with fresh
 * signatures and the same event ids, in sequence order, with listen's retry and per-thread
 * ordering rules — or writes it to a file. It never moves sync cursors or listen cursors.
 */
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import { MailmonError } from '../core/errors.js';
import { appAnswered } from '../core/delivery-outcome.js';
import { mailboxOrderingKey, threadOrderingKey } from '../core/diff.js';
import { matchesAnyEventType, parseEventTypeList } from '../core/events.js';
import { EventLog, type StoredEvent } from '../adapters/sqlite/event-log.js';
import { eventFilter } from './event-queries.js';
import { forwardEvents, type EventSource, type ForwardRecord, type ForwardResult, type ForwardTarget, type SendingDeps } from './forward-events.js';

export type ReplaySource = { kind: 'window'; since: number; until?: number } | { kind: 'file'; path: string };

export interface ReplaySelection {
  source: ReplaySource;
  mailbox?: string;
  events?: string;
}

/**
 * The events a replay would send, as a source read in batches (a window of the log is streamed,
 * bounded by the head at the start, so memory stays flat however large the window), and how many.
 */
export function replaySource(sqlite: Database.Database, selection: ReplaySelection): { source: EventSource; count: number } {
  if (selection.source.kind === 'file') {
    const events = readEventsFile(selection.source.path, selection);
    return { source: staticSource(events), count: events.length };
  }
  const log = new EventLog(sqlite);
  const filter = { ...eventFilter(sqlite, { types: selection.events, mailbox: selection.mailbox, since: selection.source.since, until: selection.source.until }), maxSequence: log.maxSequence() };
  return {
    count: log.count(filter),
    source: {
      read(afterSequence, limit) {
        const events = log.readAfter(afterSequence, limit, filter);
        return { events, scannedTo: events.length === limit ? events[events.length - 1].sequence : filter.maxSequence };
      },
      waitForChange: async () => undefined,
    },
  };
}

/** Reads a whole source (for --dry-run and --output), batch by batch. */
export function* readAll(source: EventSource, batch = 2000): Generator<StoredEvent> {
  for (let after = 0; ; ) {
    const { events, scannedTo } = source.read(after, batch);
    yield* events;
    if (events.length < batch || scannedTo <= after) return;
    after = scannedTo;
  }
}

function readEventsFile(path: string, selection: ReplaySelection): StoredEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    throw new MailmonError('not_found', `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, { hint: 'Pass a file written by "mailmon events export".' });
  }
  const patterns = selection.events ? parseEventTypeList(selection.events) : [];
  const events: StoredEvent[] = [];
  text.split('\n').forEach((line, index) => {
    const body = line.trim();
    if (body === '') return;
    let envelope: { id?: unknown; type?: unknown; mailboxId?: unknown; emailAddress?: unknown; occurredAt?: unknown; data?: { providerThreadId?: unknown } };
    try {
      envelope = JSON.parse(body);
    } catch {
      throw new MailmonError('usage', `${path}:${index + 1} is not a JSON event.`, { hint: 'The file must hold one event envelope per line, as written by "mailmon events export".' });
    }
    if (typeof envelope.id !== 'string' || typeof envelope.type !== 'string' || typeof envelope.mailboxId !== 'string') {
      throw new MailmonError('usage', `${path}:${index + 1} is not a mailmon event (id, type and mailboxId are required).`, { hint: 'Export events with "mailmon events export".' });
    }
    if (!matchesAnyEventType(patterns, envelope.type)) return;
    if (selection.mailbox && selection.mailbox !== envelope.mailboxId && selection.mailbox !== envelope.emailAddress) return;
    const thread = typeof envelope.data?.providerThreadId === 'string' ? envelope.data.providerThreadId : null;
    events.push({
      sequence: events.length + 1,
      id: envelope.id,
      type: envelope.type,
      mailboxId: envelope.mailboxId,
      orderingKey: thread ? threadOrderingKey(envelope.mailboxId, thread) : mailboxOrderingKey(envelope.mailboxId),
      occurredAt: typeof envelope.occurredAt === 'string' ? Date.parse(envelope.occurredAt) : 0,
      body,
    });
  });
  return events;
}

/** A fixed list of events as a forwarder source (replay never follows the live log). */
export function staticSource(events: readonly StoredEvent[]): EventSource {
  // Queue positions: replayed file events may carry foreign sequences, so use list order.
  const ordered = events.map((event, index) => ({ ...event, sequence: index + 1 }));
  return {
    read(afterSequence, limit) {
      const slice = ordered.slice(afterSequence, afterSequence + limit);
      return { events: slice, scannedTo: slice.length > 0 ? slice[slice.length - 1].sequence : afterSequence };
    },
    waitForChange: (timeoutMs) => new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 10))),
  };
}

export type ReplayDeps = SendingDeps;

export interface ReplaySummary {
  selected: number;
  sent: number;
  /** Answered with a final 4xx: the app's answer, reported at once and not retried. */
  rejected: number;
  /** Out of --max-attempts (or still unsent when interrupted). */
  failed: number;
  skipped: number;
  /** The last failed attempt ("HTTP 400", "connection refused"…), null when none failed. */
  lastFailure: ForwardResult['lastFailure'];
}

export async function replayToUrl(deps: ReplayDeps, input: { source: EventSource; count: number; target: ForwardTarget; maxInFlight: number; maxAttempts: number; showResponse?: boolean; signal: AbortSignal; onRecord: (record: ForwardRecord) => void }): Promise<ReplaySummary> {
  const result = await forwardEvents({
    source: input.source,
    startAfter: 0,
    target: input.target,
    send: deps.send,
    maxInFlight: input.maxInFlight,
    retryScheduleMs: deps.retryScheduleMs,
    maxAttempts: input.maxAttempts,
    follow: false,
    timeoutMs: deps.timeoutMs,
    userAgent: deps.userAgent,
    includeResponseBody: input.showResponse,
    onRecord: input.onRecord,
    now: deps.now,
    newDeliveryId: deps.newDeliveryId,
    signal: input.signal,
  });
  if (result.stoppedBecause === 'gone') {
    throw new MailmonError('endpoint_gone', `${input.target.url} answered 410 Gone; the replay stopped after ${result.delivered} event(s).`, { hint: 'Fix the URL and replay again.' });
  }
  return { selected: input.count, sent: result.delivered, rejected: result.rejected, failed: result.failed + result.pending, skipped: 0, lastFailure: result.lastFailure };
}

/** The error a replay ends with when some events were not delivered: "unreachable" and "rejected" get different advice. */
export function replayOutcomeError(summary: ReplaySummary, url: string): MailmonError | null {
  const undelivered = summary.rejected + summary.failed;
  if (undelivered === 0) return null;
  const parts = [summary.rejected > 0 ? `${summary.rejected} rejected by the app` : '', summary.failed > 0 ? `${summary.failed} failed` : ''].filter(Boolean).join(', ');
  const failure = summary.lastFailure;
  const again = 'then replay the same window again (event ids are unchanged; dedupe by id).';
  const hint = failure && !appAnswered(failure.verdict)
    ? `Nothing answered at ${url} (${failure.error ?? 'no response'}): check that your app is up and listening there, ${again}`
    : `Your app answered${failure?.status ? ` HTTP ${failure.status}` : ''} (rejected): see its logs, or run with --show-response; fix it, ${again}`;
  return new MailmonError('delivery_failed', `${undelivered} of ${summary.selected} event(s) could not be delivered to ${url} (${parts}).`, { hint });
}

/** Writes the exact event bodies as NDJSON; returns how many. */
export function writeEvents(source: EventSource, write: (chunk: string) => void): number {
  let count = 0;
  for (const event of readAll(source)) {
    write(`${event.body}\n`);
    count += 1;
  }
  return count;
}
