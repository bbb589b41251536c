/**
 * The daemon's sync loop as a Service: `runSyncLoop` over every active mailbox on the configured
 * interval (with jitter), fed by nudges from the control channel (login, fixtures, trigger, sync).
 * It keeps the live per-mailbox state the control channel reports (last sync, last error).
 * `syncNow({wait: true})` runs the sync in this process and returns its summary, so `mailmon sync`
 * with a daemon running gets the same result it would have computed itself.
 */
import type { LiveSyncProgress, MailboxLiveState } from '../core/daemon-status.js';
import type { Logger } from '../core/log-entry.js';
import { current, type Live } from '../core/live.js';
import { resolveMailboxRef } from '../core/mailbox-ref.js';
import { syncMailboxes } from '../app/sync-all.js';
import { describeFailure, type SyncResults } from '../app/sync-failure.js';
import { runSyncLoop } from '../app/sync-loop.js';
import { syncMailbox, type SyncDeps, type SyncProgress, type SyncSummary } from '../app/sync-mailbox.js';
import type { Service } from './service.js';

export type NudgeListener = (mailboxId: string | null) => void;

/** A tiny pub/sub: the control channel publishes, the sync loop subscribes. */
export class NudgeSource {
  private readonly listeners = new Set<NudgeListener>();
  subscribe(listener: NudgeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  nudge(mailboxId: string | null): void {
    for (const listener of this.listeners) listener(mailboxId);
  }
}

export interface SyncServiceOptions {
  deps: SyncDeps;
  intervalMs: Live<number>;
  jitter?: number;
  logger: Logger;
  nudges: NudgeSource;
  /** Per-mailbox interval (push relaxes it while healthy). */
  intervalFor?: (mailboxId: string) => number;
  /** After every successful sync (push acks what the cursor caught up with). */
  onSynced?: (summary: SyncSummary) => void;
  /** How long a waited-for sync waits for the loop's own sync of that mailbox to finish (lease). */
  leaseWaitMs?: number;
  /** A per-mailbox failure no retry can fix (a corrupt store) ends the loop with that error, for the supervisor. */
  fatal?: (error: unknown) => Error | undefined;
  /** On a store several daemons share: the loop polls only the mailboxes this daemon holds. */
  owns?: (mailboxId: string) => boolean;
}

export class SyncService implements Service {
  readonly id = 'sync-loop';
  private readonly live = new Map<string, MailboxLiveState>();
  /** The progress of each sync running now, from its onProgress (cleared when it ends). */
  private readonly running = new Map<string, LiveSyncProgress>();
  private signal: AbortSignal | null = null;

  constructor(private readonly options: SyncServiceOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    const { logger } = this.options;
    logger.info('sync loop started', { intervalMs: current(this.options.intervalMs) });
    const loop = new AbortController();
    const stopLoop = () => loop.abort();
    signal.addEventListener('abort', stopLoop, { once: true });
    let fatal: Error | undefined;
    await runSyncLoop({
      deps: { ...this.options.deps, onProgress: (progress) => this.recordProgress(progress) },
      intervalMs: this.options.intervalMs,
      jitter: this.options.jitter,
      signal: loop.signal,
      nudges: this.options.nudges,
      intervalFor: this.options.intervalFor,
      owns: this.options.owns,
      onSynced: (summary) => this.recordSuccess(summary),
      onError: (mailbox, error, retryInMs) => {
        this.recordError(mailbox, error, retryInMs);
        fatal ??= this.options.fatal?.(error);
        if (fatal) loop.abort();
        this.logFailure(mailbox, error, retryInMs);
      },
    });
    signal.removeEventListener('abort', stopLoop);
    if (fatal) throw fatal;
  }

  async stop(): Promise<void> {
    // The loop stops on the supervisor's signal; an in-flight sync rolls back and releases its lease.
  }

  /** Live state for the control channel, merged with what the store knows about mailboxes never synced here. */
  async mailboxes(): Promise<MailboxLiveState[]> {
    return (await this.options.deps.mailboxes.list()).map((mailbox) => {
      const live = this.live.get(mailbox.id);
      return {
        mailboxId: mailbox.id,
        emailAddress: mailbox.emailAddress,
        lastSyncAt: live?.lastSyncAt ?? mailbox.lastSyncAt,
        lastSuccessAt: live?.lastSuccessAt ?? mailbox.lastSuccessAt,
        lastError: live ? live.lastError : mailbox.lastError,
        lastSummary: live?.lastSummary ?? null,
        nextRetryInMs: live?.nextRetryInMs ?? null,
        progress: this.running.get(mailbox.id) ?? null,
      };
    });
  }

