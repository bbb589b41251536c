/**
 * `mailmon sync` / one daemon poll of one mailbox.
 *
 *                       ┌──────────── checkpoint present ───────────┐
 *   lease ──▶ decide ───┼── no cursor, or --full ──▶ FULL ──────────┼──▶ commit chunks ──▶ sweep + cursor=H0 ──▶ done
 *                       └── cursor ──▶ probe ──(same historyId)──▶ no-op
 *                                        └──▶ INCREMENTAL: history pages ──▶ collapse ──▶ fetch ──▶ one commit
 *                                                  └── 404 (expired) ──▶ FULL (reason history_expired, emits diffs + mailbox.resynced)
 *
 * Guarantees: state, events and cursor commit together (the SyncCommit port); every commit is
 * fenced by the lease epoch; a failure never moves the cursor and is recorded as a failed sync run
 * with its error class; a full sync checkpoints after every page, so a crash resumes where it stopped.
 *
 * Fetching is thread-aware (src/app/fetch-messages.ts): a thread fetched with threads.get on page N
 * also brings its messages listed on later pages; they commit with page N, stamped with the run's
 * mark, and page N+1 skips listed messages that carry the mark. So the checkpoint after page N
 * (pointing at page N+1) neither loses them (they are committed) nor fetches them again after a
 * crash (they are marked); a crash before page N's commit redoes page N, thread and all.
 *
 * Run bookkeeping (which sync_runs row is open, the totals, how it closes) lives in RunJournal;
 * the sync strategy (full / incremental / resync) in SyncEngine; `syncMailbox` only joins them
 * under the lease.
 */
import { meteredGmail } from './metered-gmail.js';
import { noMetrics, type Metrics } from './ports/metrics.js';
import { setMaxListeners } from 'node:events';
import { MailmonError, isMailmonError } from '../core/errors.js';
import { collapseHistory, emptyCollapse } from '../core/history.js';
import { reloginHint } from '../core/fixture-mailbox.js';
import type { RemoteMessage } from '../core/diff.js';
import type { Clock } from './ports/clock.js';
import type { GmailPort } from './ports/gmail.js';
import type { HeldLease, Leases } from './ports/leases.js';
import type { FullSyncCheckpoint, MailboxRow } from './ports/mailboxes.js';
import type { Storage } from './ports/storage.js';
import type { CommitResult } from './ports/sync-commit.js';
import type { SyncKind, SyncRunOutcome } from './ports/sync-runs.js';
import { MessageFetcher, type FetchChoice } from './fetch-messages.js';

export type { FetchChoice } from './fetch-messages.js';

export interface SyncProgress {
  mailboxId: string;
  emailAddress: string;
  phase: 'listing' | 'fetching' | 'history' | 'committing';
  kind: SyncKind;
  processed: number;
  total: number;
}

export interface SyncDeps extends Pick<Storage, 'mailboxes' | 'syncCommit' | 'syncRuns'> {
  leases: Leases;
  clock: Clock;
  ids: (prefix: 'run' | 'evt') => string;
  openGmail: (mailbox: MailboxRow, signal: AbortSignal) => Promise<GmailPort>;
  emitBackfill: boolean;
  concurrency?: number;
  onProgress?: (progress: SyncProgress) => void;
  signal?: AbortSignal;
  /** How long to wait for another holder of the lease. */
  waitMs?: number;
  leaseStaleMs?: number;
  /** Retries of a message that is briefly unfetchable right after its messageAdded record. */
  visibilityRetriesMs?: number[];
  /** A thread with 3+ messages to fetch is one threads.get (setting sync.fetch-by-thread; default true). */
  fetchByThread?: boolean;
  /** Which call fetched each thread (`sync --verbose`). */
  onFetch?: (choice: FetchChoice) => void;
  /** Counts each finished run and each Gmail call (with its quota units). */
  metrics?: Pick<Metrics, 'syncRun' | 'gmailRequest'>;
  /**
   * Narrows how far the heap may grow past its live size while a full sync runs (its pages'
   * garbage would otherwise set the peak, growing with the mailbox); returns the release.
   */
  limitHeapGrowth?: () => () => void;
}

