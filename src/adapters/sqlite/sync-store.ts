/**
 * The SyncCommit port on SQLite (src/app/ports/sync-commit.ts): one unit of sync work — message
 * state, derived thread state, the events describing the change, and the cursor/checkpoint — in
 * ONE SQLite transaction, and only if the caller still holds the mailbox's lease epoch (a stale
 * holder's commit throws lease_lost and changes nothing). Diffing happens inside the transaction
 * against the rows as they are, so re-applying the same truth writes no event. What to write is
 * decided by the planner shared with PostgreSQL (src/core/commit-plan.ts); this file loads its
 * snapshot and applies its plan.
 */
import type Database from 'better-sqlite3';
import { MailmonError } from '../../core/errors.js';
import type { LocalMessage } from '../../core/diff.js';
import { diffCommit, planCommit, remoteId, type CommitPlan } from '../../core/commit-plan.js';
import type { MessageState } from '../../core/message-state.js';
import type { ChangeCounts, CommitInput, CommitResult, SyncCommit, SyncLabel } from '../../app/ports/sync-commit.js';
import type { MailboxStatus } from '../../app/ports/mailboxes.js';
import { cursorFields, leaseLost } from '../sync-commit-shared.js';
import { newId, type IdGenerator } from '../system/ids.js';
import { EventLog } from './event-log.js';
import { MESSAGE_COLUMNS, rowToLocal, type MessageRow } from './message-rows.js';

export type { CommitInput, CommitResult };

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

  /** Epoch check → snapshot → plan (src/core/commit-plan.ts) → writes → events → cursor, fenced by the epoch. */
  private commitInTransaction(input: CommitInput): CommitResult {
    const mailboxId = input.mailbox.id;
    const current = this.checkEpoch(mailboxId, input.epoch);
    const locals = this.loadLocal(mailboxId, input.remote.map(remoteId));
    const unmarked = input.sweepUnmarked ? (this.statements.unmarked.all(mailboxId, input.sweepUnmarked) as MessageRow[]).map(rowToLocal) : [];
    const diff = diffCommit(input, { locals, unmarked });
    const snapshot = { status: current.status, ...this.loadThreads(mailboxId, [...diff.threads]) };
    const plan = planCommit(input, diff, snapshot, this.ids);
    this.apply(mailboxId, plan, input);
    const events = this.log.append(plan.drafts, input.mailbox, input.now);
    this.moveCursor(input, plan.counts);
    return { ...plan.counts, events };
  }

  /** The mailbox's status, if `epoch` is still its lease epoch; lease_lost otherwise. */
  private checkEpoch(mailboxId: string, epoch: number): { status: MailboxStatus } {
    const current = this.statements.epoch.get(mailboxId) as { epoch: number; status: MailboxStatus } | undefined;
    if (!current) throw new MailmonError('mailbox_not_found', `Mailbox ${mailboxId} no longer exists.`);
    if (current.epoch !== epoch) throw leaseLost(mailboxId, epoch, current.epoch);
    return current;
  }

  /** Every stored message of these threads, and their thread ids. */
  private loadThreads(mailboxId: string, providerThreadIds: string[]): { threadMessages: LocalMessage[]; threadIds: Map<string, string> } {
    const threadMessages: LocalMessage[] = [];
    const threadIds = new Map<string, string>();
    for (let offset = 0; offset < providerThreadIds.length; offset += 500) {
      const chunk = providerThreadIds.slice(offset, offset + 500);
      const marks = chunk.map(() => '?').join(',');
      const rows = this.sqlite.prepare(`select ${MESSAGE_COLUMNS} from messages where mailbox_id = ? and provider_thread_id in (${marks})`).all(mailboxId, ...chunk) as MessageRow[];
      threadMessages.push(...rows.map(rowToLocal));
      const threads = this.sqlite.prepare(`select id, provider_thread_id as providerThreadId from threads where mailbox_id = ? and provider_thread_id in (${marks})`).all(mailboxId, ...chunk) as Array<{ id: string; providerThreadId: string }>;
      for (const thread of threads) threadIds.set(thread.providerThreadId, thread.id);
    }
    return { threadMessages, threadIds };
  }

  private apply(mailboxId: string, plan: CommitPlan, input: CommitInput): void {
    const mark = input.mark ?? null;
    for (const messageId of plan.marks) this.statements.markMessage.run(mark, messageId);
    for (const message of plan.inserts) this.insertMessage(mailboxId, message, message.state, mark, input.now);
    for (const { messageId, threadId, state } of plan.updates) {
      this.statements.updateMessage.run(JSON.stringify(state.labelIds), state.snippet, state.historyId, state.providerThreadId, threadId, mark, input.now, messageId);
    }
    for (const messageId of plan.deletes) this.statements.deleteMessage.run(messageId);
    for (const { threadId, state } of plan.threadUpserts) {
      this.statements.upsertThread.run(threadId, mailboxId, state.providerThreadId, state.subject, state.snippet, state.messageCount, JSON.stringify(state.labelIds), state.lastMessageAt, state.historyId, input.now);
    }
    for (const providerThreadId of plan.threadDeletes) this.statements.deleteThread.run(mailboxId, providerThreadId);
  }

  /** Cursor, checkpoint and status, conditional on the epoch once more. */
  private moveCursor(input: CommitInput, counts: ChangeCounts): void {
    const fields = cursorFields(input, counts);
    const sets = ['updated_at = ?'];
    const params: unknown[] = [input.now];
    if (fields.historyId !== undefined) {
      sets.push('history_id = ?');
      params.push(fields.historyId);
    }
    if (fields.checkpoint !== undefined) {
      sets.push('full_sync_checkpoint = ?');
      params.push(fields.checkpoint === null ? null : JSON.stringify(fields.checkpoint));
    }
    if (fields.status) {
      sets.push('status = ?', 'status_reason = ?');
      params.push(fields.status.to, fields.status.reason);
    }
    const updated = this.sqlite.prepare(`update mailboxes set ${sets.join(', ')} where id = ? and lease_epoch = ?`).run(...params, input.mailbox.id, input.epoch);
    if (updated.changes !== 1) throw leaseLost(input.mailbox.id, input.epoch);
  }

  private insertMessage(mailboxId: string, ids: { messageId: string; threadId: string }, state: MessageState, mark: string | null, now: number): void {
    this.statements.insertMessage.run(
      ids.messageId, mailboxId, state.providerMessageId, ids.threadId, state.providerThreadId, JSON.stringify(state.labelIds), state.subject,
      state.from ? JSON.stringify(state.from) : null, JSON.stringify(state.to), JSON.stringify(state.cc), state.dateHeader, state.messageIdHeader,
      state.inReplyTo, state.references, state.snippet, state.internalDate, state.sizeEstimate, state.historyId, state.attachmentCount,
      JSON.stringify(state.attachmentNames), mark, now, now,
    );
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
