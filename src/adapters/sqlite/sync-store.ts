/**
 * Commits one unit of sync work — message state, derived thread state, the events describing
 * the change, and the cursor/checkpoint — in ONE SQLite transaction (principle 3), and only if
 * the caller still holds the mailbox's lease epoch (principle 4: a stale holder's commit throws
 * lease_lost and changes nothing). Diffing happens inside the transaction against the rows as
 * they are, so re-applying the same truth writes no event (principle 5).
 */
import type Database from 'better-sqlite3';
import { MailmonError } from '../../core/errors.js';
import { diffMessage, messageEvent, resyncedEvent, statusChangedEvent, threadEvent, type EventDraft, type LocalMessage, type MessageChange, type RemoteMessage } from '../../core/diff.js';
import type { MailboxResyncedData } from '../../core/events.js';
import type { MessageState } from '../../core/message-state.js';
import { deriveThread, threadChanged, type ThreadState } from '../../core/threads.js';
import type { IdGenerator } from '../system/ids.js';
import { EventLog, type StoredEvent } from './event-log.js';
import { MESSAGE_COLUMNS, rowToLocal, type MessageRow } from './message-rows.js';
import type { FullSyncCheckpoint, MailboxStatus } from './mailbox-repository.js';

export interface CommitInput {
  mailbox: { id: string; emailAddress: string };
  epoch: number;
  remote: readonly RemoteMessage[];
  emitEvents: boolean;
  /** Full sync: stamp every present remote message with this mark. */
  mark?: string;
  /** Full sync end: delete every message of the mailbox not stamped with this mark. */
  sweepUnmarked?: string;
  /** undefined leaves the cursor as is. */
  cursor?: string;
  /** undefined leaves it; null clears it; a function builds it from this commit's counts. */
  checkpoint?: FullSyncCheckpoint | null | ((counts: { created: number; updated: number; deleted: number }) => FullSyncCheckpoint);
  status?: { to: MailboxStatus; reason: string | null };
  resynced?: Omit<MailboxResyncedData, 'created' | 'updated' | 'deleted'> & { counts: { created: number; updated: number; deleted: number } };
}

export interface CommitResult {
  created: number;
  updated: number;
  deleted: number;
  events: StoredEvent[];
}

export class SyncStore {
  private readonly log: EventLog;
  private readonly statements: Record<string, Database.Statement>;

