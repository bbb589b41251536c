/**
 * `mailmon listen --forward-to URL`: a durable consumer of the event log. Catches up from its
 * cursor, then goes live; a restart resumes, so events committed while listen (or the app) was
 * down are delivered. Optionally keeps the mailboxes in sync in-process when no daemon does.
 */
import { MailmonError } from '../core/errors.js';
import { validateTargetUrl } from '../core/webhook-target.js';
import type { Storage } from './ports/storage.js';
import { followLog } from './read-log.js';
import { eventFilter } from './event-queries.js';
import { forwardEvents, type ForwardRecord, type ForwardResult, type SendingDeps } from './forward-events.js';
import type { SyncDeps, SyncSummary } from './sync-mailbox.js';
import type { PushConfig } from './push.js';
import type { Logger } from '../core/log-entry.js';

export type StartPosition = { kind: 'resume' } | { kind: 'start' } | { kind: 'now' } | { kind: 'since'; at: number };

export interface ListenDeps extends SendingDeps, Pick<Storage, 'events' | 'changes' | 'consumers' | 'mailboxes'> {
  /** null: do not sync in this process. */
  sync: { deps: SyncDeps; intervalMs: number; push?: { config: PushConfig; logger: Logger } } | null;
}

export interface ListenInput {
  /** Where to start, fixed by openListenConsumer when the command was invoked. */
  consumer: ListenConsumer;
  events?: string;
  mailbox?: string;
  headers: Record<string, string>;
  secret: string;
  maxInFlight: number;
  exitAfter?: number;
  timeoutSeconds?: number;
  showResponse?: boolean;
  signal: AbortSignal;
  onRecord: (record: ForwardRecord) => void;
  onSynced?: (summary: SyncSummary) => void;
  onSyncError?: (mailbox: { emailAddress: string }, error: unknown, retryInMs: number) => void;
}

export interface ListenResult extends ForwardResult {
  consumer: string;
  timedOut: boolean;
}

/** A listen consumer whose position is fixed: the durable cursor and the thread positions above it. */
export interface ListenConsumer {
  name: string;
  url: string;
  startAfter: number;
  resumed: boolean;
  backlog: number;
  threads: ReadonlyMap<string, number>;
  /** Marks the consumer as no longer running (idempotent). */
  release: () => Promise<void>;
}

export function defaultConsumerName(url: URL): string {
  return `listen:${url.origin}${url.pathname}`;
}

/**
 * Fixes where listen starts and makes it durable. "From now" (and a new consumer's default) means
 * from `invokedAt`, when the command was invoked: events carry their commit time, so one the
 * daemon committed while this process was still starting is forwarded, not skipped. The command
 * calls this first, before anything slow (secrets, the Gmail client, the HTTP agent).
 */
export async function openListenConsumer(deps: Pick<Storage, 'events' | 'consumers' | 'mailboxes'>, input: { url: string; name?: string; start: StartPosition; events?: string; mailbox?: string; invokedAt: number; now: () => number; pid: number }): Promise<ListenConsumer> {
  const url = validateTargetUrl(input.url);
  const { consumers, events } = deps;
  const name = input.name ?? defaultConsumerName(url);
  const existing = await consumers.get(name);
  const startAfter = await startSequence(events, input.start, existing?.lastSequence, input.invokedAt);
  const consumer = await consumers.upsert({ name, kind: 'listen', target: url.toString(), startAfter, reposition: input.start.kind !== 'resume' || !existing, pid: input.pid, now: input.now() });
  const filter = await eventFilter(deps, { types: input.events, mailbox: input.mailbox });
  let released = false;
  return {
    name,
    url: url.toString(),
    startAfter: consumer.lastSequence,
    resumed: Boolean(existing) && input.start.kind === 'resume',
    backlog: (await events.count({ ...filter, maxSequence: undefined })) - (await events.count({ ...filter, maxSequence: consumer.lastSequence })),
    threads: await consumers.threadPositions(name),
    release: async () => {
      if (released) return;
      released = true;
      await consumers.release(name, input.now());
    },
  };
}

