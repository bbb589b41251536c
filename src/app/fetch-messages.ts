/**
 * Fetches the current state of messages for a sync, at the least quota: a thread with
 * 3 or more messages to fetch is one `threads.get` (10 units), the rest `messages.get` (5 each);
 * see src/core/fetch-plan.ts. `full` format for messages new to us, `minimal` (labels) when every
 * message asked for is known locally — the same formats and `fields` masks either way.
 *
 * Guarantees:
 *  - every target comes back, as present or gone (a 404, or missing from its thread's answer); a
 *    message added inside the history run being applied is retried, never dropped;
 *  - on a full-sync page, a thread's answer also covers its messages listed on later pages: those
 *    untouched since H0 come back as `extra` states to commit with this page, so a later page (in
 *    this run or after a crash, through the run's mark) does not fetch them again. A message in the
 *    answer touched after H0 (the thread grew between list and fetch) is left out: the listing or
 *    the incremental sync from H0 sees it like any other change, so its events come exactly once.
 */
import pLimit from 'p-limit';
import { MailmonError } from '../core/errors.js';
import { planFetches, untouchedSince, type FetchCall, type FetchTarget } from '../core/fetch-plan.js';
import { messageStateFromGmail, withFreshLabels, type GmailMessage } from '../core/message-state.js';
import type { LocalMessage, RemoteMessage } from '../core/diff.js';
import type { Clock } from './ports/clock.js';
import type { GmailPort } from './ports/gmail.js';
import type { SyncCommit } from './ports/sync-commit.js';

/** What `sync --verbose` reports per thread: the call used and how many messages it brought. */
export interface FetchChoice {
  mailboxId: string;
  threadId: string | null;
  call: FetchCall['call'];
  /** Messages asked for (listed, or touched by history). */
  requested: number;
  /** Messages the answer brought that were asked for on no page yet (kept for later pages). */
  extra: number;
}

export interface MessageFetcherOptions {
  gmail: GmailPort;
  store: Pick<SyncCommit, 'loadLocal' | 'markedIds'>;
  clock: Clock;
  mailboxId: string;
  concurrency: number;
  signal: AbortSignal;
  byThread: boolean;
  visibilityRetriesMs: number[];
  onFetch?: (choice: FetchChoice) => void;
  /** Counts messages fetched (for the summary). */
  onFetched: (count: number) => void;
}

export interface ListedPageResult {
  remote: RemoteMessage[];
  /** Every message this page's commit will carry state for: a later page skips them. */
  covered: Set<string>;
}

export class MessageFetcher {
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(private readonly options: MessageFetcherOptions) {
    this.limit = pLimit(options.concurrency);
  }

  /** Incremental sync: the current state of each message history touched. */
  async touched(targets: FetchTarget[], onDone: (done: number) => void): Promise<RemoteMessage[]> {
    const { remote } = await this.fetch(targets, null, onDone);
    return remote;
  }

  /**
   * Full sync: one listed page. Messages already fetched in this run (`covered` by the previous,
   * not yet committed page, or stamped with the run's `mark` by a commit) are skipped. `next` is
   * the following page's listing when known: a thread continuing there counts those messages too.
   */
  async listedPage(
    listed: ReadonlyArray<{ id: string; threadId: string }>,
    run: { h0: string; mark: string; covered: ReadonlySet<string>; next: ReadonlyArray<{ id: string; threadId: string }> | null },
    onDone: (done: number) => void,
  ): Promise<ListedPageResult> {
    const ids = [...new Set(listed.map((message) => message.id))];
    const next = (run.next ?? []).filter((message) => !run.covered.has(message.id));
    const marked = await this.options.store.markedIds(this.options.mailboxId, [...ids, ...next.map((message) => message.id)], run.mark);
    const skipped = new Set(ids.filter((id) => run.covered.has(id) || marked.has(id)));
    const later = new Map<string, number>();
    for (const message of next) if (!marked.has(message.id) && !skipped.has(message.id)) later.set(message.threadId, (later.get(message.threadId) ?? 0) + 1);
    const seen = new Set<string>();
    const targets: FetchTarget[] = [];
    for (const message of listed) {
      if (skipped.has(message.id) || seen.has(message.id)) continue;
      seen.add(message.id);
      targets.push({ id: message.id, threadId: message.threadId, addedInRun: false });
    }
    const { remote, extra } = await this.fetch(targets, { h0: run.h0, exclude: new Set(ids), later }, (done) => onDone(skipped.size + done));
    const covered = new Set<string>();
    for (const entry of [...remote, ...extra]) if (entry.kind === 'present') covered.add(entry.state.providerMessageId);
    return { remote: [...remote, ...extra], covered };
  }

