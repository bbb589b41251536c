/**
 * The sync commit's algorithm, once, for every store: given a commit's input and a snapshot of
 * the stored rows it touches (read by the adapter inside its transaction), it decides every
 * write, every event and the counts. Pure: no I/O, ids come from the caller. The adapter then
 * applies the writes, appends the events and moves the cursor in that same transaction.
 *
 * Two steps, because what to load depends on the diff:
 * 1. `diffCommit(input, stored)`: the message changes against the stored messages of the remote
 *    ids (and, for a sweep, the unmarked ones), and the threads those changes touch;
 * 2. `planCommit(input, diff, snapshot, newId)`: every stored message of those threads and their
 *    thread ids in, the writes and the event drafts out. Threads are derived again in memory from
 *    the snapshot with the planned changes applied, exactly as the stored rows will be.
 * Order within a thread holds by construction: its message events first, its thread.updated
 * after; mailbox.resynced and mailbox.status_changed close the commit.
 */
import { diffMessage, messageEvent, threadEvent, type LocalMessage, type MessageChange, type RemoteMessage } from './diff.js';
import { resyncedEvent, statusChangedEvent, type EventDraft } from './event-drafts.js';
import type { MessageState } from './message-state.js';
import { deriveThread, threadChanged, type ThreadState } from './threads.js';
import type { MailboxResyncedData } from './events.js';

export type PlanIdPrefix = 'msg' | 'thr' | 'evt';

export interface ChangeCounts {
  created: number;
  updated: number;
  deleted: number;
}

/** What the planner reads of a sync commit's input (the SyncCommit port's CommitInput). */
export interface PlanInput {
  mailbox: { id: string };
  remote: readonly RemoteMessage[];
  emitEvents: boolean;
  mark?: string;
  sweepUnmarked?: string;
  status?: { to: string; reason: string | null };
  resynced?: Omit<MailboxResyncedData, 'created' | 'updated' | 'deleted'> & { counts: ChangeCounts };
}

export interface CommitDiff {
  changes: MessageChange[];
  /** Unchanged messages the commit saw present: stamped with the run's mark. */
  marks: string[];
  /** Provider thread ids of every thread a change touches (a message can move threads). */
  threads: Set<string>;
}

export interface CommitSnapshot {
  /** The mailbox's status before the commit. */
  status: string;
  /** Every stored message of the touched threads. */
  threadMessages: readonly LocalMessage[];
  /** Stored thread ids of the touched threads, by provider thread id. */
  threadIds: ReadonlyMap<string, string>;
}

export interface PlannedMessage {
  messageId: string;
  threadId: string;
  state: MessageState;
}

export interface CommitPlan {
  /** New messages, stamped with the input's mark (if any). */
  inserts: PlannedMessage[];
  /** Changed messages: labels, snippet, historyId and thread; the mark when the input has one. */
  updates: PlannedMessage[];
  /** Message ids to stamp with the input's mark. */
  marks: string[];
  /** Message ids to delete. */
  deletes: string[];
  threadUpserts: Array<{ threadId: string; state: ThreadState }>;
  /** Provider thread ids whose thread row goes (no message left). */
  threadDeletes: string[];
  drafts: EventDraft[];
  counts: ChangeCounts;
}

export function remoteId(remote: RemoteMessage): string {
  return remote.kind === 'present' ? remote.state.providerMessageId : remote.providerMessageId;
}

/** Step 1. `locals`: stored state of the remote ids; `unmarked`: the sweep's candidates (messages not stamped with `sweepUnmarked`). */
export function diffCommit(input: Pick<PlanInput, 'remote' | 'mark' | 'sweepUnmarked'>, stored: { locals: ReadonlyMap<string, LocalMessage>; unmarked: readonly LocalMessage[] }): CommitDiff {
  const changes: MessageChange[] = [];
  const marks: string[] = [];
  const seen = new Set<string>();
  for (const remote of input.remote) {
    const local = stored.locals.get(remoteId(remote));
    if (local) seen.add(local.messageId);
    const change = diffMessage(local, remote);
    if (change) changes.push(change);
    else if (local && input.mark) marks.push(local.messageId);
  }
  if (input.sweepUnmarked) {
    // This commit's own messages are stamped by it, so the sweep never takes them.
    for (const local of stored.unmarked) if (!seen.has(local.messageId)) changes.push({ kind: 'deleted', before: local });
  }
  return { changes, marks, threads: touchedThreads(changes) };
}

function touchedThreads(changes: MessageChange[]): Set<string> {
  const touched = new Set<string>();
  for (const change of changes) {
    if (change.kind !== 'created') touched.add(change.before.state.providerThreadId);
    if (change.kind !== 'deleted') touched.add(change.after.providerThreadId);
  }
  return touched;
}