export interface SyncSummary {
  mailboxId: string;
  emailAddress: string;
  kind: SyncKind | 'noop';
  created: number;
  updated: number;
  deleted: number;
  fetched: number;
  events: number;
  quotaUnits: number;
  historyId: string | null;
  durationMs: number;
}

export async function syncMailbox(deps: SyncDeps, input: { mailboxId: string; full?: boolean }): Promise<SyncSummary> {
  const initial = await syncableMailbox(deps, input.mailboxId);
  const lease = await deps.leases.acquire(initial.id, { waitMs: deps.waitMs, staleMs: deps.leaseStaleMs, signal: deps.signal });
  const signal = deps.signal ? AbortSignal.any([deps.signal, lease.signal]) : lease.signal;
  // Every in-flight Gmail request listens on it (up to the fetch concurrency).
  setMaxListeners(Math.max(50, (deps.concurrency ?? 25) * 2), signal);
  const journal = new RunJournal(deps, initial, lease.epoch);
  try {
    // Runs under an older epoch can never commit again: close them (their process crashed or lost the lease).
    await deps.syncRuns.closeSuperseded(initial.id, lease.epoch, journal.startedAt);
    // Re-read under the lease: another holder (the daemon's loop) may have synced meanwhile.
    const mailbox = (await deps.mailboxes.get(initial.id))!;
    journal.totals.historyId = mailbox.historyId;
    journal.gmail = meteredGmail(await deps.openGmail(mailbox, signal), deps.metrics ?? noMetrics);
    await new SyncEngine(deps, mailbox, lease, journal.gmail, signal, journal).run(input.full === true);
    await deps.mailboxes.recordSyncAttempt(mailbox.id, { at: deps.clock.now(), error: null });
    await journal.close('succeeded');
  } catch (error) {
    throw await failed(deps, journal, signal, error);
  } finally {
    await lease.release();
  }
  return journal.summary();
}

/** The mailbox, if it can sync now: mailbox_not_found, reauth_required or (paused) usage otherwise. */
async function syncableMailbox(deps: SyncDeps, mailboxId: string): Promise<MailboxRow> {
  const mailbox = await deps.mailboxes.get(mailboxId);
  if (!mailbox) throw new MailmonError('mailbox_not_found', `No mailbox "${mailboxId}".`, { hint: 'Run "mailmon mailboxes" to list them.' });
  if (mailbox.status === 'reauth_required') {
    throw new MailmonError('reauth_required', `Mailbox ${mailbox.emailAddress} needs to be authorized again${mailbox.statusReason ? ` (${mailbox.statusReason})` : ''}.`, { hint: reloginHint(mailbox) });
  }
  if (mailbox.status === 'paused') throw new MailmonError('usage', `Mailbox ${mailbox.emailAddress} is paused.`, { hint: 'Resume it before syncing.' });
  return mailbox;
}

/** Records a failed sync (run, mailbox, reauth status) and returns the error to throw. */
async function failed(deps: SyncDeps, journal: RunJournal, signal: AbortSignal, error: unknown): Promise<unknown> {
  const code = isMailmonError(error) ? error.code : signal.aborted ? 'interrupted' : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  await journal.close('failed', { errorClass: code, errorMessage: message });
  await deps.mailboxes.recordSyncAttempt(journal.mailbox.id, { at: deps.clock.now(), error: message });
  if (code === 'reauth_required') {
    await deps.mailboxes.setStatus(journal.mailbox.id, 'reauth_required', 'Gmail refused the stored authorization (invalid_grant)', { now: deps.clock.now(), newEventId: () => deps.ids('evt') });
  }
  if (signal.aborted && !isMailmonError(error)) {
    const reason: unknown = signal.reason;
    return isMailmonError(reason) ? reason : new MailmonError('interrupted', 'Sync interrupted; progress up to the last commit is kept.', { hint: 'Run "mailmon sync" again to continue.' });
  }
  return error;
}

/**
 * The sync_runs bookkeeping of one syncMailbox call: at most one run open at a time, the totals
 * the summary and the runs report, and how a run closes. A sync that ends before any run opened
 * (a no-op probe) leaves no run; one that fails before opening a run still records a failed run.
 */