  constructor(private readonly sqlite: Database.Database, private readonly ids: IdGenerator, private readonly now: () => number) {
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
    const now = this.now();
    const mailboxId = input.mailbox.id;
    const current = this.statements.epoch.get(mailboxId) as { epoch: number; status: MailboxStatus; historyId: string | null } | undefined;
    if (!current) throw new MailmonError('mailbox_not_found', `Mailbox ${mailboxId} no longer exists.`);
    if (current.epoch !== input.epoch) {
      throw new MailmonError('lease_lost', `Lost the lease on mailbox ${mailboxId} (epoch ${input.epoch}, now ${current.epoch}); nothing was committed.`, {
        hint: 'Another mailmon took over this mailbox; it carries on from here.',
      });
    }

    const remoteIds = input.remote.map((remote) => (remote.kind === 'present' ? remote.state.providerMessageId : remote.providerMessageId));
    const locals = this.loadLocal(mailboxId, remoteIds);
    const changes: Array<{ change: MessageChange; local?: LocalMessage }> = [];
    for (const remote of input.remote) {
      const id = remote.kind === 'present' ? remote.state.providerMessageId : remote.providerMessageId;
      const local = locals.get(id);
      const change = diffMessage(local, remote);
      if (change) changes.push({ change, local });
      else if (local && input.mark) this.statements.markMessage.run(input.mark, local.messageId);
    }
    if (input.sweepUnmarked) {
      for (const row of this.statements.unmarked.all(mailboxId, input.sweepUnmarked) as MessageRow[]) {
        changes.push({ change: { kind: 'deleted', before: rowToLocal(row) } });
      }
    }

    // Threads touched by this commit: their derived state before any write.
    const touchedThreads = new Set<string>();
    for (const { change } of changes) {
      if (change.kind !== 'created') touchedThreads.add(change.before.state.providerThreadId);
      if (change.kind !== 'deleted') touchedThreads.add(change.after.providerThreadId);
    }
    const threadsBefore = new Map<string, ThreadState | null>();
    for (const providerThreadId of touchedThreads) threadsBefore.set(providerThreadId, this.deriveStoredThread(mailboxId, providerThreadId));

    const threadIds = new Map<string, string>();
    const threadIdFor = (providerThreadId: string): string => {
      let id = threadIds.get(providerThreadId);
      if (!id) {
        id = (this.statements.threadRow.get(mailboxId, providerThreadId) as { id: string } | undefined)?.id ?? this.ids('thr');
        threadIds.set(providerThreadId, id);
      }
      return id;
    };

    const drafts: EventDraft[] = [];
    const counts = { created: 0, updated: 0, deleted: 0 };
    const newEventId = () => this.ids('evt');
    for (const { change } of changes) {
      let ids: { messageId: string; threadId: string };
      if (change.kind === 'created') {
        ids = { messageId: this.ids('msg'), threadId: threadIdFor(change.after.providerThreadId) };
        this.insertMessage(mailboxId, ids, change.after, input.mark ?? null, now);
        counts.created += 1;
      } else if (change.kind === 'updated') {
        ids = { messageId: change.before.messageId, threadId: threadIdFor(change.after.providerThreadId) };
        this.statements.updateMessage.run(JSON.stringify(change.after.labelIds), change.after.snippet, change.after.historyId, change.after.providerThreadId, ids.threadId, input.mark ?? null, now, ids.messageId);
        if (change.labelsChanged) counts.updated += 1;
      } else {
        ids = { messageId: change.before.messageId, threadId: change.before.threadId };
        this.statements.deleteMessage.run(change.before.messageId);
        counts.deleted += 1;
      }
      if (input.emitEvents) {
        const draft = messageEvent(mailboxId, change, ids, newEventId);
        if (draft) drafts.push(draft);
      }
    }

    // Derive each touched thread again; write it, and describe it once if it really changed.
    for (const providerThreadId of touchedThreads) {
      const before = threadsBefore.get(providerThreadId) ?? null;
      const after = this.deriveStoredThread(mailboxId, providerThreadId);
      const threadId = threadIdFor(providerThreadId);
      if (after) {
        this.statements.upsertThread.run(threadId, mailboxId, providerThreadId, after.subject, after.snippet, after.messageCount, JSON.stringify(after.labelIds), after.lastMessageAt, after.historyId, now);
      } else {
        this.statements.deleteThread.run(mailboxId, providerThreadId);
      }
      if (input.emitEvents && threadChanged(before, after)) drafts.push(threadEvent(mailboxId, threadId, before, after, newEventId));
    }
    // Order within a thread holds by construction: its message events above, its thread.updated here.

    if (input.resynced) {
      const total = { created: input.resynced.counts.created + counts.created, updated: input.resynced.counts.updated + counts.updated, deleted: input.resynced.counts.deleted + counts.deleted };
      drafts.push(resyncedEvent(mailboxId, { reason: input.resynced.reason, previousHistoryId: input.resynced.previousHistoryId, historyId: input.resynced.historyId, ...total }, newEventId));
    }
    if (input.status && input.status.to !== current.status) {
      drafts.push(statusChangedEvent(mailboxId, { previousStatus: current.status, status: input.status.to, reason: input.status.reason }, newEventId));
    }

    const events = this.log.append(drafts, input.mailbox, now);
    const sets = ['updated_at = ?'];
    const params: unknown[] = [now];
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
    const updated = this.sqlite.prepare(`update mailboxes set ${sets.join(', ')} where id = ? and lease_epoch = ?`).run(...params, mailboxId, input.epoch);
    if (updated.changes !== 1) throw new MailmonError('lease_lost', `Lost the lease on mailbox ${mailboxId}; nothing was committed.`);
    return { ...counts, events };
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
  replaceLabels(mailboxId: string, labels: ReadonlyArray<{ id: string; name: string; type: string }>): void {
    const now = this.now();
    this.sqlite.transaction(() => {
      this.sqlite.prepare('delete from labels where mailbox_id = ?').run(mailboxId);
      const insert = this.sqlite.prepare('insert into labels (mailbox_id, id, name, type, updated_at) values (?, ?, ?, ?, ?)');
      for (const label of labels) insert.run(mailboxId, label.id, label.name, label.type, now);
    }).immediate();
  }

  knownLabelIds(mailboxId: string): Set<string> {
    return new Set((this.sqlite.prepare('select id from labels where mailbox_id = ?').all(mailboxId) as Array<{ id: string }>).map((row) => row.id));
  }
}
