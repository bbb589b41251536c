/**
 * `mailmon sync` / one daemon poll of one mailbox (PRODUCT §4).
 *
 *                       ┌──────────── checkpoint present ───────────┐
 *   lease ──▶ decide ───┼── no cursor, or --full ──▶ FULL ──────────┼──▶ commit chunks ──▶ sweep + cursor=H0 ──▶ done
 *                       └── cursor ──▶ probe ──(same historyId)──▶ no-op
 *                                        └──▶ INCREMENTAL: history pages ──▶ collapse ──▶ fetch ──▶ one commit
 *                                                  └── 404 (expired) ──▶ FULL (reason history_expired, emits diffs + mailbox.resynced)
 *
 * Guarantees: state, events and cursor commit together (SyncStore.commit); every commit is fenced by
 * the lease epoch; a failure never moves the cursor and is recorded in sync_runs with its error class;
 * a full sync checkpoints after every page, so a crash resumes where it stopped.
 *
 * Fetching is thread-aware (src/app/fetch-messages.ts): a thread fetched with threads.get on page N
 * also brings its messages listed on later pages; they commit with page N, stamped with the run's
 * mark, and page N+1 skips listed messages that carry the mark. So the checkpoint after page N
 * (pointing at page N+1) neither loses them (they are committed) nor fetches them again after a
 * crash (they are marked); a crash before page N's commit redoes page N, thread and all.
 */
import { setMaxListeners } from 'node:events';
import type Database from 'better-sqlite3';
import { MailmonError, isMailmonError } from '../core/errors.js';
import { collapseHistory, emptyCollapse } from '../core/history.js';
import { reloginHint } from '../core/fixture-mailbox.js';
import type { RemoteMessage } from '../core/diff.js';
import type { GmailPort } from '../adapters/gmail/gmail-api.js';
import { acquireLease } from '../adapters/system/lease.js';
import type { IdGenerator } from '../adapters/system/ids.js';
import { MailboxRepository, type FullSyncCheckpoint, type MailboxRow } from '../adapters/sqlite/mailbox-repository.js';
import { SyncStore } from '../adapters/sqlite/sync-store.js';
import { SyncRuns, type SyncKind } from '../adapters/sqlite/sync-runs.js';
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

export interface SyncDeps {
  sqlite: Database.Database;
  leasesDir: string;
  ids: IdGenerator;
  now: () => number;
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
  const mailboxes = new MailboxRepository(deps.sqlite);
  const initial = mailboxes.get(input.mailboxId);
  if (!initial) throw new MailmonError('mailbox_not_found', `No mailbox "${input.mailboxId}".`, { hint: 'Run "mailmon mailboxes" to list them.' });
  if (initial.status === 'reauth_required') {
    throw new MailmonError('reauth_required', `Mailbox ${initial.emailAddress} needs to be authorized again${initial.statusReason ? ` (${initial.statusReason})` : ''}.`, { hint: reloginHint(initial) });
  }
  if (initial.status === 'paused') throw new MailmonError('usage', `Mailbox ${initial.emailAddress} is paused.`, { hint: 'Resume it before syncing.' });

