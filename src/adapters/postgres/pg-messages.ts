/**
 * The Messages port on PostgreSQL (src/app/ports/messages.ts): read-only queries over `messages`
 * and `threads`, in exactly SQLite's order: newest first with NULL dates last (oldest first:
 * NULL first), ties broken by id compared bytewise (collate "C"), so pages resume identically
 * on either store.
 */
import type { LocalMessage } from '../../core/diff.js';
import type { MessageState } from '../../core/message-state.js';
import type { MessageFilter, Messages, StoredMessage, StoredThread } from '../../app/ports/messages.js';
import { num, query, type PgHandle } from './pg-transaction.js';

const COLUMNS = `m.id, m.thread_id, m.provider_message_id, m.provider_thread_id, m.label_ids, m.subject, m.from_address, m.to_addresses, m.cc_addresses,
  m.date_header, m.message_id_header, m.in_reply_to, m."references", m.snippet, m.internal_date, m.size_estimate, m.history_id, m.attachment_count,
  m.attachment_names, m.mailbox_id`;
const THREAD_COLUMNS = 't.id, t.mailbox_id, t.provider_thread_id, t.subject, t.snippet, t.message_count, t.label_ids, t.last_message_at';

interface Row {
  id: string;
  thread_id: string;
  provider_message_id: string;
  provider_thread_id: string;
  label_ids: string[];
  subject: string | null;
  from_address: MessageState['from'];
  to_addresses: MessageState['to'] | null;
  cc_addresses: MessageState['cc'] | null;
  date_header: string | null;
  message_id_header: string | null;
  in_reply_to: string | null;
  references: string | null;
  snippet: string | null;
  internal_date: string | null;
  size_estimate: string | null;
  history_id: string | null;
  attachment_count: number;
  attachment_names: string[] | null;
  mailbox_id: string;
}

interface ThreadRow {
  id: string;
  mailbox_id: string;
  provider_thread_id: string;
  subject: string | null;
  snippet: string | null;
  message_count: number;
  label_ids: string[];
  last_message_at: string | null;
}

function toMessage(row: Row): StoredMessage {
  const local: LocalMessage = {
    messageId: row.id,
    threadId: row.thread_id,
    state: {
      providerMessageId: row.provider_message_id, providerThreadId: row.provider_thread_id, labelIds: row.label_ids, subject: row.subject, from: row.from_address ?? null,
      to: row.to_addresses ?? [], cc: row.cc_addresses ?? [], dateHeader: row.date_header, messageIdHeader: row.message_id_header, inReplyTo: row.in_reply_to,
      references: row.references, snippet: row.snippet, internalDate: num(row.internal_date), sizeEstimate: num(row.size_estimate), historyId: row.history_id,
      attachmentCount: row.attachment_count, attachmentNames: row.attachment_names ?? [],
    },
  };
  return { ...local, mailboxId: row.mailbox_id };
}

function toThread(row: ThreadRow): StoredThread {
  return {
    id: row.id, mailboxId: row.mailbox_id, providerThreadId: row.provider_thread_id, subject: row.subject, snippet: row.snippet,
    messageCount: row.message_count, labelIds: row.label_ids, lastMessageAt: num(row.last_message_at),
  };
}

/** The where clause of a filter over the table aliased `alias`; parameters are numbered from $1. */
function where(alias: 'm' | 't', filter: MessageFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (n: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(clause(`$${params.length}`));
  };
  if (filter.mailboxId !== undefined) add((n) => `${alias}.mailbox_id = ${n}`, filter.mailboxId);
  if (filter.label !== undefined) add((n) => `${alias}.label_ids @> jsonb_build_array(${n}::text)`, filter.label);
  if (filter.thread !== undefined && alias === 'm') add((n) => `(m.thread_id = ${n} or m.provider_thread_id = ${n})`, filter.thread);
  return { sql: clauses.length > 0 ? `where ${clauses.join(' and ')}` : '', params };
}

export function postgresMessages(store: PgHandle): Messages {
  return {
    async list(filter, limit) {
      const { sql, params } = where('m', filter);
      const rows = await query<Row>(store, `select ${COLUMNS} from messages m ${sql}
        order by m.internal_date desc nulls last, m.id collate "C" desc limit $${params.length + 1}`, [...params, limit]);
      return rows.rows.map(toMessage);
    },
    async get(id) {
      // The message's own id first: a Gmail id never looks like one of ours, but order makes it certain.
      const rows = await query<Row>(store, `select ${COLUMNS} from messages m where m.id = $1 or m.provider_message_id = $1 order by (m.id = $1) desc limit 1`, [id]);
      return rows.rows[0] ? toMessage(rows.rows[0]) : undefined;
    },
    async listThreads(filter, limit) {
      const { sql, params } = where('t', filter);
      const rows = await query<ThreadRow>(store, `select ${THREAD_COLUMNS} from threads t ${sql}
        order by t.last_message_at desc nulls last, t.id collate "C" desc limit $${params.length + 1}`, [...params, limit]);
      return rows.rows.map(toThread);
    },
    async getThread(id) {
      const rows = await query<ThreadRow>(store, `select ${THREAD_COLUMNS} from threads t where t.id = $1 or t.provider_thread_id = $1 order by (t.id = $1) desc limit 1`, [id]);
      return rows.rows[0] ? toThread(rows.rows[0]) : undefined;
    },
    async threadMessages(mailboxId, providerThreadId) {
      const rows = await query<Row>(store, `select ${COLUMNS} from messages m where m.mailbox_id = $1 and m.provider_thread_id = $2
        order by m.internal_date nulls first, m.id collate "C"`, [mailboxId, providerThreadId]);
      return rows.rows.map(toMessage);
    },
  };
}
