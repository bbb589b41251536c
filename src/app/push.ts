/**
 * Gmail push as a wake-up: keeps a users.watch on every active mailbox (renewed daily,
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
import { backoffDelay } from '../core/backoff.js';
import type { Logger } from '../core/log-entry.js';
import type { PushLiveState } from '../core/daemon-status.js';
import { historyAfter, watchDue, watchHealth } from '../core/push.js';
import type { Clock } from './ports/clock.js';
import type { MailboxRow } from './ports/mailboxes.js';
import type { GmailWatch, PushNotification, PushSubscription } from './ports/pubsub.js';
import type { PushWatchRow } from './ports/push-watches.js';
import type { Storage } from './ports/storage.js';
import type { SyncSummary } from './sync-mailbox.js';

export type { PushNotification, PushSubscription } from './ports/pubsub.js';

export interface PushDeps {
  storage: Pick<Storage, 'mailboxes' | 'pushWatches'>;
  subscription: PushSubscription & { readonly subscription?: string };
  topic: string;
  labelIds?: string[];
  openGmail: (mailbox: MailboxRow, signal: AbortSignal) => Promise<Pick<GmailWatch, 'watch'>>;
  /** Wakes the sync of one mailbox (null: all). */
  wake: (mailboxId: string | null) => void;
  clock: Clock;
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

/** What a composition root gives the daemon or listen to run push: everything but the wake and the log. */
export type PushConfig = Omit<PushDeps, 'wake' | 'logger' | 'clock'> & { relaxedIntervalMs: () => number };

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
  /** The watch rows as last read or written: intervalFor is asked synchronously by the sync loop. */
  private readonly watchRows = new Map<string, PushWatchRow>();
  private readonly healthy = new Set<string>();

  constructor(private readonly deps: PushDeps) {}

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
    const watch = this.watchRows.get(mailboxId);
    if (!watch) return false;
    const health = watchHealth(watch, this.deps.clock.now());
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
      this.refreshHealth().catch((error: unknown) => this.deps.logger.warn('push health check failed', { error: (error as Error).message }));
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
        await this.refreshHealth();
        await this.deps.clock.sleep(backoffDelay(this.pullFailures, { baseMs: 1_000, maxMs: 60_000, random: (this.deps.random ?? Math.random)() }), signal);
        continue;
      }
      if (!this.pullHealthy) this.deps.logger.info('push pull working', { subscription: 'ok' });
      this.pullFailures = 0;
      this.pullHealthy = true;
      this.lastPullError = null;
      this.lastPullAt = this.deps.clock.now();
      await this.receive(notifications);
      await this.refreshHealth();
      await this.ackCaughtUp();
    }
  }

  private async receive(notifications: PushNotification[]): Promise<void> {
    const now = this.deps.clock.now();
    const ackNow: string[] = [];
    const mailboxes = notifications.length > 0 ? await this.deps.storage.mailboxes.list() : [];
    for (const notification of notifications) {
      const mailbox = notification.emailAddress ? mailboxes.find((candidate) => candidate.emailAddress.toLowerCase() === notification.emailAddress!.toLowerCase()) : undefined;
      if (!mailbox || !notification.historyId || (mailbox.status !== 'active' && mailbox.status !== 'pending')) {
        ackNow.push(notification.ackId);
        continue;
      }
      const { historyId } = notification;
      if (historyAfter(historyId, this.notified.get(mailbox.id) ?? null)) this.notified.set(mailbox.id, historyId);
      await this.deps.storage.pushWatches.recordNotified(mailbox.id, historyId, now);
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
    const now = this.deps.clock.now();
    const maxHoldMs = this.deps.maxHoldMs ?? 60_000;
    const cursors = new Map<string, string | null>();
    for (const mailboxId of new Set(this.held.map((entry) => entry.mailboxId))) {
      cursors.set(mailboxId, (await this.deps.storage.mailboxes.get(mailboxId))?.historyId ?? null);
    }
    // No await from here on: concurrent calls must not see `held` half-spliced.
    const ready: string[] = [];
    for (let index = this.held.length - 1; index >= 0; index--) {
      const entry = this.held[index];
      const caughtUp = cursors.has(entry.mailboxId) && !historyAfter(entry.historyId, cursors.get(entry.mailboxId) ?? null);
      if (caughtUp || now - entry.at >= maxHoldMs) {
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
      await this.refreshHealth();
      await this.deps.clock.sleep(this.deps.watchCheckMs ?? 60_000, signal);
    }
  }

  private async renewWatches(signal: AbortSignal, force: boolean): Promise<void> {
    const { topic, logger } = this.deps;
    const now = () => this.deps.clock.now();
    const { pushWatches, mailboxes } = this.deps.storage;
    for (const mailbox of (await mailboxes.list()).filter((candidate) => candidate.status === 'active' || candidate.status === 'pending')) {
      if (signal.aborted) return;
      const watch = await pushWatches.get(mailbox.id);
      if (!force && !watchDue(watch, { topic, now: now(), renewEveryMs: this.deps.renewEveryMs ?? 24 * 3600_000, failedRetryMs: this.deps.failedRetryMs ?? 10 * 60_000 })) continue;
      try {
        const gmail = await this.deps.openGmail(mailbox, signal);
        const result = await gmail.watch({ topicName: topic, labelIds: this.deps.labelIds });
        await pushWatches.recordWatched(mailbox.id, { topic, expiration: result.expiration }, now());
        this.watchHistory.set(mailbox.id, result.historyId);
        logger.info(watch?.state === 'active' ? 'push watch renewed' : 'push watch started', { mailbox: mailbox.emailAddress, topic, expiration: new Date(result.expiration).toISOString() });
      } catch (error) {
        if (signal.aborted) return;
        const message = (error as Error).message ?? String(error);
        await pushWatches.recordFailed(mailbox.id, { topic, error: message }, now());
        logger.warn('push watch failed: polling at the normal interval', { mailbox: mailbox.emailAddress, topic, error: message });
      }
    }
  }

  /** Re-reads the watches and wakes every mailbox that just lost healthy push, so the normal interval applies from now. */
  private async refreshHealth(): Promise<void> {
    const { pushWatches, mailboxes } = this.deps.storage;
    const [rows, all] = await Promise.all([pushWatches.list(), mailboxes.list()]);
    this.watchRows.clear();
    for (const row of rows) this.watchRows.set(row.mailboxId, row);
    for (const mailbox of all) {
      const healthy = this.isHealthy(mailbox.id);
      if (healthy) this.healthy.add(mailbox.id);
      else if (this.healthy.delete(mailbox.id)) this.deps.wake(mailbox.id);
    }
  }
}