class RunJournal {
  readonly startedAt: number;
  readonly totals: Totals;
  gmail: GmailPort | undefined;
  private runId: string | null = null;

  constructor(private readonly deps: SyncDeps, readonly mailbox: MailboxRow, private readonly epoch: number) {
    this.startedAt = deps.clock.now();
    this.totals = { kind: 'incremental', created: 0, updated: 0, deleted: 0, fetched: 0, events: 0, historyId: mailbox.historyId };
  }

  get runKind(): SyncKind {
    return this.totals.kind === 'noop' ? 'incremental' : this.totals.kind;
  }

  async open(kind: SyncKind, startHistoryId: string | null, at = this.deps.clock.now()): Promise<void> {
    this.totals.kind = kind;
    this.runId = this.deps.ids('run');
    await this.deps.syncRuns.start({ id: this.runId, mailboxId: this.mailbox.id, kind, epoch: this.epoch, startHistoryId, now: at });
  }

  /** The open incremental run found its cursor expired: it closes as superseded, and a resync run opens. */
  async handOverToResync(): Promise<void> {
    await this.close('superseded', { errorClass: 'history_expired', errorMessage: 'history expired; continued as a full resync' });
    await this.open('resync', this.totals.historyId);
  }

  async close(status: SyncRunOutcome['status'], error: { errorClass: string; errorMessage: string } | null = null): Promise<void> {
    // A failure before any run opened (e.g. the probe) is still a failed sync: record it.
    if (!this.runId && status === 'failed') await this.open(this.runKind, this.mailbox.historyId, this.startedAt);
    if (!this.runId) return;
    await this.deps.syncRuns.finish(this.runId, { ...this.outcome(status), ...error }, this.deps.clock.now());
    this.runId = null;
    this.deps.metrics?.syncRun(this.runKind, status);
  }

  tally(result: CommitResult): void {
    this.totals.created += result.created;
    this.totals.updated += result.updated;
    this.totals.deleted += result.deleted;
    this.totals.events += result.events.length;
  }

  summary(): SyncSummary {
    const { kind, created, updated, deleted, fetched, events, historyId } = this.totals;
    return { mailboxId: this.mailbox.id, emailAddress: this.mailbox.emailAddress, kind, created, updated, deleted, fetched, events, quotaUnits: this.gmail?.stats.quotaUnits ?? 0, historyId, durationMs: this.deps.clock.now() - this.startedAt };
  }

  private outcome(status: SyncRunOutcome['status']): SyncRunOutcome {
    const { created, updated, deleted, fetched, events, historyId } = this.totals;
    return { status, kind: this.runKind, endHistoryId: historyId, created, updated, deleted, fetched, events, quotaUnits: this.gmail?.stats.quotaUnits ?? 0, errorClass: null, errorMessage: null };
  }
}

/** A promise started ahead of its await: a rejection before then is not "unhandled" (it is rethrown when awaited). */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

interface Totals {
  kind: SyncKind | 'noop';
  created: number;
  updated: number;
  deleted: number;
  fetched: number;
  events: number;
  historyId: string | null;
}

/** The sync strategy: which kind of sync a mailbox needs, and each kind's steps and commits. */
class SyncEngine {
  private readonly fetcher: MessageFetcher;

  constructor(
    private readonly deps: SyncDeps,
    private readonly mailbox: MailboxRow,
    private readonly lease: HeldLease,
    private readonly gmail: GmailPort,
    signal: AbortSignal,
    private readonly journal: RunJournal,
  ) {
    this.fetcher = new MessageFetcher({
      gmail,
      store: deps.syncCommit,
      clock: deps.clock,
      mailboxId: mailbox.id,
      concurrency: deps.concurrency ?? 25,
      signal,
      byThread: deps.fetchByThread ?? true,
      visibilityRetriesMs: deps.visibilityRetriesMs ?? [200, 600, 1500],
      onFetch: deps.onFetch,
      onFetched: (count) => (journal.totals.fetched += count),
    });
  }

