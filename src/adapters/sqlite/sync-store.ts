/**
 * The SyncCommit port on SQLite (src/app/ports/sync-commit.ts): one unit of sync work — message
 * state, derived thread state, the events describing the change, and the cursor/checkpoint — in
 * ONE SQLite transaction, and only if the caller still holds the mailbox's lease epoch (a stale
 * holder's commit throws lease_lost and changes nothing). Diffing happens inside the transaction
 * against the rows as they are, so re-applying the same truth writes no event.
 */
import type Database from 'better-sqlite3';
import { MailmonError } from '../../core/errors.js';
import { diffMessage, messageEvent, resyncedEvent, statusChangedEvent, threadEvent, type EventDraft, type LocalMessage, type MessageChange } from '../../core/diff.js';
import type { MessageState } from '../../core/message-state.js';
import { deriveThread, threadChanged, type ThreadState } from '../../core/threads.js';
import type { ChangeCounts, CommitInput, CommitResult, SyncCommit, SyncLabel } from '../../app/ports/sync-commit.js';
import type { MailboxStatus } from '../../app/ports/mailboxes.js';
import { newId, type IdGenerator } from '../system/ids.js';
import { EventLog } from './event-log.js';
import { MESSAGE_COLUMNS, rowToLocal, type MessageRow } from './message-rows.js';

export type { CommitInput, CommitResult };

/** What one commit's pieces share: who, when, and the thread ids it resolved. */
interface CommitScope {
  input: CommitInput;
  mailboxId: string;
  threadIds: Map<string, string>;
  drafts: EventDraft[];
}

type Change = { change: MessageChange; local?: LocalMessage };

export function sqliteSyncCommit(sqlite: Database.Database, ids: IdGenerator = newId): SyncCommit {
  const store = new SyncStore(sqlite, ids);
  return {
    commit: async (input) => store.commit(input),
    loadLocal: async (mailboxId, providerIds) => store.loadLocal(mailboxId, providerIds),
    markedIds: async (mailboxId, providerIds, mark) => store.markedIds(mailboxId, providerIds, mark),
    replaceLabels: async (mailboxId, labels, now) => store.replaceLabels(mailboxId, labels, now),
    knownLabelIds: async (mailboxId) => store.knownLabelIds(mailboxId),
    localLabels: async (mailboxId) => store.localLabels(mailboxId),
  };
}

export class SyncStore {
  private readonly log: EventLog;
  private readonly statements: Record<string, Database.Statement>;

