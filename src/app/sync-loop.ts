/**
 * Keeps every mailbox in sync: polls each active mailbox on its interval (with jitter) using the
 * cheap getProfile probe inside syncMailbox. Mailboxes are isolated: each has its own timer and
 * backoff, so one broken mailbox (revoked token, 5xx storm) never stops or slows the others.
 * Shared by `listen` (in-process, when no daemon runs) and `daemon run`.
 */
import { backoffDelay } from '../core/backoff.js';
import { isMailmonError, isStoreOutage } from '../core/errors.js';
import { current, type Live } from '../core/live.js';
import { syncMailbox, type SyncDeps, type SyncSummary } from './sync-mailbox.js';

export interface SyncLoopOptions {
  deps: SyncDeps;
  /** Read at each use: a reloaded poll-interval applies from the next sync. */
  intervalMs: Live<number>;
  /** Per-mailbox interval (push relaxes polling while it is healthy); default: `intervalMs`. */
  intervalFor?: (mailboxId: string) => number;
  /** Fraction of the interval used as random jitter (0.1 = ±10%). */
  jitter?: number;
  random?: () => number;
  signal: AbortSignal;
  onSynced?: (summary: SyncSummary) => void;
  onError?: (mailbox: { id: string; emailAddress: string }, error: unknown, retryInMs: number) => void;
  /** Lets callers (control channel, login) ask for a sync of one mailbox now. */
  nudges?: { subscribe(listener: (mailboxId: string | null) => void): () => void };
  /** On a store several daemons share: only the mailboxes this daemon holds (its share) are polled. */
  owns?: (mailboxId: string) => boolean;
}

/**
 * Failures of the store's connection or of the lease (a database restarting, a connection cut, a
 * lease that lapsed meanwhile) say nothing about the mailbox: it is retried within half a minute,
 * so every mailbox resumes soon after the store does. Anything else backs off up to 15 minutes.
 */
const STORE_TROUBLE = new Set(['store_unreachable', 'store_connection_lost', 'lease_lost']);

/** How long after its `count`th failure in a row a mailbox is synced again; `random` in [0, 1). */
export function retryDelay(code: string, count: number, random: number): number {
  return STORE_TROUBLE.has(code)
    ? backoffDelay(count, { baseMs: 1_000, maxMs: 30_000, random })
    : backoffDelay(count, { baseMs: 5_000, maxMs: 15 * 60_000, random });
}

/** How often the loop looks again for a store it cannot reach. */
const STORE_RETRY_MS = 2_000;

/** Every mailbox; null while the store cannot be reached (any other failure is thrown). */
async function listOrNull(mailboxes: SyncDeps['mailboxes']): Promise<Awaited<ReturnType<SyncDeps['mailboxes']['list']>> | null> {
  try {
    return await mailboxes.list();
  } catch (error) {
    if (isStoreOutage(error)) return null;
    throw error;
  }
}

export async function runSyncLoop(options: SyncLoopOptions): Promise<void> {
  const random = options.random ?? Math.random;
  const jitter = options.jitter ?? 0.1;
  const failures = new Map<string, number>();
  const nextAt = new Map<string, number>();
  const running = new Set<string>();
  // A nudge that arrives mid-sync asks for another sync after it (the change may be newer than its probe).
  const nudgedWhileRunning = new Set<string>();
  let wake: (() => void) | null = null;
  const unsubscribe = options.nudges?.subscribe((mailboxId) => {
    for (const id of mailboxId ? [mailboxId] : [...nextAt.keys()]) {
      nextAt.set(id, 0);
      if (running.has(id)) nudgedWhileRunning.add(id);
    }
    if (mailboxId && !nextAt.has(mailboxId)) nextAt.set(mailboxId, 0);
    wake?.();
  });
  const { clock } = options.deps;
  const jittered = (ms: number) => Math.round(ms * (1 - jitter + 2 * jitter * random()));
  const intervalOf = (mailboxId: string) => options.intervalFor?.(mailboxId) ?? current(options.intervalMs);

  /** Sleeps until `ms` passed, a nudge or a finished sync wakes the loop, or the loop stops. */
  const sleepUnlessWoken = async (ms: number) => {
    const woken = new AbortController();
    const done = () => woken.abort();
    wake = done;
    options.signal.addEventListener('abort', done, { once: true });
    try {
      await clock.sleep(ms, woken.signal);
    } finally {
      options.signal.removeEventListener('abort', done);
      wake = null;
    }
  };

  const syncOne = async (mailbox: { id: string; emailAddress: string }) => {
    running.add(mailbox.id);
    try {
      const summary = await syncMailbox({ ...options.deps, signal: options.signal, waitMs: 0 }, { mailboxId: mailbox.id });
      failures.delete(mailbox.id);
      nextAt.set(mailbox.id, clock.now() + jittered(intervalOf(mailbox.id)));
      options.onSynced?.(summary);
    } catch (error) {
      if (options.signal.aborted) return;
      const code = isMailmonError(error) ? error.code : 'internal';
      // Another process syncing the mailbox is not a failure: try again on the next tick.
      const count = code === 'lease_held' ? 0 : (failures.get(mailbox.id) ?? 0) + 1;
      failures.set(mailbox.id, count);
      const retryIn = code === 'lease_held' ? jittered(current(options.intervalMs)) : Math.max(jittered(current(options.intervalMs)), retryDelay(code, count, random()));
      nextAt.set(mailbox.id, clock.now() + retryIn);
      if (code !== 'lease_held') options.onError?.(mailbox, error, retryIn);
    } finally {
      running.delete(mailbox.id);
      if (nudgedWhileRunning.delete(mailbox.id) && (failures.get(mailbox.id) ?? 0) === 0) nextAt.set(mailbox.id, 0);
      wake?.();
    }
  };

  try {
    while (!options.signal.aborted) {
      const now = clock.now();
      const listed = await listOrNull(options.deps.mailboxes);
      if (!listed) {
        // The store is out of reach: the loop waits for it rather than ending, and resumes as it returns.
        await sleepUnlessWoken(Math.min(current(options.intervalMs), STORE_RETRY_MS));
        continue;
      }
      // reauth_required and paused mailboxes wait for a login/resume; they never cause a retry storm.
      const active = listed.filter((mailbox) => (mailbox.status === 'active' || mailbox.status === 'pending') && (options.owns?.(mailbox.id) ?? true));
      for (const mailbox of active) {
        if (!nextAt.has(mailbox.id)) nextAt.set(mailbox.id, now);
        if (!running.has(mailbox.id) && (nextAt.get(mailbox.id) ?? 0) <= now) void syncOne(mailbox);
      }
      const upcoming = active.filter((mailbox) => !running.has(mailbox.id)).map((mailbox) => nextAt.get(mailbox.id) ?? now);
      const sleepMs = Math.max(50, Math.min(current(options.intervalMs), ...upcoming.map((at) => at - clock.now())));
      await sleepUnlessWoken(sleepMs);
    }
  } finally {
    unsubscribe?.();
    while (running.size > 0) await clock.sleep(20);
  }
}
