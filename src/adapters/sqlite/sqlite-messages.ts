/** The Messages port on SQLite: read-only queries over `messages` and `threads`. */
import type Database from 'better-sqlite3';
import type { MessageFilter, Messages, StoredMessage, StoredThread } from '../../app/ports/messages.js';
import { messageColumns, rowToLocal, type MessageRow } from './message-rows.js';

const COLUMNS = `${messageColumns('m')}, m.mailbox_id as mailboxId`;
const THREAD_COLUMNS = `t.id as id, t.mailbox_id as mailboxId, t.provider_thread_id as providerThreadId, t.subject, t.snippet,
  t.message_count as messageCount, t.label_ids as labelIds, t.last_message_at as lastMessageAt`;

type Row = MessageRow & { mailboxId: string };
type ThreadRow = Omit<StoredThread, 'labelIds'> & { labelIds: string };

function toMessage(row: Row): StoredMessage {
  return { ...rowToLocal(row), mailboxId: row.mailboxId };
}

function toThread(row: ThreadRow): StoredThread {
  return { ...row, labelIds: JSON.parse(row.labelIds) as string[] };
}

/** The list order's date (undated rows as -1, the oldest): the expression the list indexes are built on. */
function sortKey(alias: 'm' | 't'): string {
  return alias === 'm' ? 'coalesce(m.internal_date, -1)' : 'coalesce(t.last_message_at, -1)';
}

/** The where clause of a filter over the table aliased `alias`. */
function where(alias: 'm' | 't', filter: MessageFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.mailboxId !== undefined) {
    clauses.push(`${alias}.mailbox_id = ?`);
    params.push(filter.mailboxId);
  }
  if (filter.label !== undefined) {
    clauses.push(`exists (select 1 from json_each(${alias}.label_ids) where value = ?)`);
    params.push(filter.label);
  }
  if (filter.thread !== undefined && alias === 'm') {
    clauses.push('(m.thread_id = ? or m.provider_thread_id = ?)');
    params.push(filter.thread, filter.thread);
  }
  if (filter.text !== undefined) {
    const pattern = `%${filter.text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    const columns = alias === 'm' ? ['m.subject', 'm.snippet', 'm.from_address'] : ['t.subject', 't.snippet'];
    clauses.push(`(${columns.map((column) => `${column} like ? escape '\\'`).join(' or ')})`);
    params.push(...columns.map(() => pattern));
  }
  if (filter.after !== undefined) {
    // The first conjunct is a range on the list index's leading column, so a page seeks to the
    // cursor instead of scanning every row before it; the row value then orders ties by id.
    const at = sortKey(alias);
    clauses.push(`${at} <= ? and (${at}, ${alias}.id) < (?, ?)`);
    params.push(filter.after.at, filter.after.at, filter.after.id);
  }
  return { sql: clauses.length > 0 ? `where ${clauses.join(' and ')}` : '', params };
}

/** A list query: the filtered rows of `messages` (m) or `threads` (t) in the list's order, up to `limit`. */
export function listQuery(alias: 'm' | 't', filter: MessageFilter, limit: number): { sql: string; params: unknown[] } {
  const { sql, params } = where(alias, filter);
  const [columns, table] = alias === 'm' ? [COLUMNS, 'messages'] : [THREAD_COLUMNS, 'threads'];
  return { sql: `select ${columns} from ${table} ${alias} ${sql} order by ${sortKey(alias)} desc, ${alias}.id desc limit ?`, params: [...params, limit] };
}

export function sqliteMessages(sqlite: Database.Database): Messages {
  return {
    async list(filter, limit) {
      const { sql, params } = listQuery('m', filter, limit);
      const rows = sqlite.prepare(sql).all(...params) as Row[];
      return rows.map(toMessage);
    },
    async get(id) {
      // Ours first, by primary key; only then Gmail's id (no index of its own: a scan).
      const row = (sqlite.prepare(`select ${COLUMNS} from messages m where m.id = ?`).get(id)
        ?? sqlite.prepare(`select ${COLUMNS} from messages m where m.provider_message_id = ? limit 1`).get(id)) as Row | undefined;
      return row ? toMessage(row) : undefined;
    },
    async listThreads(filter, limit) {
      const { sql, params } = listQuery('t', filter, limit);
      const rows = sqlite.prepare(sql).all(...params) as ThreadRow[];
      return rows.map(toThread);
    },
    async getThread(id) {
      const row = (sqlite.prepare(`select ${THREAD_COLUMNS} from threads t where t.id = ?`).get(id)
        ?? sqlite.prepare(`select ${THREAD_COLUMNS} from threads t where t.provider_thread_id = ? limit 1`).get(id)) as ThreadRow | undefined;
      return row ? toThread(row) : undefined;
    },
    async threadMessages(mailboxId, providerThreadId) {
      const rows = sqlite.prepare(`select ${COLUMNS} from messages m where m.mailbox_id = ? and m.provider_thread_id = ? order by m.internal_date, m.id`).all(mailboxId, providerThreadId) as Row[];
      return rows.map(toMessage);
    },
  };
}
