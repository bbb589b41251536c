/**
 * `mailmon replay`: re-sends a window of the log (or an exported NDJSON file) with fresh
 * signatures and the same event ids, in sequence order, with listen's retry and per-thread
 * ordering rules — or writes it to a file. It never moves sync cursors or listen cursors.
 */
import type { StoredEvent } from './ports/event-log.js';
import type { Storage } from './ports/storage.js';
import { MailmonError } from '../core/errors.js';
import { appAnswered } from '../core/delivery-outcome.js';
import { mailboxOrderingKey, threadOrderingKey } from '../core/event-drafts.js';
import { matchesAnyEventType, parseEventTypeList } from '../core/events.js';
import { eventFilter } from './event-queries.js';
import { boundedLog, type EventSource } from './read-log.js';
import { forwardEvents, type ForwardRecord, type ForwardResult, type ForwardTarget, type SendingDeps } from './forward-events.js';

export type ReplaySource = { kind: 'window'; since: number; until?: number } | { kind: 'file'; path: string };

/** Where replay's events come from: the log, or an exported file the composition root reads. */
export interface ReplaySourceDeps extends Pick<Storage, 'events' | 'mailboxes'> {
  readFile: (path: string) => Promise<string>;
}

export interface ReplaySelection {
  source: ReplaySource;
  mailbox?: string;
  events?: string;
}

/**
 * The events a replay would send, as a source read in batches (a window of the log is streamed,
 * bounded by the head at the start, so memory stays flat however large the window), and how many.
 */
export async function replaySource(deps: ReplaySourceDeps, selection: ReplaySelection): Promise<{ source: EventSource; count: number }> {
  if (selection.source.kind === 'file') {
    const events = parseEventsFile(selection.source.path, await readEventsFile(deps, selection.source.path), selection);
    return { source: staticSource(events), count: events.length };
  }
  const filter = { ...(await eventFilter(deps, { types: selection.events, mailbox: selection.mailbox, since: selection.source.since, until: selection.source.until })), maxSequence: await deps.events.head() };
  return { count: await deps.events.count(filter), source: boundedLog(deps.events, filter) };
}

/** Reads a whole source (for --dry-run and --output), batch by batch. */
export async function* readAll(source: EventSource, batch = 2000): AsyncGenerator<StoredEvent> {
  for (let after = 0; ; ) {
    const { events, scannedTo } = await source.read(after, batch);
    yield* events;
    if (events.length < batch || scannedTo <= after) return;
    after = scannedTo;
  }
}

async function readEventsFile(deps: Pick<ReplaySourceDeps, 'readFile'>, path: string): Promise<string> {
  try {
    return await deps.readFile(path);
  } catch (error) {
    throw new MailmonError('not_found', `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, { hint: 'Pass a file written by "mailmon events export".' });
  }
}

function parseEventsFile(path: string, text: string, selection: ReplaySelection): StoredEvent[] {
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
    async read(afterSequence, limit) {
      const slice = ordered.slice(afterSequence, afterSequence + limit);
      return { events: slice, scannedTo: slice.length > 0 ? slice[slice.length - 1].sequence : afterSequence };
    },
    // Nothing is ever appended to a fixed list, and replay never follows its source: no wait to make.
    waitForChange: async () => undefined,
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
    clock: deps.clock,
    newDeliveryId: deps.newDeliveryId,
    signal: input.signal,
  });
  if (result.stoppedBecause === 'gone') {
    throw new MailmonError('endpoint_gone', `${input.target.url} answered 410 Gone; the replay stopped after ${result.delivered} ${result.delivered === 1 ? 'event' : 'events'}.`, { hint: 'Fix the URL and replay again.' });
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
  return new MailmonError('delivery_failed', `${undelivered} of ${summary.selected} ${summary.selected === 1 ? 'event' : 'events'} could not be delivered to ${url} (${parts}).`, { hint });
}

/** Writes the exact event bodies as NDJSON; returns how many. */
export async function writeEvents(source: EventSource, write: (chunk: string) => void): Promise<number> {
  let count = 0;
  for await (const event of readAll(source)) {
    write(`${event.body}\n`);
    count += 1;
  }
  return count;
}