  /** Nudges the loop (returns at once), or with `wait` syncs now in this process and returns the summaries. */
  async syncNow(request: { mailbox?: string; full?: boolean; wait?: boolean; emitBackfill?: boolean }): Promise<SyncResults | { nudged: string[] }> {
    const all = await this.options.deps.mailboxes.list();
    if (!request.wait) {
      const target = request.mailbox ? resolveMailboxRef(all, request.mailbox) : null;
      this.options.nudges.nudge(target?.id ?? null);
      this.options.logger.info('sync nudged', { mailbox: target?.emailAddress ?? 'all' });
      return { nudged: target ? [target.id] : all.map((mailbox) => mailbox.id) };
    }
    this.options.logger.info('sync requested', { mailbox: request.mailbox ?? 'all', full: request.full === true });
    const deps: SyncDeps = { ...this.options.deps, signal: this.signal ?? undefined, waitMs: this.options.leaseWaitMs ?? 5 * 60_000, onProgress: (progress) => this.recordProgress(progress), emitBackfill: request.emitBackfill || this.options.deps.emitBackfill };
    if (request.mailbox) {
      const mailbox = resolveMailboxRef(all, request.mailbox);
      try {
        const summary = await syncMailbox(deps, { mailboxId: mailbox.id, full: request.full });
        this.recordSuccess(summary);
        return { results: [summary], failures: [] };
      } catch (error) {
        this.recordError(mailbox, error, null);
        this.logFailure(mailbox, error, null);
        throw error;
      }
    }
    const outcome = await syncMailboxes(deps, { full: request.full });
    for (const summary of outcome.results) this.recordSuccess(summary);
    for (const failure of outcome.failures) {
      const mailbox = { id: failure.mailboxId, emailAddress: failure.emailAddress };
      const error = Object.assign(new Error(failure.message), { code: failure.code });
      this.recordError(mailbox, error, null);
      this.logFailure(mailbox, error, null);
    }
    return outcome;
  }

  private recordProgress(progress: SyncProgress): void {
    const previous = this.running.get(progress.mailboxId);
    // A new sync (or one that went back, e.g. incremental → resync) restarts the rate measurement.
    const fresh = !previous || previous.kind !== progress.kind || progress.processed < previous.processed;
    this.running.set(progress.mailboxId, {
      kind: progress.kind,
      phase: progress.phase,
      processed: progress.processed,
      total: progress.total,
      startedAt: fresh ? this.options.deps.clock.now() : previous.startedAt,
      processedAtStart: fresh ? progress.processed : previous.processedAtStart,
    });
  }

  private recordSuccess(summary: SyncSummary): void {
    this.options.onSynced?.(summary);
    this.running.delete(summary.mailboxId);
    const now = this.options.deps.clock.now();
    this.live.set(summary.mailboxId, {
      mailboxId: summary.mailboxId,
      emailAddress: summary.emailAddress,
      lastSyncAt: now,
      lastSuccessAt: now,
      lastError: null,
      lastSummary: { kind: summary.kind, created: summary.created, updated: summary.updated, deleted: summary.deleted, events: summary.events, durationMs: summary.durationMs },
      nextRetryInMs: null,
    });
    if (summary.kind !== 'noop') this.options.logger.info('synced', { mailbox: summary.emailAddress, kind: summary.kind, created: summary.created, updated: summary.updated, deleted: summary.deleted, events: summary.events, durationMs: summary.durationMs });
  }

  private logFailure(mailbox: { id: string; emailAddress: string }, error: unknown, retryInMs: number | null): void {
    this.options.logger.warn('sync failed', { mailbox: mailbox.emailAddress, mailboxId: mailbox.id, error: (error as Error)?.message ?? String(error), code: (error as { code?: string })?.code, retryInMs });
  }

  private recordError(mailbox: { id: string; emailAddress: string }, error: unknown, retryInMs: number | null): void {
    this.running.delete(mailbox.id);
    const previous = this.live.get(mailbox.id);
    const failure = describeFailure(mailbox, error);
    this.live.set(mailbox.id, {
      mailboxId: mailbox.id,
      emailAddress: mailbox.emailAddress,
      lastSyncAt: this.options.deps.clock.now(),
      lastSuccessAt: previous?.lastSuccessAt ?? null,
      lastError: failure.message,
      lastSummary: previous?.lastSummary ?? null,
      nextRetryInMs: retryInMs,
    });
  }
}
