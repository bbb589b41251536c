/**
 * Gmail push as a wake-up (issue 18): keeps a users.watch on every active mailbox (renewed daily,
 * recorded in push_watches), long-polls ONE Pub/Sub subscription, and wakes the sync of the
 * mailbox a notification names — unless its historyId is not newer than the mailbox's cursor.
 * A message is acked once the mailbox's cursor has caught up with it (or after `maxHoldMs`: the
 * wake was recorded and the poll is the safety net), so a crash before that gets it redelivered,
 * which is harmless. Gmail's history stays the truth: waking twice costs one cheap probe.
 *
 * Polling relaxes only while push is healthy for a mailbox (`intervalFor`): the last pull worked,
 * its watch is active and not expired, and no change was found by a poll without its notification
 * arriving within `dropGraceMs` (a dropped notification). Losing any of these wakes the mailbox
 * and puts it back on the normal interval at once. Shared by the daemon and `mailmon listen`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { backoffDelay } from '../core/backoff.js';
import type { Logger } from '../core/log-entry.js';
import type { PushLiveState } from '../core/daemon-status.js';
import { historyAfter, watchDue, watchHealth } from '../core/push.js';
import { MailboxRepository, type MailboxRow } from '../adapters/sqlite/mailbox-repository.js';
import { PushWatches } from '../adapters/sqlite/push-watches.js';
import type { GmailPort } from '../adapters/gmail/gmail-api.js';
import type { SyncSummary } from './sync-mailbox.js';

/** One Gmail notification as pulled; `emailAddress`/`historyId` are null when the data was not Gmail's. */
export interface PushNotification {
  ackId: string;
  messageId: string;
  emailAddress: string | null;
  historyId: string | null;
}

/** The port to the Pub/Sub subscription (REST implementation: adapters/gmail/pubsub-client.ts). */
export interface PushSubscription {
  /** Long-polls: resolves with what arrived (maybe nothing) or throws; aborts with `signal`. */
  pull(signal: AbortSignal): Promise<PushNotification[]>;
  ack(ackIds: string[]): Promise<void>;
}

export interface PushDeps {
  sqlite: Database.Database;
  subscription: PushSubscription & { readonly subscription?: string };
  topic: string;
  labelIds?: string[];
  openGmail: (mailbox: MailboxRow, signal: AbortSignal) => Promise<Pick<GmailPort, 'watch'>>;
  /** Wakes the sync of one mailbox (null: all). */
  wake: (mailboxId: string | null) => void;
  now: () => number;
  logger: Logger;
  renewEveryMs?: number;
  failedRetryMs?: number;
  /** How often watches are checked (renewal due, expired). */
  watchCheckMs?: number;
  /** A change a poll found whose notification has not arrived by then counts as dropped. */
  dropGraceMs?: number;
  maxHoldMs?: number;
  random?: () => number;
}

/** What a composition root gives the daemon or listen to run push: everything but the wake, the store and the log. */
export type PushConfig = Omit<PushDeps, 'wake' | 'sqlite' | 'logger' | 'now'> & { now?: () => number; relaxedIntervalMs: () => number };

interface Held {
  ackId: string;
  mailboxId: string;
  historyId: string;
  at: number;
}

export class PushReceiver {
  private pullHealthy = false;
  private pullFailures = 0;
  private lastPullError: string | null = null;
  private lastPullAt: number | null = null;
  private readonly held: Held[] = [];
  /** Mailboxes whose pushes stopped while polls still found changes: the flagged historyId. */
  private readonly dropped = new Map<string, string>();
  /** The newest historyId notified per mailbox (this process) and the cursor each last sync left. */
  private readonly notified = new Map<string, string>();
  private readonly lastCursor = new Map<string, string>();
  private readonly watchHistory = new Map<string, string>();
  private readonly watches: PushWatches;
  private readonly mailboxes: MailboxRepository;
  private readonly healthy = new Set<string>();

