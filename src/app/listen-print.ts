/**
 * `mailmon listen` without --forward-to, like `stripe listen` without --forward-to: print each
 * event as it is committed instead of forwarding it. Keeps the mailboxes in sync in-process when
 * no daemon does (as listen always does), so a trigger shows up without anything else running.
 * No consumer cursor: printing is not a delivery, so nothing is acknowledged or resumed.
 */
import type { MailmonEvent } from '../core/events.js';
import type { Storage } from './ports/storage.js';
import { followLog, parseEvent } from './read-log.js';
import { eventFilter } from './event-queries.js';
import { startSequence, type StartPosition } from './listen.js';
import type { SyncDeps } from './sync-mailbox.js';

export interface PrintEventsDeps extends Pick<Storage, 'events' | 'changes' | 'mailboxes'> {
  /** null: do not sync in this process. */
  sync: { deps: SyncDeps; intervalMs: number } | null;
}

export interface PrintEventsInput {
  start: StartPosition;
  /** When the command was invoked: "from now" (the default) counts from here, as for listen. */
  invokedAt: number;
  events?: string;
  mailbox?: string;
  exitAfter?: number;
  timeoutSeconds?: number;
  signal: AbortSignal;
  onEvent: (event: MailmonEvent) => void;
  onSyncError?: (mailbox: { emailAddress: string }, error: unknown, retryInMs: number) => void;
}

export interface PrintEventsResult {
  printed: number;
  timedOut: boolean;
}

const PAGE = 1000;

export async function printEvents(deps: PrintEventsDeps, input: PrintEventsInput): Promise<PrintEventsResult> {
  const filter = await eventFilter(deps, { types: input.events, mailbox: input.mailbox });
  // No cursor to resume: like a new consumer, the default is from the invocation.
  let position = await startSequence(deps.events, input.start, undefined, input.invokedAt);
  const source = followLog(deps, filter);
  const stop = new AbortController();
  let timedOut = false;
  const onAbort = () => stop.abort();
  input.signal.addEventListener('abort', onAbort, { once: true });
  const timer = input.timeoutSeconds ? setTimeout(() => ((timedOut = true), stop.abort()), input.timeoutSeconds * 1000) : undefined;
  // The sync machinery loads only when this process syncs.
  const sync = deps.sync;
  const syncing = sync
    ? import('./sync-loop.js').then(({ runSyncLoop }) => runSyncLoop({ deps: sync.deps, intervalMs: sync.intervalMs, signal: stop.signal, onError: (mailbox, error, retryIn) => input.onSyncError?.(mailbox, error, retryIn) }))
    : Promise.resolve();
  let printed = 0;
  try {
    while (!stop.signal.aborted) {
      const { events, scannedTo } = await source.read(position, PAGE);
      for (const stored of events) {
        input.onEvent(parseEvent(stored.body));
        printed += 1;
        if (input.exitAfter !== undefined && printed >= input.exitAfter) return { printed, timedOut: false };
      }
      const moved = scannedTo > position;
      position = scannedTo;
      if (!moved || events.length < PAGE) await source.waitForChange(60_000, stop.signal);
    }
    return { printed, timedOut };
  } finally {
    clearTimeout(timer);
    stop.abort();
    input.signal.removeEventListener('abort', onAbort);
    await syncing.catch(() => undefined);
  }
}
