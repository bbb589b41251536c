/**
 * `mailmon listen --forward-to URL`: a durable consumer of the event log. Catches up from its
 * cursor, then goes live; a restart resumes, so events committed while listen (or the app) was
 * down are delivered. Optionally keeps the mailboxes in sync in-process when no daemon does.
 */
import type Database from 'better-sqlite3';
import { MailmonError } from '../core/errors.js';
import { validateTargetUrl } from '../core/webhook-target.js';
import { Consumers } from '../adapters/sqlite/consumers.js';
import { EventLog } from '../adapters/sqlite/event-log.js';
import { logEventSource, type LogWatcher } from '../adapters/sqlite/log-watcher.js';
import { eventFilter } from './event-queries.js';
import { forwardEvents, type ForwardRecord, type ForwardResult, type SendingDeps } from './forward-events.js';
import { runSyncLoop } from './sync-loop.js';
import type { SyncDeps, SyncSummary } from './sync-mailbox.js';

export type StartPosition = { kind: 'resume' } | { kind: 'start' } | { kind: 'now' } | { kind: 'since'; at: number };

export interface ListenDeps extends SendingDeps {
  sqlite: Database.Database;
  watcher: LogWatcher;
  /** null: do not sync in this process. */
  sync: { deps: SyncDeps; intervalMs: number } | null;
}

export interface ListenInput {
  url: string;
  name?: string;
  start: StartPosition;
  events?: string;
  mailbox?: string;
  headers: Record<string, string>;
  secret: string;
  maxInFlight: number;
  exitAfter?: number;
  timeoutSeconds?: number;
  showResponse?: boolean;
  signal: AbortSignal;
  onReady: (info: { consumer: string; startAfter: number; resumed: boolean; backlog: number }) => void;
  onRecord: (record: ForwardRecord) => void;
  onSynced?: (summary: SyncSummary) => void;
  onSyncError?: (mailbox: { emailAddress: string }, error: unknown, retryInMs: number) => void;
}

export interface ListenResult extends ForwardResult {
  consumer: string;
  timedOut: boolean;
}

const CURSOR_FLUSH_MS = 100;

/** Calls `write` with the latest value at most every `intervalMs` (trailing), and on flush(). */
function throttled(write: (value: number) => void, intervalMs: number) {
  let pending: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending === null) return;
    const value = pending;
    pending = null;
    write(value);
  };
  return {
    advance: (value: number) => {
      pending = value;
      timer ??= setTimeout(flush, intervalMs);
    },
    flush,
  };
}

export function defaultConsumerName(url: URL): string {
  return `listen:${url.origin}${url.pathname}`;
}

export async function listen(deps: ListenDeps, input: ListenInput): Promise<ListenResult> {
  const url = validateTargetUrl(input.url);
  const filter = eventFilter(deps.sqlite, { types: input.events, mailbox: input.mailbox });
  const consumers = new Consumers(deps.sqlite);
  const log = new EventLog(deps.sqlite);
  const name = input.name ?? defaultConsumerName(url);
  const existing = consumers.get(name);
  const startAfter = startSequence(deps.sqlite, log, input.start, existing?.lastSequence);
  const consumer = consumers.upsert({ name, kind: 'listen', target: url.toString(), startAfter, reposition: input.start.kind !== 'resume' || !existing, now: deps.now() });
  input.onReady({ consumer: name, startAfter: consumer.lastSequence, resumed: Boolean(existing) && input.start.kind === 'resume', backlog: log.count({ ...filter, maxSequence: undefined }) - log.count({ ...filter, maxSequence: consumer.lastSequence }) });

  const stop = new AbortController();
  let timedOut = false;
  const onAbort = () => stop.abort();
  input.signal.addEventListener('abort', onAbort, { once: true });
  const timer = input.timeoutSeconds ? setTimeout(() => ((timedOut = true), stop.abort()), input.timeoutSeconds * 1000) : undefined;
  const syncing = deps.sync
    ? runSyncLoop({
        deps: deps.sync.deps,
        intervalMs: deps.sync.intervalMs,
        signal: stop.signal,
        onSynced: (summary) => {
          deps.watcher.notify();
          input.onSynced?.(summary);
        },
        onError: (mailbox, error, retryIn) => input.onSyncError?.(mailbox, error, retryIn),
      })
    : Promise.resolve();
  // The watermark moves after every delivery; writing it each time costs a SQLite write per
  // event. Persist it at most every CURSOR_FLUSH_MS (and at the end): a crash then resends at
  // most that window's events, which at-least-once delivery allows (consumers dedupe by id).
  const cursor = throttled((sequence: number) => consumers.advance(name, sequence, deps.now()), CURSOR_FLUSH_MS);
  try {
    const result = await forwardEvents({
      source: logEventSource(deps.sqlite, deps.watcher, filter),
      startAfter: consumer.lastSequence,
      target: { url: url.toString(), headers: input.headers, secrets: [input.secret], scheme: 'both' },
      send: deps.send,
      maxInFlight: input.maxInFlight,
      retryScheduleMs: deps.retryScheduleMs,
      follow: true,
      exitAfter: input.exitAfter,
      timeoutMs: deps.timeoutMs,
      userAgent: deps.userAgent,
      includeResponseBody: input.showResponse,
      onRecord: input.onRecord,
      onWatermark: cursor.advance,
      now: deps.now,
      newDeliveryId: deps.newDeliveryId,
      signal: stop.signal,
    });
    if (result.stoppedBecause === 'gone') {
      throw new MailmonError('endpoint_gone', `${url} answered 410 Gone, so forwarding stopped.`, { hint: 'The app says this endpoint is gone: fix the URL, then run listen again (undelivered events are kept).' });
    }
    return { ...result, consumer: name, timedOut };
  } finally {
    cursor.flush();
    clearTimeout(timer);
    stop.abort();
    input.signal.removeEventListener('abort', onAbort);
    await syncing.catch(() => undefined);
    consumers.release(name, deps.now());
  }
}

export function startSequence(sqlite: Database.Database, log: EventLog, start: StartPosition, existing: number | undefined): number {
  switch (start.kind) {
    case 'resume':
      return existing ?? log.maxSequence();
    case 'start':
      return 0;
    case 'now':
      return log.maxSequence();
    case 'since': {
      const row = sqlite.prepare('select min(sequence) as first from events where occurred_at >= ?').get(start.at) as { first: number | null };
      return row.first === null ? log.maxSequence() : row.first - 1;
    }
  }
}