  private async fetch(targets: FetchTarget[], extras: { h0: string; exclude: ReadonlySet<string>; later: ReadonlyMap<string, number> } | null, onDone: (done: number) => void): Promise<{ remote: RemoteMessage[]; extra: RemoteMessage[] }> {
    const locals = await this.options.store.loadLocal(this.options.mailboxId, targets.map((target) => target.id));
    const extra: RemoteMessage[] = [];
    let done = 0;
    const finished = (count: number) => {
      done += count;
      onDone(done);
    };
    const results = await Promise.all(planFetches(targets, this.options.byThread, extras?.later).map(async (call) => {
      if (call.call === 'messages.get') {
        this.options.onFetch?.({ mailboxId: this.options.mailboxId, threadId: call.threadId, call: call.call, requested: call.targets.length, extra: 0 });
        return Promise.all(call.targets.map((target) => this.limit(async () => {
          const result = await this.fetchOne(target, locals.get(target.id));
          this.options.onFetched(1);
          finished(1);
          return result;
        })));
      }
      const answer = await this.limit(() => this.fetchThread(call, locals, extras));
      extra.push(...answer.extra);
      this.options.onFetch?.({ mailboxId: this.options.mailboxId, threadId: call.threadId, call: call.call, requested: call.targets.length, extra: answer.extra.length });
      this.options.onFetched(call.targets.length + answer.extra.length);
      finished(call.targets.length);
      return answer.remote;
    }));
    return { remote: results.flat(), extra };
  }

  private async fetchThread(call: Extract<FetchCall, { call: 'threads.get' }>, locals: Map<string, LocalMessage>, extras: { h0: string; exclude: ReadonlySet<string> } | null): Promise<{ remote: RemoteMessage[]; extra: RemoteMessage[] }> {
    const format = call.targets.every((target) => locals.has(target.id)) ? 'minimal' : 'full';
    const thread = await this.options.gmail.getThread(call.threadId, format);
    const byId = new Map<string, GmailMessage>();
    for (const message of thread?.messages ?? []) if (message.id) byId.set(message.id, message);
    const remote = await Promise.all(call.targets.map(async (target): Promise<RemoteMessage> => {
      const message = byId.get(target.id);
      if (message) return { kind: 'present', state: stateOf(message, locals.get(target.id)) };
      // Missing from its thread's answer: gone, unless just added (then retried alone, as messages.get would be).
      return target.addedInRun ? this.fetchOne(target, locals.get(target.id)) : { kind: 'gone', providerMessageId: target.id };
    }));
    const extra: RemoteMessage[] = [];
    if (extras) {
      const asked = new Set(call.targets.map((target) => target.id));
      const others = [...byId.values()].filter((message) => !asked.has(message.id!) && !extras.exclude.has(message.id!) && untouchedSince(message.historyId, extras.h0));
      const known = await this.options.store.loadLocal(this.options.mailboxId, others.map((message) => message.id!));
      for (const message of others) {
        const local = known.get(message.id!);
        // A minimal answer cannot describe a message new to us: its own page fetches it in full.
        if (local || format === 'full') extra.push({ kind: 'present', state: stateOf(message, local) });
      }
    }
    return { remote, extra };
  }

  private async fetchOne(target: FetchTarget, local: LocalMessage | undefined): Promise<RemoteMessage> {
    const retries = this.options.visibilityRetriesMs;
    for (let attempt = 0; ; attempt++) {
      const message = await this.options.gmail.getMessage(target.id, local ? 'minimal' : 'full');
      if (message) return { kind: 'present', state: stateOf(message, local) };
      // A message just added may be briefly unfetchable: retry a few times, never drop it.
      if (!target.addedInRun) return { kind: 'gone', providerMessageId: target.id };
      if (attempt >= retries.length) {
        throw new MailmonError('gmail_unavailable', `Message ${target.id} was added but is not fetchable yet.`, { hint: 'The cursor did not move; the next sync picks it up.' });
      }
      await this.options.clock.sleep(retries[attempt], this.options.signal);
      // The sleep ends early on abort; the sync stops with the abort's reason.
      if (this.options.signal.aborted) throw this.options.signal.reason;
    }
  }
}

/** Known locally: only labels (and snippet, historyId) can have changed; new: the whole state. */
function stateOf(message: GmailMessage, local: LocalMessage | undefined) {
  return local ? withFreshLabels(local.state, message) : messageStateFromGmail(message);
}