  constructor(private readonly deps: PushDeps) {
    this.watches = new PushWatches(deps.sqlite);
    this.mailboxes = new MailboxRepository(deps.sqlite);
  }

  /** The poll interval for a mailbox now: relaxed while its push is healthy, else the normal one. */
  intervalFor(mailboxId: string, normalMs: number, relaxedMs: number): number {
    return this.isHealthy(mailboxId) ? Math.max(normalMs, relaxedMs) : normalMs;
  }

  /** The pull loop's health, for `status`. */
  pullState(): PushLiveState {
    return { subscription: this.deps.subscription.subscription ?? '', pull: this.pullHealthy ? 'ok' : this.pullFailures > 0 ? 'failing' : 'starting', lastError: this.lastPullError, lastPullAt: this.lastPullAt };
  }

  isHealthy(mailboxId: string): boolean {
    if (!this.pullHealthy || this.dropped.has(mailboxId)) return false;
    const watch = this.watches.get(mailboxId);
    if (!watch) return false;
    const health = watchHealth(watch, this.deps.now());
    return health === 'active' || health === 'expiring';
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.watchLoop(signal), this.pullLoop(signal)]);
  }

  /** After every sync: ack what the cursor caught up with, and notice a change push never told us about. */
  observeSync(summary: SyncSummary): void {
    const previous = this.lastCursor.get(summary.mailboxId);
    if (summary.historyId) this.lastCursor.set(summary.mailboxId, summary.historyId);
    void this.ackCaughtUp();
    const changed = summary.created + summary.updated + summary.deleted > 0;
    const watchFrom = this.watchHistory.get(summary.mailboxId);
    // Judge only changes made while the watch was already on, and only without a label filter (changes outside it are never notified).
    if (summary.kind !== 'incremental' || !changed || !summary.historyId || !previous || !watchFrom || this.deps.labelIds?.length) return;
    if (historyAfter(watchFrom, previous)) return;
    const found = summary.historyId;
    if (!historyAfter(found, this.notified.get(summary.mailboxId) ?? null)) return;
    const timer = setTimeout(() => {
      if (!this.healthy.has(summary.mailboxId) || !historyAfter(found, this.notified.get(summary.mailboxId) ?? null)) return;
      this.dropped.set(summary.mailboxId, found);
      this.deps.logger.warn('push notifications stopped for a mailbox while polls still find changes: polling at the normal interval', { mailboxId: summary.mailboxId, historyId: found });
      this.refreshHealth();
    }, this.deps.dropGraceMs ?? 60_000);
    timer.unref?.();
  }

  private async pullLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let notifications: PushNotification[];
      try {
        notifications = await this.deps.subscription.pull(signal);
      } catch (error) {
        if (signal.aborted) return;
        this.pullFailures += 1;
        this.lastPullError = (error as Error).message ?? String(error);
        if (this.pullHealthy || this.pullFailures === 1) this.deps.logger.warn('push pull failed: polling at the normal interval', { error: (error as Error).message, code: (error as { code?: string }).code });
        this.pullHealthy = false;
        this.refreshHealth();
        await sleep(backoffDelay(this.pullFailures, { baseMs: 1_000, maxMs: 60_000, random: (this.deps.random ?? Math.random)() }), signal);
        continue;
      }
      if (!this.pullHealthy) this.deps.logger.info('push pull working', { subscription: 'ok' });
      this.pullFailures = 0;
      this.pullHealthy = true;
      this.lastPullError = null;
      this.lastPullAt = this.deps.now();
      this.receive(notifications);
      this.refreshHealth();
      await this.ackCaughtUp();
    }
  }

  private receive(notifications: PushNotification[]): void {
    const now = this.deps.now();
    const ackNow: string[] = [];
    for (const notification of notifications) {
      const mailbox = notification.emailAddress ? this.mailboxes.list().find((candidate) => candidate.emailAddress.toLowerCase() === notification.emailAddress!.toLowerCase()) : undefined;
      if (!mailbox || !notification.historyId || (mailbox.status !== 'active' && mailbox.status !== 'pending')) {
        ackNow.push(notification.ackId);
        continue;
      }
      const { historyId } = notification;
      if (historyAfter(historyId, this.notified.get(mailbox.id) ?? null)) this.notified.set(mailbox.id, historyId);
      this.watches.recordNotified(mailbox.id, historyId, now);
      const flagged = this.dropped.get(mailbox.id);
      if (flagged !== undefined && historyAfter(historyId, flagged)) this.dropped.delete(mailbox.id);
      if (!historyAfter(historyId, mailbox.historyId)) {
        ackNow.push(notification.ackId);
        continue;
      }
      this.held.push({ ackId: notification.ackId, mailboxId: mailbox.id, historyId, at: now });
      this.deps.wake(mailbox.id);
    }
    if (ackNow.length > 0) void this.ack(ackNow);
  }

  private async ackCaughtUp(): Promise<void> {
    const now = this.deps.now();
    const maxHoldMs = this.deps.maxHoldMs ?? 60_000;
    const ready: string[] = [];
    for (let index = this.held.length - 1; index >= 0; index--) {
      const entry = this.held[index];
      const cursor = this.mailboxes.get(entry.mailboxId)?.historyId ?? null;
      if (!historyAfter(entry.historyId, cursor) || now - entry.at >= maxHoldMs) {
        ready.push(entry.ackId);
        this.held.splice(index, 1);
      }
    }
    await this.ack(ready);
  }

  private async ack(ackIds: string[]): Promise<void> {
    if (ackIds.length === 0) return;
    try {
      await this.deps.subscription.ack(ackIds);
    } catch (error) {
      // Unacked messages come back after their deadline: one more harmless wake.
      this.deps.logger.warn('push ack failed; the messages will be redelivered', { error: (error as Error).message });
    }
  }

  private async watchLoop(signal: AbortSignal): Promise<void> {
    let first = true;
    while (!signal.aborted) {
      await this.renewWatches(signal, first);
      first = false;
      this.refreshHealth();
      await sleep(this.deps.watchCheckMs ?? 60_000, signal);
    }
  }

  private async renewWatches(signal: AbortSignal, force: boolean): Promise<void> {
    const { topic, now, logger } = this.deps;
    for (const mailbox of this.mailboxes.list().filter((candidate) => candidate.status === 'active' || candidate.status === 'pending')) {
      if (signal.aborted) return;
      const watch = this.watches.get(mailbox.id);
      if (!force && !watchDue(watch, { topic, now: now(), renewEveryMs: this.deps.renewEveryMs ?? 24 * 3600_000, failedRetryMs: this.deps.failedRetryMs ?? 10 * 60_000 })) continue;
      try {
        const gmail = await this.deps.openGmail(mailbox, signal);
        const result = await gmail.watch({ topicName: topic, labelIds: this.deps.labelIds });
        this.watches.recordWatched(mailbox.id, { topic, expiration: result.expiration }, now());
        this.watchHistory.set(mailbox.id, result.historyId);
        logger.info(watch?.state === 'active' ? 'push watch renewed' : 'push watch started', { mailbox: mailbox.emailAddress, topic, expiration: new Date(result.expiration).toISOString() });
      } catch (error) {
        if (signal.aborted) return;
        const message = (error as Error).message ?? String(error);
        this.watches.recordFailed(mailbox.id, { topic, error: message }, now());
        logger.warn('push watch failed: polling at the normal interval', { mailbox: mailbox.emailAddress, topic, error: message });
      }
    }
  }

  /** Wakes every mailbox that just lost healthy push, so the normal interval applies from now. */
  private refreshHealth(): void {
    for (const mailbox of this.mailboxes.list()) {
      const healthy = this.isHealthy(mailbox.id);
      if (healthy) this.healthy.add(mailbox.id);
      else if (this.healthy.delete(mailbox.id)) this.deps.wake(mailbox.id);
    }
  }
}

/** Waits `ms`, or less when `signal` aborts (then resolves: the loop checks the signal itself). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