export async function listen(deps: ListenDeps, input: ListenInput): Promise<ListenResult> {
  const filter = await eventFilter(deps, { types: input.events, mailbox: input.mailbox });
  const { name, url } = input.consumer;

  const stop = new AbortController();
  let timedOut = false;
  const onAbort = () => stop.abort();
  input.signal.addEventListener('abort', onAbort, { once: true });
  const timer = input.timeoutSeconds ? setTimeout(() => ((timedOut = true), stop.abort()), input.timeoutSeconds * 1000) : undefined;
  const syncing = deps.sync ? syncInProcess(deps.sync, input, stop.signal) : Promise.resolve();
  try {
    const result = await forwardEvents({
      source: followLog(deps, filter),
      startAfter: input.consumer.startAfter,
      resume: input.consumer.threads,
      target: { url, headers: input.headers, secrets: [input.secret], scheme: 'both' },
      send: deps.send,
      maxInFlight: input.maxInFlight,
      retryScheduleMs: deps.retryScheduleMs,
      follow: true,
      exitAfter: input.exitAfter,
      timeoutMs: deps.timeoutMs,
      userAgent: deps.userAgent,
      includeResponseBody: input.showResponse,
      onRecord: input.onRecord,
      // Before any new request: so a crash resends at most the requests in flight (forward-events).
      checkpoint: (progress) => deps.consumers.checkpoint(name, progress, deps.clock.now()),
      clock: deps.clock,
      newDeliveryId: deps.newDeliveryId,
      signal: stop.signal,
    });
    if (result.stoppedBecause === 'gone') {
      throw new MailmonError('endpoint_gone', `${url} answered 410 Gone, so forwarding stopped.`, { hint: 'The app says this endpoint is gone: fix the URL, then run listen again (undelivered events are kept).' });
    }
    return { ...result, consumer: name, timedOut };
  } finally {
    clearTimeout(timer);
    stop.abort();
    input.signal.removeEventListener('abort', onAbort);
    await syncing.catch(() => undefined);
    await input.consumer.release();
  }
}

/**
 * Keeps the mailboxes in sync in this process (no daemon does), with Gmail push when configured:
 * one pull loop whose notifications wake the sync, as in the daemon. The sync machinery (the
 * Gmail client, MIME parsing) loads only here, so a forward-only listen starts without it.
 */
async function syncInProcess(sync: NonNullable<ListenDeps['sync']>, input: ListenInput, signal: AbortSignal): Promise<void> {
  const [{ runSyncLoop }, { PushReceiver }] = await Promise.all([import('./sync-loop.js'), import('./push.js')]);
  const wakeListeners = new Set<(mailboxId: string | null) => void>();
  const pushSetup = sync.push;
  const push = pushSetup ? new PushReceiver({ ...pushSetup.config, logger: pushSetup.logger, clock: sync.deps.clock, wake: (mailboxId) => wakeListeners.forEach((listener) => listener(mailboxId)) }) : null;
  await Promise.all([
    runSyncLoop({
      deps: sync.deps,
      intervalMs: sync.intervalMs,
      ...(push && pushSetup ? { intervalFor: (mailboxId: string) => push.intervalFor(mailboxId, sync.intervalMs, pushSetup.config.relaxedIntervalMs()) } : {}),
      nudges: { subscribe: (listener) => (wakeListeners.add(listener), () => wakeListeners.delete(listener)) },
      signal,
      onSynced: (summary) => {
        push?.observeSync(summary);
        input.onSynced?.(summary);
      },
      onError: (mailbox, error, retryIn) => input.onSyncError?.(mailbox, error, retryIn),
    }),
    push?.run(signal),
  ]);
}

export async function startSequence(log: Storage['events'], start: StartPosition, existing: number | undefined, invokedAt: number): Promise<number> {
  switch (start.kind) {
    case 'resume':
      return existing ?? sinceSequence(log, invokedAt);
    case 'start':
      return 0;
    case 'now':
      return sinceSequence(log, invokedAt);
    case 'since':
      return sinceSequence(log, start.at);
  }
}

/** The position just before the first event committed at or after `at` (events carry their commit time). */
async function sinceSequence(log: Storage['events'], at: number): Promise<number> {
  const [first] = await log.readAfter(0, 1, { since: at });
  return first ? first.sequence - 1 : log.head();
}
