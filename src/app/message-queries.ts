/** Read-only queries over the local canonical state: messages and threads. */
import type Database from 'better-sqlite3';
import { MailmonError } from '../core/errors.js';
import { summarize } from '../core/message-state.js';
import type { MessageSummary } from '../core/events.js';
import { MailboxRepository } from '../adapters/sqlite/mailbox-repository.js';
import { rowToLocal } from '../adapters/sqlite/sync-store.js';

export interface MessageQuery {
  mailbox?: string;
  label?: string;
  thread?: string;
  limit: number;
}

export interface MessageView extends MessageSummary {
  /** The message's own id (the same as messageId, which event payloads use). */
  id: string;
  mailboxId: string;
  historyId: string | null;
  sizeEstimate: number | null;
  attachmentNames: string[];
  messageIdHeader: string | null;
  inReplyTo: string | null;
}

const COLUMNS = `m.id, m.thread_id as threadId, m.mailbox_id as mailboxId, m.provider_message_id as providerMessageId, m.provider_thread_id as providerThreadId,
  m.label_ids as labelIds, m.subject, m.from_address as fromAddress, m.to_addresses as toAddresses, m.cc_addresses as ccAddresses,
  m.date_header as dateHeader, m.message_id_header as messageIdHeader, m.in_reply_to as inReplyTo, m."references" as "references",
  m.snippet, m.internal_date as internalDate, m.size_estimate as sizeEstimate, m.history_id as historyId,
  m.attachment_count as attachmentCount, m.attachment_names as attachmentNames`;

function toView(row: Parameters<typeof rowToLocal>[0] & { mailboxId: string }): MessageView {
  const local = rowToLocal(row);
  return {
    id: local.messageId,
    ...summarize(local.state, { messageId: local.messageId, threadId: local.threadId }),
    mailboxId: row.mailboxId,
    historyId: local.state.historyId,
    sizeEstimate: local.state.sizeEstimate,
    attachmentNames: local.state.attachmentNames,
    messageIdHeader: local.state.messageIdHeader,
    inReplyTo: local.state.inReplyTo,
  };
}

export function listMessages(sqlite: Database.Database, query: MessageQuery): MessageView[] {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (query.mailbox) {
    clauses.push('m.mailbox_id = ?');
    params.push(new MailboxRepository(sqlite).resolve(query.mailbox).id);
  }
  if (query.label) {
    clauses.push('exists (select 1 from json_each(m.label_ids) where value = ?)');
    params.push(query.label);
  }
  if (query.thread) {
    clauses.push('(m.thread_id = ? or m.provider_thread_id = ?)');
    params.push(query.thread, query.thread);
  }
  const where = clauses.length > 0 ? `where ${clauses.join(' and ')}` : '';
  const rows = sqlite.prepare(`select ${COLUMNS} from messages m ${where} order by m.internal_date desc, m.id desc limit ?`).all(...params, query.limit);
  return (rows as Array<Parameters<typeof toView>[0]>).map(toView);
}

export function showMessage(sqlite: Database.Database, id: string): MessageView {
  const row = sqlite.prepare(`select ${COLUMNS} from messages m where m.id = ? or m.provider_message_id = ? limit 1`).get(id, id);
  if (!row) throw new MailmonError('not_found', `No message "${id}" in the local store.`, { hint: 'Use an id from "mailmon messages list" (msg_… or Gmail\'s id).' });
  return toView(row as Parameters<typeof toView>[0]);
}

export interface ThreadView {
  /** The thread's own id (the same as threadId, kept for the message objects that name it). */
  id: string;
  threadId: string;
  mailboxId: string;
  providerThreadId: string;
  subject: string | null;
  snippet: string | null;
  messageCount: number;
  labelIds: string[];
  lastMessageAt: string | null;
}

const THREAD_COLUMNS = `t.id as id, t.id as threadId, t.mailbox_id as mailboxId, t.provider_thread_id as providerThreadId, t.subject, t.snippet,
  t.message_count as messageCount, t.label_ids as labelIds, t.last_message_at as lastMessageAt`;

function toThreadView(row: Omit<ThreadView, 'labelIds' | 'lastMessageAt'> & { labelIds: string; lastMessageAt: number | null }): ThreadView {
  return { ...row, labelIds: JSON.parse(row.labelIds) as string[], lastMessageAt: row.lastMessageAt ? new Date(row.lastMessageAt).toISOString() : null };
}

export function listThreads(sqlite: Database.Database, query: Omit<MessageQuery, 'thread'>): ThreadView[] {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (query.mailbox) {
    clauses.push('t.mailbox_id = ?');
    params.push(new MailboxRepository(sqlite).resolve(query.mailbox).id);
  }
  if (query.label) {
    clauses.push('exists (select 1 from json_each(t.label_ids) where value = ?)');
    params.push(query.label);
  }
  const where = clauses.length > 0 ? `where ${clauses.join(' and ')}` : '';
  const rows = sqlite.prepare(`select ${THREAD_COLUMNS} from threads t ${where} order by t.last_message_at desc, t.id desc limit ?`).all(...params, query.limit);
  return (rows as Array<Parameters<typeof toThreadView>[0]>).map(toThreadView);
}

export function showThread(sqlite: Database.Database, id: string): ThreadView & { messages: MessageView[] } {
  const row = sqlite.prepare(`select ${THREAD_COLUMNS} from threads t where t.id = ? or t.provider_thread_id = ? limit 1`).get(id, id);
  if (!row) throw new MailmonError('not_found', `No thread "${id}" in the local store.`, { hint: 'Use an id from "mailmon threads list" (thr_… or Gmail\'s id).' });
  const thread = toThreadView(row as Parameters<typeof toThreadView>[0]);
  const messages = (sqlite.prepare(`select ${COLUMNS} from messages m where m.mailbox_id = ? and m.provider_thread_id = ? order by m.internal_date`).all(thread.mailboxId, thread.providerThreadId) as Array<Parameters<typeof toView>[0]>).map(toView);
  return { ...thread, messages };
}
