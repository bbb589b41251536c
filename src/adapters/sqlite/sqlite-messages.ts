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
    // Row values in the list's order (nulls last, as -1): the rows strictly after the cursor's.
    const [table, date] = alias === 'm' ? ['messages', 'internal_date'] : ['threads', 'last_message_at'];
    clauses.push(`(coalesce(${alias}.${date}, -1), ${alias}.id) < (select coalesce(${date}, -1), id from ${table} where id = ?)`);
    params.push(filter.after);
  }
  return { sql: clauses.length > 0 ? `where ${clauses.join(' and ')}` : '', params };
}

export function sqliteMessages(sqlite: Database.Database): Messages {
  return {
    async list(filter, limit) {
      const { sql, params } = where('m', filter);
      const rows = sqlite.prepare(`select ${COLUMNS} from messages m ${sql} order by m.internal_date desc, m.id desc limit ?`).all(...params, limit) as Row[];
      return rows.map(toMessage);
    },
    async get(id) {
      const row = sqlite.prepare(`select ${COLUMNS} from messages m where m.id = ? or m.provider_message_id = ? limit 1`).get(id, id) as Row | undefined;
      return row ? toMessage(row) : undefined;
    },
    async listThreads(filter, limit) {
      const { sql, params } = where('t', filter);
      const rows = sqlite.prepare(`select ${THREAD_COLUMNS} from threads t ${sql} order by t.last_message_at desc, t.id desc limit ?`).all(...params, limit) as ThreadRow[];
      return rows.map(toThread);
    },
    async getThread(id) {
      const row = sqlite.prepare(`select ${THREAD_COLUMNS} from threads t where t.id = ? or t.provider_thread_id = ? limit 1`).get(id, id) as ThreadRow | undefined;
      return row ? toThread(row) : undefined;
    },
    async threadMessages(mailboxId, providerThreadId) {
      const rows = sqlite.prepare(`select ${COLUMNS} from messages m where m.mailbox_id = ? and m.provider_thread_id = ? order by m.internal_date, m.id`).all(mailboxId, providerThreadId) as Row[];
      return rows.map(toMessage);
    },
  };
}