  const lease = await acquireLease({ leasesDir: deps.leasesDir, mailboxId: initial.id, bumpEpoch: () => mailboxes.bumpLeaseEpoch(initial.id), waitMs: deps.waitMs, staleMs: deps.leaseStaleMs, signal: deps.signal });
  const signal = deps.signal ? AbortSignal.any([deps.signal, lease.signal]) : lease.signal;
  // Every in-flight Gmail request listens on it (up to the fetch concurrency).
  setMaxListeners(Math.max(50, (deps.concurrency ?? 25) * 2), signal);
  const started = deps.now();
  const runs = new SyncRuns(deps.sqlite);
  let runId: string | null = null;
  let gmail: GmailPort | undefined;
  const totals = { kind: 'incremental' as SyncKind | 'noop', created: 0, updated: 0, deleted: 0, fetched: 0, events: 0, historyId: initial.historyId };
  try {
    // Runs under an older epoch can never commit again: close them (their process crashed or lost the lease).
    runs.closeSuperseded(initial.id, lease.epoch, started);
    const mailbox = mailboxes.get(initial.id)!;
    // Re-read under the lease: another holder (the daemon's loop) may have synced meanwhile.
    totals.historyId = mailbox.historyId;
    gmail = await deps.openGmail(mailbox, signal);
    const engine = new SyncEngine(deps, mailbox, lease.epoch, gmail, signal, totals);
    const startRun = (kind: SyncKind) => {
      runId = deps.ids('run');
      runs.start({ id: runId, mailboxId: mailbox.id, kind, epoch: lease.epoch, startHistoryId: mailbox.historyId, now: deps.now() });
    };
    const switchedToResync = () => {
      totals.kind = 'resync';
      runs.finish(runId!, { ...outcome('succeeded'), kind: 'incremental', errorClass: 'history_expired', errorMessage: 'history expired; switched to a full resync' }, deps.now());
      startRun('resync');
    };
    if (mailbox.fullSyncCheckpoint || !mailbox.historyId || input.full) {
      const resumed = mailbox.fullSyncCheckpoint;
      totals.kind = resumed?.reason === 'history_expired' ? 'resync' : 'full';
      startRun(totals.kind);
      await engine.fullSync(resumed ?? (await engine.beginFullSync(mailbox.historyId ? 'requested' : 'initial')));
      // A full sync ends at the history id read when it began (H0) — long ago if it resumed after
      // a crash. Catch up from there in the same run, so a sync that finished is current.
      const h0 = totals.historyId;
      if (h0 && (await gmail.getProfile()).historyId !== h0) await engine.incrementalSync(h0, () => undefined);
    } else {
      const probe = await gmail.getProfile();
      if (probe.historyId === mailbox.historyId) {
        totals.kind = 'noop';
      } else {
        startRun('incremental');
        await engine.incrementalSync(mailbox.historyId, switchedToResync);
      }
    }
    mailboxes.recordSyncAttempt(mailbox.id, { at: deps.now(), error: null });
    if (runId) runs.finish(runId, outcome('succeeded'), deps.now());
  } catch (error) {
    const code = isMailmonError(error) ? error.code : signal.aborted ? 'interrupted' : 'internal';
    const message = error instanceof Error ? error.message : String(error);
    // A failure before any run started (e.g. the probe) is still a failed sync: record it.
    if (!runId) {
      runId = deps.ids('run');
      runs.start({ id: runId, mailboxId: initial.id, kind: totals.kind === 'noop' ? 'incremental' : totals.kind, epoch: lease.epoch, startHistoryId: initial.historyId, now: started });
    }
    runs.finish(runId, { ...outcome('failed'), errorClass: code, errorMessage: message }, deps.now());
    mailboxes.recordSyncAttempt(initial.id, { at: deps.now(), error: message });
    if (code === 'reauth_required') {
      mailboxes.setStatus(initial.id, 'reauth_required', 'Gmail refused the stored authorization (invalid_grant)', { now: deps.now(), newEventId: () => deps.ids('evt') });
    }
    if (signal.aborted && !isMailmonError(error)) {
      const reason = signal.reason;
      throw isMailmonError(reason) ? reason : new MailmonError('interrupted', 'Sync interrupted; progress up to the last commit is kept.', { hint: 'Run "mailmon sync" again to continue.' });
    }
    throw error;
  } finally {
    await lease.release();
  }
  return {
    mailboxId: initial.id,
    emailAddress: initial.emailAddress,
    kind: totals.kind,
    created: totals.created,
    updated: totals.updated,
    deleted: totals.deleted,
    fetched: totals.fetched,
    events: totals.events,
    quotaUnits: gmail?.stats.quotaUnits ?? 0,
    historyId: totals.historyId,
    durationMs: deps.now() - started,
  };