  /** Full when there is a checkpoint, no cursor, or `full`; otherwise incremental unless the probe shows nothing new. */
  async run(full: boolean): Promise<void> {
    const { mailbox, journal } = this;
    if (mailbox.fullSyncCheckpoint || !mailbox.historyId || full) {
      const resumed = mailbox.fullSyncCheckpoint;
      await journal.open(resumed?.reason === 'history_expired' ? 'resync' : 'full', mailbox.historyId);
      await this.fullSync(resumed ?? (await this.beginFullSync(mailbox.historyId ? 'requested' : 'initial')));
      // A full sync ends at the history id read when it began (H0) — long ago if it resumed after
      // a crash. Catch up from there in the same run, so a sync that finished is current.
      const h0 = journal.totals.historyId;
      if (h0 && (await this.gmail.getProfile()).historyId !== h0) await this.incrementalSync(h0);
      return;
    }
    if ((await this.gmail.getProfile()).historyId === mailbox.historyId) {
      journal.totals.kind = 'noop';
      return;
    }
    await journal.open('incremental', mailbox.historyId);
    await this.incrementalSync(mailbox.historyId, () => journal.handOverToResync());
  }

  private commit(input: Omit<Parameters<SyncDeps['syncCommit']['commit']>[0], 'mailbox' | 'epoch' | 'now'>): Promise<CommitResult> {
    return this.deps.syncCommit.commit({ ...input, mailbox: this.mailbox, epoch: this.lease.epoch, now: this.deps.clock.now() });
  }

  private progress(phase: SyncProgress['phase'], processed: number, total: number) {
    this.deps.onProgress?.({ mailboxId: this.mailbox.id, emailAddress: this.mailbox.emailAddress, phase, kind: this.journal.runKind, processed, total });
  }

  /** Reads H0 FIRST, then records the checkpoint, so a crash before the first page resumes with the same H0. */
  private async beginFullSync(reason: FullSyncCheckpoint['reason']): Promise<FullSyncCheckpoint> {
    const profile = await this.gmail.getProfile();
    const checkpoint: FullSyncCheckpoint = {
      h0: profile.historyId,
      pageToken: null,
      mark: this.deps.ids('run'),
      emitEvents: reason === 'initial' ? this.deps.emitBackfill : true,
      reason,
      previousHistoryId: this.mailbox.historyId,
      processed: 0,
      total: profile.messagesTotal,
      counts: { created: 0, updated: 0, deleted: 0 },
      startedAt: this.deps.clock.now(),
    };
    await this.commit({ remote: [], emitEvents: false, checkpoint });
    return checkpoint;
  }

  private async fullSync(start: FullSyncCheckpoint): Promise<void> {
    const release = this.deps.limitHeapGrowth?.();
    try {
      await this.fullSyncPages(start);
    } finally {
      release?.();
    }
  }

  private async fullSyncPages(start: FullSyncCheckpoint): Promise<void> {
    let checkpoint = start;
    await this.deps.syncCommit.replaceLabels(this.mailbox.id, await this.gmail.listLabels(), this.deps.clock.now());
    this.progress('listing', checkpoint.processed, checkpoint.total);
    // Pipelined: the listing runs a page ahead of the fetching, so a page is planned knowing
    // which threads continue on the next one, and the next page's messages are requested before
    // this page's commit, so Gmail works while the store does. Only commits move the
    // checkpoint, so a crash still resumes at the first uncommitted page. A page is planned once
    // the previous page's answers are in, so it skips what they already cover (see the header).
    type Listed = Awaited<ReturnType<GmailPort['listMessageIds']>>;
    const list = (pageToken: string | null) => settledLater(this.gmail.listMessageIds(pageToken ?? undefined));
    const fetchPage = (page: Listed, next: Listed | null, covered: ReadonlySet<string>) =>
      settledLater(this.fetcher.listedPage(page.messages, { h0: start.h0, mark: start.mark, covered, next: next?.messages ?? null }, (done) => this.progress('fetching', checkpoint.processed + done, Math.max(checkpoint.total, checkpoint.processed + done))));
    let page = await list(checkpoint.pageToken);
    let following = page.nextPageToken ? await list(page.nextPageToken) : null;
    let fetching = fetchPage(page, following, new Set());
    let nextList = following?.nextPageToken ? list(following.nextPageToken) : null;
    for (;;) {
      const { remote, covered } = await fetching;
      const afterFollowing = nextList ? await nextList : null;
      if (following) {
        fetching = fetchPage(following, afterFollowing, covered);
        nextList = afterFollowing?.nextPageToken ? list(afterFollowing.nextPageToken) : null;
      }
      checkpoint = await this.commitPage(checkpoint, page, remote);
      this.progress('fetching', checkpoint.processed, Math.max(checkpoint.total, checkpoint.processed));
      if (!following) break;
      page = following;
      following = afterFollowing;
    }
    await this.finishFullSync(checkpoint);
  }