/** Step 2. */
export function planCommit(input: PlanInput, diff: CommitDiff, snapshot: CommitSnapshot, newId: (prefix: PlanIdPrefix) => string): CommitPlan {
  const plan: CommitPlan = { inserts: [], updates: [], marks: diff.marks, deletes: [], threadUpserts: [], threadDeletes: [], drafts: [], counts: { created: 0, updated: 0, deleted: 0 } };
  const threadIds = new Map(snapshot.threadIds);
  const threadIdFor = (providerThreadId: string) => {
    let id = threadIds.get(providerThreadId);
    if (!id) threadIds.set(providerThreadId, (id = newId('thr')));
    return id;
  };
  const threads = new ThreadMembers(snapshot.threadMessages);
  const before = new Map([...diff.threads].map((providerThreadId) => [providerThreadId, threads.derive(providerThreadId)]));
  for (const change of diff.changes) planMessage(input, plan, change, threads, threadIdFor, newId);
  for (const [providerThreadId, was] of before) planThread(input, plan, { providerThreadId, threadId: threadIdFor(providerThreadId), before: was, after: threads.derive(providerThreadId) }, newId);
  plan.drafts.push(...closingEvents(input, plan.counts, snapshot.status, () => newId('evt')));
  return plan;
}

function planMessage(input: PlanInput, plan: CommitPlan, change: MessageChange, threads: ThreadMembers, threadIdFor: (providerThreadId: string) => string, newId: (prefix: PlanIdPrefix) => string): void {
  let ids: { messageId: string; threadId: string };
  if (change.kind === 'created') {
    ids = { messageId: newId('msg'), threadId: threadIdFor(change.after.providerThreadId) };
    plan.inserts.push({ ...ids, state: change.after });
    threads.put(ids.messageId, change.after);
    plan.counts.created += 1;
  } else if (change.kind === 'updated') {
    ids = { messageId: change.before.messageId, threadId: threadIdFor(change.after.providerThreadId) };
    // Only these fields are written; the rest of the stored row stays as it was.
    const { labelIds, snippet, historyId, providerThreadId } = change.after;
    const state = { ...change.before.state, labelIds, snippet, historyId, providerThreadId };
    plan.updates.push({ ...ids, state });
    threads.put(ids.messageId, state, change.before.state.providerThreadId);
    if (change.labelsChanged) plan.counts.updated += 1;
  } else {
    ids = { messageId: change.before.messageId, threadId: change.before.threadId };
    plan.deletes.push(ids.messageId);
    threads.remove(ids.messageId, change.before.state.providerThreadId);
    plan.counts.deleted += 1;
  }
  const draft = input.emitEvents ? messageEvent(input.mailbox.id, change, ids, () => newId('evt')) : null;
  if (draft) plan.drafts.push(draft);
}

interface ThreadChange {
  providerThreadId: string;
  threadId: string;
  before: ThreadState | null;
  after: ThreadState | null;
}

/** The thread row as derived after the changes; described once if it really changed. */
function planThread(input: PlanInput, plan: CommitPlan, thread: ThreadChange, newId: (prefix: PlanIdPrefix) => string): void {
  if (thread.after) plan.threadUpserts.push({ threadId: thread.threadId, state: thread.after });
  else plan.threadDeletes.push(thread.providerThreadId);
  if (input.emitEvents && threadChanged(thread.before, thread.after)) plan.drafts.push(threadEvent(input.mailbox.id, thread.threadId, thread.before, thread.after, () => newId('evt')));
}

function closingEvents(input: PlanInput, counts: ChangeCounts, status: string, newEventId: () => string): EventDraft[] {
  const drafts: EventDraft[] = [];
  const mailboxId = input.mailbox.id;
  if (input.resynced) {
    const { reason, previousHistoryId, historyId, counts: earlier } = input.resynced;
    const total = { created: earlier.created + counts.created, updated: earlier.updated + counts.updated, deleted: earlier.deleted + counts.deleted };
    drafts.push(resyncedEvent(mailboxId, { reason, previousHistoryId, historyId, ...total }, newEventId));
  }
  if (input.status && input.status.to !== status) {
    drafts.push(statusChangedEvent(mailboxId, { previousStatus: status, status: input.status.to, reason: input.status.reason }, newEventId));
  }
  return drafts;
}

/** The messages of each thread, as the planned changes leave them. */
class ThreadMembers {
  private readonly byThread = new Map<string, Map<string, MessageState>>();

  constructor(messages: readonly LocalMessage[]) {
    for (const message of messages) this.put(message.messageId, message.state);
  }

  put(messageId: string, state: MessageState, previousThread?: string): void {
    if (previousThread !== undefined) this.remove(messageId, previousThread);
    let members = this.byThread.get(state.providerThreadId);
    if (!members) this.byThread.set(state.providerThreadId, (members = new Map()));
    members.set(messageId, state);
  }

  remove(messageId: string, providerThreadId: string): void {
    this.byThread.get(providerThreadId)?.delete(messageId);
  }

  derive(providerThreadId: string): ThreadState | null {
    return deriveThread(providerThreadId, [...(this.byThread.get(providerThreadId)?.values() ?? [])]);
  }
}