  function outcome(status: 'succeeded' | 'failed') {
    return {
      status,
      kind: (totals.kind === 'noop' ? 'incremental' : totals.kind) as SyncKind,
      endHistoryId: totals.historyId,
      created: totals.created,
      updated: totals.updated,
      deleted: totals.deleted,
      fetched: totals.fetched,
      events: totals.events,
      quotaUnits: gmail?.stats.quotaUnits ?? 0,
      errorClass: null,
      errorMessage: null,
    };
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

class SyncEngine {
  private readonly store: SyncStore;
  private readonly fetcher: MessageFetcher;

  constructor(
    private readonly deps: SyncDeps,
    private readonly mailbox: MailboxRow,
    private readonly epoch: number,
    private readonly gmail: GmailPort,
    signal: AbortSignal,
    private readonly totals: Totals,
  ) {
    this.store = new SyncStore(deps.sqlite, deps.ids, deps.now);
    this.fetcher = new MessageFetcher({
      gmail,
      store: this.store,
      mailboxId: mailbox.id,
      concurrency: deps.concurrency ?? 25,
      signal,
      byThread: deps.fetchByThread ?? true,
      visibilityRetriesMs: deps.visibilityRetriesMs ?? [200, 600, 1500],
      onFetch: deps.onFetch,
      onFetched: (count) => (totals.fetched += count),
    });
  }

  private tally(result: { created: number; updated: number; deleted: number; events: unknown[] }) {
    this.totals.created += result.created;
    this.totals.updated += result.updated;
    this.totals.deleted += result.deleted;
    this.totals.events += result.events.length;
  }

  private progress(phase: SyncProgress['phase'], processed: number, total: number) {
    this.deps.onProgress?.({ mailboxId: this.mailbox.id, emailAddress: this.mailbox.emailAddress, phase, kind: this.totals.kind === 'noop' ? 'incremental' : this.totals.kind, processed, total });
  }

  /** Reads H0 FIRST, then records the checkpoint, so a crash before the first page resumes with the same H0. */
  async beginFullSync(reason: FullSyncCheckpoint['reason']): Promise<FullSyncCheckpoint> {
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
      startedAt: this.deps.now(),
    };
    this.store.commit({ mailbox: this.mailbox, epoch: this.epoch, remote: [], emitEvents: false, checkpoint });
    return checkpoint;
  }

  async fullSync(start: FullSyncCheckpoint): Promise<void> {
    let checkpoint = start;
    this.store.replaceLabels(this.mailbox.id, await this.gmail.listLabels());
    this.progress('listing', checkpoint.processed, checkpoint.total);
    // Pipelined: the listing runs a page ahead of the fetching, so a page is planned knowing
    // which threads continue on the next one, and the next page's messages are requested before
    // this page's (synchronous) commit, so Gmail works while SQLite does. Only commits move the
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
      const previous = checkpoint;
      let next = previous;
      const result = this.store.commit({
        mailbox: this.mailbox,
        epoch: this.epoch,
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
      checkpoint = next;
      this.tally(result);
      this.progress('fetching', checkpoint.processed, Math.max(checkpoint.total, checkpoint.processed));
      if (!following) break;
      page = following;
      following = afterFollowing;
    }
    this.progress('committing', checkpoint.processed, checkpoint.processed);
    const final = this.store.commit({
      mailbox: this.mailbox,
      epoch: this.epoch,
      remote: [],
      emitEvents: checkpoint.emitEvents,
      sweepUnmarked: checkpoint.mark,
      cursor: checkpoint.h0,
      checkpoint: null,
      status: { to: 'active', reason: null },
      resynced: checkpoint.reason === 'initial' ? undefined : { reason: checkpoint.reason === 'history_expired' ? 'history_expired' : 'requested', previousHistoryId: checkpoint.previousHistoryId, historyId: checkpoint.h0, counts: checkpoint.counts },
    });
    this.tally(final);
    this.totals.historyId = checkpoint.h0;
  }

  async incrementalSync(cursor: string, onExpired: () => void): Promise<void> {
    const collapsed = emptyCollapse();
    let head = cursor;
    let pageToken: string | undefined;
    try {
      do {
        const page = await this.gmail.listHistory(cursor, pageToken);
        collapseHistory(page.records, collapsed);
        head = page.historyId;
        pageToken = page.nextPageToken ?? undefined;
        this.progress('history', collapsed.records, collapsed.records);
      } while (pageToken);
    } catch (error) {
      if (isMailmonError(error) && error.code === 'history_expired') {
        onExpired();
        await this.fullSync(await this.beginFullSync('history_expired'));
        return;
      }
      throw error;
    }
    const known = this.store.knownLabelIds(this.mailbox.id);
    if ([...collapsed.labelIds].some((label) => !known.has(label))) this.store.replaceLabels(this.mailbox.id, await this.gmail.listLabels());
    const targets = [...collapsed.fetch].map(([id, info]) => ({ id, threadId: info.threadId, addedInRun: info.addedInRun }));
    const remote: RemoteMessage[] = await this.fetcher.touched(targets, (done) => this.progress('fetching', done, targets.length));
    for (const id of collapsed.deleted.keys()) remote.push({ kind: 'gone', providerMessageId: id });
    const result = this.store.commit({ mailbox: this.mailbox, epoch: this.epoch, remote, emitEvents: true, cursor: head });
    this.tally(result);
    this.totals.historyId = head;
  }
}