  /** One listed page's states, with the checkpoint moved past it. Returns the new checkpoint. */
  private async commitPage(previous: FullSyncCheckpoint, page: { messages: unknown[]; nextPageToken: string | null }, remote: RemoteMessage[]): Promise<FullSyncCheckpoint> {
    let next = previous;
    const result = await this.commit({
      remote,
      emitEvents: previous.emitEvents,
      mark: previous.mark,
      checkpoint: (counts) => (next = {
        ...previous,
        pageToken: page.nextPageToken,
        processed: previous.processed + page.messages.length,
        counts: { created: previous.counts.created + counts.created, updated: previous.counts.updated + counts.updated, deleted: previous.counts.deleted + counts.deleted },
      }),
    });
    this.journal.tally(result);
    return next;
  }

  /** The sweep of unmarked messages, the cursor at H0, the checkpoint cleared, the mailbox active. */
  private async finishFullSync(checkpoint: FullSyncCheckpoint): Promise<void> {
    this.progress('committing', checkpoint.processed, checkpoint.processed);
    const final = await this.commit({
      remote: [],
      emitEvents: checkpoint.emitEvents,
      sweepUnmarked: checkpoint.mark,
      cursor: checkpoint.h0,
      checkpoint: null,
      status: { to: 'active', reason: null },
      resynced: checkpoint.reason === 'initial' ? undefined : { reason: checkpoint.reason === 'history_expired' ? 'history_expired' : 'requested', previousHistoryId: checkpoint.previousHistoryId, historyId: checkpoint.h0, counts: checkpoint.counts },
    });
    this.journal.tally(final);
    this.journal.totals.historyId = checkpoint.h0;
  }

  /** History since `cursor`, collapsed, fetched and committed at once; an expired cursor becomes a resync. */
  private async incrementalSync(cursor: string, onExpired: () => Promise<void> = async () => undefined): Promise<void> {
    let history: { collapsed: ReturnType<typeof emptyCollapse>; head: string };
    try {
      history = await this.readHistory(cursor);
    } catch (error) {
      if (!isMailmonError(error) || error.code !== 'history_expired') throw error;
      await onExpired();
      await this.fullSync(await this.beginFullSync('history_expired'));
      return;
    }
    const { collapsed, head } = history;
    const known = await this.deps.syncCommit.knownLabelIds(this.mailbox.id);
    if ([...collapsed.labelIds].some((label) => !known.has(label))) await this.deps.syncCommit.replaceLabels(this.mailbox.id, await this.gmail.listLabels(), this.deps.clock.now());
    const targets = [...collapsed.fetch].map(([id, info]) => ({ id, threadId: info.threadId, addedInRun: info.addedInRun }));
    const remote: RemoteMessage[] = await this.fetcher.touched(targets, (done) => this.progress('fetching', done, targets.length));
    for (const id of collapsed.deleted.keys()) remote.push({ kind: 'gone', providerMessageId: id });
    this.journal.tally(await this.commit({ remote, emitEvents: true, cursor: head }));
    this.journal.totals.historyId = head;
  }

  private async readHistory(cursor: string) {
    const collapsed = emptyCollapse();
    let head = cursor;
    let pageToken: string | undefined;
    do {
      const page = await this.gmail.listHistory(cursor, pageToken);
      collapseHistory(page.records, collapsed);
      head = page.historyId;
      pageToken = page.nextPageToken ?? undefined;
      this.progress('history', collapsed.records, collapsed.records);
    } while (pageToken);
    return { collapsed, head };
  }
}