  constructor(private readonly sqlite: Database.Database, private readonly ids: IdGenerator = newId) {
    this.log = new EventLog(sqlite);
    this.statements = {
      epoch: sqlite.prepare('select lease_epoch as epoch, status, history_id as historyId from mailboxes where id = ?'),
      insertMessage: sqlite.prepare(`insert into messages (id, mailbox_id, provider_message_id, thread_id, provider_thread_id, label_ids, subject, from_address, to_addresses, cc_addresses,
        date_header, message_id_header, in_reply_to, "references", snippet, internal_date, size_estimate, history_id, attachment_count, attachment_names, sync_mark, created_at, updated_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      updateMessage: sqlite.prepare('update messages set label_ids = ?, snippet = ?, history_id = ?, provider_thread_id = ?, thread_id = ?, sync_mark = coalesce(?, sync_mark), updated_at = ? where id = ?'),
      markMessage: sqlite.prepare('update messages set sync_mark = ? where id = ?'),
      deleteMessage: sqlite.prepare('delete from messages where id = ?'),
      threadMessages: sqlite.prepare(`select ${MESSAGE_COLUMNS} from messages where mailbox_id = ? and provider_thread_id = ?`),
      threadRow: sqlite.prepare('select id from threads where mailbox_id = ? and provider_thread_id = ?'),
      upsertThread: sqlite.prepare(`insert into threads (id, mailbox_id, provider_thread_id, subject, snippet, message_count, label_ids, last_message_at, history_id, updated_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        on conflict (mailbox_id, provider_thread_id) do update set subject = excluded.subject, snippet = excluded.snippet, message_count = excluded.message_count,
        label_ids = excluded.label_ids, last_message_at = excluded.last_message_at, history_id = excluded.history_id, updated_at = excluded.updated_at`),
      deleteThread: sqlite.prepare('delete from threads where mailbox_id = ? and provider_thread_id = ?'),
      unmarked: sqlite.prepare(`select ${MESSAGE_COLUMNS} from messages where mailbox_id = ? and (sync_mark is null or sync_mark != ?)`),
    };
  }

  /** Local state for a set of provider message ids. */
  loadLocal(mailboxId: string, providerIds: readonly string[]): Map<string, LocalMessage> {
    const result = new Map<string, LocalMessage>();
    for (let offset = 0; offset < providerIds.length; offset += 500) {
      const chunk = providerIds.slice(offset, offset + 500);
      const rows = this.sqlite
        .prepare(`select ${MESSAGE_COLUMNS} from messages where mailbox_id = ? and provider_message_id in (${chunk.map(() => '?').join(',')})`)
        .all(mailboxId, ...chunk) as MessageRow[];
      for (const row of rows) result.set(row.providerMessageId, rowToLocal(row));
    }
    return result;
  }

  /** Which of these messages a commit has already stamped with `mark` (a full sync run's own earlier pages). */
  markedIds(mailboxId: string, providerIds: readonly string[], mark: string): Set<string> {
    const result = new Set<string>();
    for (let offset = 0; offset < providerIds.length; offset += 500) {
      const chunk = providerIds.slice(offset, offset + 500);
      const rows = this.sqlite
        .prepare(`select provider_message_id as id from messages where mailbox_id = ? and sync_mark = ? and provider_message_id in (${chunk.map(() => '?').join(',')})`)
        .all(mailboxId, mark, ...chunk) as Array<{ id: string }>;
      for (const row of rows) result.add(row.id);
    }
    return result;
  }

  commit(input: CommitInput): CommitResult {
    return this.sqlite.transaction(() => this.commitInTransaction(input)).immediate();
  }

  private commitInTransaction(input: CommitInput): CommitResult {
    const current = this.checkEpoch(input.mailbox.id, input.epoch);
    const scope: CommitScope = { input, mailboxId: input.mailbox.id, threadIds: new Map(), drafts: [] };
    const changes = this.diffAgainstStored(scope);
    const touched = touchedThreads(changes);
    const threadsBefore = new Map([...touched].map((providerThreadId) => [providerThreadId, this.deriveStoredThread(scope.mailboxId, providerThreadId)]));
    const counts = this.writeMessages(scope, changes);
    // Order within a thread holds by construction: its message events first, its thread.updated after.
    this.rederiveThreads(scope, threadsBefore);
    this.closingEvents(scope, counts, current.status);
    const events = this.log.append(scope.drafts, input.mailbox, input.now);
    this.moveCursor(input, counts);
    return { ...counts, events };
  }

  /** The mailbox's status, if `epoch` is still its lease epoch; lease_lost otherwise. */
  private checkEpoch(mailboxId: string, epoch: number): { status: MailboxStatus } {
    const current = this.statements.epoch.get(mailboxId) as { epoch: number; status: MailboxStatus } | undefined;
    if (!current) throw new MailmonError('mailbox_not_found', `Mailbox ${mailboxId} no longer exists.`);
    if (current.epoch !== epoch) {
      throw new MailmonError('lease_lost', `Lost the lease on mailbox ${mailboxId} (epoch ${epoch}, now ${current.epoch}); nothing was committed.`, {
        hint: 'Another mailmon took over this mailbox; it carries on from here.',
      });
    }
    return current;
  }

  /** Load + diff: what changes against the rows as they are; unchanged messages only get the run's mark. */
  private diffAgainstStored(scope: CommitScope): Change[] {
    const { input, mailboxId } = scope;
    const idOf = (remote: CommitInput['remote'][number]) => (remote.kind === 'present' ? remote.state.providerMessageId : remote.providerMessageId);
    const locals = this.loadLocal(mailboxId, input.remote.map(idOf));
    const changes: Change[] = [];
    for (const remote of input.remote) {
      const local = locals.get(idOf(remote));
      const change = diffMessage(local, remote);
      if (change) changes.push({ change, local });
      else if (local && input.mark) this.statements.markMessage.run(input.mark, local.messageId);
    }
    if (input.sweepUnmarked) {
      for (const row of this.statements.unmarked.all(mailboxId, input.sweepUnmarked) as MessageRow[]) {
        changes.push({ change: { kind: 'deleted', before: rowToLocal(row) } });
      }
    }
    return changes;
  }

  private threadIdFor(scope: CommitScope, providerThreadId: string): string {
    let id = scope.threadIds.get(providerThreadId);
    if (!id) {
      id = (this.statements.threadRow.get(scope.mailboxId, providerThreadId) as { id: string } | undefined)?.id ?? this.ids('thr');
      scope.threadIds.set(providerThreadId, id);
    }
    return id;
  }

  /** Writes each message change and drafts its event. */
  private writeMessages(scope: CommitScope, changes: Change[]): ChangeCounts {
    const { input, mailboxId } = scope;
    const counts = { created: 0, updated: 0, deleted: 0 };
    for (const { change } of changes) {
      let ids: { messageId: string; threadId: string };
      if (change.kind === 'created') {
        ids = { messageId: this.ids('msg'), threadId: this.threadIdFor(scope, change.after.providerThreadId) };
        this.insertMessage(mailboxId, ids, change.after, input.mark ?? null, input.now);
        counts.created += 1;
      } else if (change.kind === 'updated') {
        ids = { messageId: change.before.messageId, threadId: this.threadIdFor(scope, change.after.providerThreadId) };
        this.statements.updateMessage.run(JSON.stringify(change.after.labelIds), change.after.snippet, change.after.historyId, change.after.providerThreadId, ids.threadId, input.mark ?? null, input.now, ids.messageId);
        if (change.labelsChanged) counts.updated += 1;
      } else {
        ids = { messageId: change.before.messageId, threadId: change.before.threadId };
        this.statements.deleteMessage.run(change.before.messageId);
        counts.deleted += 1;
      }
      const draft = input.emitEvents ? messageEvent(mailboxId, change, ids, () => this.ids('evt')) : null;
      if (draft) scope.drafts.push(draft);
    }
    return counts;
  }

  /** Derives each touched thread again; writes it, and describes it once if it really changed. */
  private rederiveThreads(scope: CommitScope, threadsBefore: Map<string, ThreadState | null>): void {
    const { input, mailboxId } = scope;
    for (const [providerThreadId, before] of threadsBefore) {
      const after = this.deriveStoredThread(mailboxId, providerThreadId);
      const threadId = this.threadIdFor(scope, providerThreadId);
      if (after) {
        this.statements.upsertThread.run(threadId, mailboxId, providerThreadId, after.subject, after.snippet, after.messageCount, JSON.stringify(after.labelIds), after.lastMessageAt, after.historyId, input.now);
      } else {
        this.statements.deleteThread.run(mailboxId, providerThreadId);
      }
      if (input.emitEvents && threadChanged(before, after)) scope.drafts.push(threadEvent(mailboxId, threadId, before, after, () => this.ids('evt')));
    }
  }

  /** mailbox.resynced and mailbox.status_changed, after every message and thread event of the commit. */
  private closingEvents(scope: CommitScope, counts: ChangeCounts, status: MailboxStatus): void {
    const { input, mailboxId } = scope;
    const newEventId = () => this.ids('evt');
    if (input.resynced) {
      const total = { created: input.resynced.counts.created + counts.created, updated: input.resynced.counts.updated + counts.updated, deleted: input.resynced.counts.deleted + counts.deleted };
      scope.drafts.push(resyncedEvent(mailboxId, { reason: input.resynced.reason, previousHistoryId: input.resynced.previousHistoryId, historyId: input.resynced.historyId, ...total }, newEventId));
    }
    if (input.status && input.status.to !== status) {
      scope.drafts.push(statusChangedEvent(mailboxId, { previousStatus: status, status: input.status.to, reason: input.status.reason }, newEventId));
    }
  }

  /** Cursor, checkpoint and status, conditional on the epoch once more. */
  private moveCursor(input: CommitInput, counts: ChangeCounts): void {
    const sets = ['updated_at = ?'];
    const params: unknown[] = [input.now];
    if (input.cursor !== undefined) {
      sets.push('history_id = ?');
      params.push(input.cursor);
    }
    if (input.checkpoint !== undefined) {
      const checkpoint = typeof input.checkpoint === 'function' ? input.checkpoint(counts) : input.checkpoint;
      sets.push('full_sync_checkpoint = ?');
      params.push(checkpoint === null ? null : JSON.stringify(checkpoint));
    }
    if (input.status) {
      sets.push('status = ?', 'status_reason = ?');
      params.push(input.status.to, input.status.reason);
    }
    const updated = this.sqlite.prepare(`update mailboxes set ${sets.join(', ')} where id = ? and lease_epoch = ?`).run(...params, input.mailbox.id, input.epoch);
    if (updated.changes !== 1) throw new MailmonError('lease_lost', `Lost the lease on mailbox ${input.mailbox.id}; nothing was committed.`);
  }

  private insertMessage(mailboxId: string, ids: { messageId: string; threadId: string }, state: MessageState, mark: string | null, now: number): void {
    this.statements.insertMessage.run(
      ids.messageId, mailboxId, state.providerMessageId, ids.threadId, state.providerThreadId, JSON.stringify(state.labelIds), state.subject,
      state.from ? JSON.stringify(state.from) : null, JSON.stringify(state.to), JSON.stringify(state.cc), state.dateHeader, state.messageIdHeader,
      state.inReplyTo, state.references, state.snippet, state.internalDate, state.sizeEstimate, state.historyId, state.attachmentCount,
      JSON.stringify(state.attachmentNames), mark, now, now,
    );
  }

  private deriveStoredThread(mailboxId: string, providerThreadId: string): ThreadState | null {
    const rows = this.statements.threadMessages.all(mailboxId, providerThreadId) as MessageRow[];
    return deriveThread(providerThreadId, rows.map((row) => rowToLocal(row).state));
  }

  /** Replaces the label registry with Gmail's (no events: label registry changes are not mailbox changes). */
  replaceLabels(mailboxId: string, labels: readonly SyncLabel[], now: number): void {
    this.sqlite.transaction(() => {
      this.sqlite.prepare('delete from labels where mailbox_id = ?').run(mailboxId);
      const insert = this.sqlite.prepare('insert into labels (mailbox_id, id, name, type, updated_at) values (?, ?, ?, ?, ?)');
      for (const label of labels) insert.run(mailboxId, label.id, label.name, label.type, now);
    }).immediate();
  }

  knownLabelIds(mailboxId: string): Set<string> {
    return new Set((this.sqlite.prepare('select id from labels where mailbox_id = ?').all(mailboxId) as Array<{ id: string }>).map((row) => row.id));
  }

  localLabels(mailboxId: string): Map<string, string[]> {
    const rows = this.sqlite.prepare('select provider_message_id as id, label_ids as labels from messages where mailbox_id = ?').all(mailboxId) as Array<{ id: string; labels: string }>;
    return new Map(rows.map((row) => [row.id, JSON.parse(row.labels) as string[]]));
  }
}

/** Threads a commit touches: each change's thread before and after (a message can move threads). */
function touchedThreads(changes: Change[]): Set<string> {
  const touched = new Set<string>();
  for (const { change } of changes) {
    if (change.kind !== 'created') touched.add(change.before.state.providerThreadId);
    if (change.kind !== 'deleted') touched.add(change.after.providerThreadId);
  }
  return touched;
}
