/**
 * The Messages port on PostgreSQL (src/app/ports/messages.ts): read-only queries over `messages`
 * and `threads`, in exactly SQLite's order: newest first with NULL dates last (oldest first:
 * NULL first), ties broken by id compared bytewise (collate "C"), so pages resume identically
 * on either store.
 */
import type { MessageFilter, Messages, StoredMessage, StoredThread } from '../../app/ports/messages.js';
import { messageColumns, rowToLocal, type MessageRow } from './pg-message-rows.js';
import { num, query, type PgHandle } from './pg-transaction.js';

const COLUMNS = `${messageColumns('m.')}, m.mailbox_id`;
const THREAD_COLUMNS = 't.id, t.mailbox_id, t.provider_thread_id, t.subject, t.snippet, t.message_count, t.label_ids, t.last_message_at';

type Row = MessageRow & { mailbox_id: string };

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
  return { ...rowToLocal(row), mailboxId: row.mailbox_id };
}

function toThread(row: ThreadRow): StoredThread {
  return {
    id: row.id, mailboxId: row.mailbox_id, providerThreadId: row.provider_thread_id, subject: row.subject, snippet: row.snippet,
    messageCount: row.message_count, labelIds: row.label_ids, lastMessageAt: num(row.last_message_at),
  };
}

/** The list order's date (undated rows as -1, the oldest): the expression the list indexes are built on. */
function sortKey(alias: 'm' | 't'): string {
  return alias === 'm' ? 'coalesce(m.internal_date, -1)' : 'coalesce(t.last_message_at, -1)';
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
  if (filter.text !== undefined) {
    const columns = alias === 'm' ? ['m.subject', 'm.snippet', 'm.from_address::text'] : ['t.subject', 't.snippet'];
    add((n) => `(${columns.map((column) => `${column} ilike ${n} escape '\\'`).join(' or ')})`, `%${filter.text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`);
  }
  if (filter.after !== undefined) {
    // A range on the list index's leading column (a seek, not a scan of every earlier row), then
    // the row value for ties, ids compared bytewise.
    const at = sortKey(alias);
    params.push(filter.after.at, filter.after.id);
    const [position, id] = [`$${params.length - 1}::bigint`, `$${params.length}::text`];
    clauses.push(`${at} <= ${position} and (${at}, ${alias}.id collate "C") < (${position}, ${id} collate "C")`);
  }
  return { sql: clauses.length > 0 ? `where ${clauses.join(' and ')}` : '', params };
}

export function postgresMessages(store: PgHandle): Messages {
  return {
    async list(filter, limit) {
      const { sql, params } = where('m', filter);
      const rows = await query<Row>(store, `select ${COLUMNS} from messages m ${sql}
        order by ${sortKey('m')} desc, m.id collate "C" desc limit $${params.length + 1}`, [...params, limit]);
      return rows.rows.map(toMessage);
    },
    async get(id) {
      // Ours first, by primary key; only then Gmail's id (no index of its own: a scan).
      const row = (await query<Row>(store, `select ${COLUMNS} from messages m where m.id = $1`, [id])).rows[0]
        ?? (await query<Row>(store, `select ${COLUMNS} from messages m where m.provider_message_id = $1 limit 1`, [id])).rows[0];
      return row ? toMessage(row) : undefined;
    },
    async listThreads(filter, limit) {
      const { sql, params } = where('t', filter);
      const rows = await query<ThreadRow>(store, `select ${THREAD_COLUMNS} from threads t ${sql}
        order by ${sortKey('t')} desc, t.id collate "C" desc limit $${params.length + 1}`, [...params, limit]);
      return rows.rows.map(toThread);
    },
    async getThread(id) {
      const row = (await query<ThreadRow>(store, `select ${THREAD_COLUMNS} from threads t where t.id = $1`, [id])).rows[0]
        ?? (await query<ThreadRow>(store, `select ${THREAD_COLUMNS} from threads t where t.provider_thread_id = $1 limit 1`, [id])).rows[0];
      return row ? toThread(row) : undefined;
    },
    async threadMessages(mailboxId, providerThreadId) {
      const rows = await query<Row>(store, `select ${COLUMNS} from messages m where m.mailbox_id = $1 and m.provider_thread_id = $2
        order by m.internal_date nulls first, m.id collate "C"`, [mailboxId, providerThreadId]);
      return rows.rows.map(toMessage);
    },
  };
}
