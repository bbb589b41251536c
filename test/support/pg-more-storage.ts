/**
 * The PostgreSQL ports built on this branch, on one store, for tests: PushWatches,
 * CredentialEnvelopes, ApiKeys, Consumers, ChangeNotifier, Messages, Retention, StoreHealth.
 * The suites also set up data through Mailboxes, EventLog and the sync commit, whose PostgreSQL
 * implementations are not on this branch: stand-ins write the same rows directly (a status
 * change appends its event at max(sequence) + 1 under the event log's advisory lock, like the
 * real appender; seeded messages get their thread rows derived in SQL).
 */
import crypto from 'node:crypto';
import type pg from 'pg';
import type { EventLog } from '../../src/app/ports/event-log.js';
import type { MailboxRow, Mailboxes } from '../../src/app/ports/mailboxes.js';
import type { Storage } from '../../src/app/ports/storage.js';
import type { PostgresStore } from '../../src/adapters/postgres/database.js';
import { ADVISORY_NAMESPACE } from '../../src/adapters/postgres/advisory-locks.js';
import { postgresApiKeys } from '../../src/adapters/postgres/pg-api-keys.js';
import { postgresChangeNotifier, type PostgresChangeNotifier } from '../../src/adapters/postgres/pg-change-notifier.js';
import { postgresConsumers } from '../../src/adapters/postgres/pg-consumers.js';
import { postgresCredentialEnvelopes } from '../../src/adapters/postgres/pg-credential-envelopes.js';
import { postgresMessages } from '../../src/adapters/postgres/pg-messages.js';
import { postgresPushWatches } from '../../src/adapters/postgres/pg-push-watches.js';
import { postgresRetention } from '../../src/adapters/postgres/pg-retention.js';
import { postgresStoreHealth } from '../../src/adapters/postgres/pg-store-health.js';
import type { MessageState } from '../../src/core/message-state.js';

/** The event log's advisory-lock key (the real appender's, on the branch that has it). */
const EVENT_LOG_LOCK = 2;

const MAILBOX_SELECT = `select id, email_address as "emailAddress", name, status, lease_epoch::int as "leaseEpoch" from mailboxes`;

function mailboxRows(pool: pg.Pool): Pick<Mailboxes, 'insert' | 'get' | 'list' | 'delete' | 'setStatus'> {
  return {
    async insert(row, now) {
      await pool.query('insert into mailboxes (id, email_address, name, created_at, updated_at) values ($1, $2, $3, $4, $4)', [row.id, row.emailAddress, row.name, now]);
    },
    get: async (id) => (await pool.query<MailboxRow>(`${MAILBOX_SELECT} where id = $1`, [id])).rows[0],
    list: async () => (await pool.query<MailboxRow>(`${MAILBOX_SELECT} order by created_at, id`)).rows,
    async delete(id) {
      await pool.query('delete from mailboxes where id = $1', [id]);
    },
    async setStatus(id, status, reason, deps) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const changed = await client.query('update mailboxes set status = $1, status_reason = $2, updated_at = $3 where id = $4 and status <> $1', [status, reason, deps.now, id]);
        if (changed.rowCount === 1) {
          await client.query('select pg_advisory_xact_lock($1, $2)', [ADVISORY_NAMESPACE, EVENT_LOG_LOCK]);
          await client.query(`insert into events (sequence, id, type, mailbox_id, ordering_key, occurred_at, body)
            select coalesce(max(sequence), 0) + 1, $1, 'mailbox.status_changed', $2, $3, $4, '{}' from events`, [deps.newEventId(), id, `mailbox:${id}`, deps.now]);
        }
        await client.query('commit');
        return changed.rowCount === 1;
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

function eventRows(pool: pg.Pool): Pick<EventLog, 'head' | 'readAfter' | 'count'> {
  const columns = 'sequence::int, id, type, mailbox_id as "mailboxId", ordering_key as "orderingKey", occurred_at::float8 as "occurredAt", body';
  return {
    head: async () => Number((await pool.query<{ n: string }>('select coalesce(max(sequence), 0) as n from events')).rows[0].n),
    readAfter: async (after, limit) => (await pool.query(`select ${columns} from events where sequence > $1 order by sequence limit $2`, [after, limit])).rows,
    count: async () => Number((await pool.query<{ n: string }>('select count(*) as n from events')).rows[0].n),
  };
}

export interface PgMoreStorage extends Storage {
  changes: PostgresChangeNotifier;
}

/** Only the ports named above are real or stood in for; the cast lets the suites take it as a Storage. */
export function pgMoreStorage(store: PostgresStore): PgMoreStorage {
  return {
    mailboxes: mailboxRows(store.pool),
    events: eventRows(store.pool),
    pushWatches: postgresPushWatches(store),
    credentialEnvelopes: postgresCredentialEnvelopes(store),
    apiKeys: postgresApiKeys(store),
    consumers: postgresConsumers(store),
    changes: postgresChangeNotifier(store),
    messages: postgresMessages(store),
    retention: postgresRetention(store),
    health: postgresStoreHealth(store),
  } as unknown as PgMoreStorage;
}

/** Stores messages as the sync commit would (no events): message rows, then their threads derived from them. */
export async function seedMessages(pool: pg.Pool, mailbox: { id: string }, messages: MessageState[]): Promise<void> {
  const now = Date.now();
  for (const m of messages) {
    const threadId = (await pool.query<{ id: string }>('select id from threads where mailbox_id = $1 and provider_thread_id = $2', [mailbox.id, m.providerThreadId])).rows[0]?.id ?? `thr_${crypto.randomBytes(8).toString('hex')}`;
    await pool.query(`insert into threads (id, mailbox_id, provider_thread_id, message_count, label_ids, updated_at) values ($1, $2, $3, 0, '[]', $4) on conflict do nothing`, [threadId, mailbox.id, m.providerThreadId, now]);
    await pool.query(`insert into messages (id, mailbox_id, provider_message_id, thread_id, provider_thread_id, label_ids, subject, from_address, to_addresses, cc_addresses, date_header,
      message_id_header, in_reply_to, "references", snippet, internal_date, size_estimate, history_id, attachment_count, attachment_names, created_at, updated_at)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21)`,
    [`msg_${crypto.randomBytes(8).toString('hex')}`, mailbox.id, m.providerMessageId, threadId, m.providerThreadId, JSON.stringify(m.labelIds), m.subject, JSON.stringify(m.from), JSON.stringify(m.to), JSON.stringify(m.cc),
      m.dateHeader, m.messageIdHeader, m.inReplyTo, m.references, m.snippet, m.internalDate, m.sizeEstimate, m.historyId, m.attachmentCount, JSON.stringify(m.attachmentNames), now]);
  }
  await pool.query(`update threads t set message_count = s.n, last_message_at = s.last, label_ids = s.labels,
      subject = (select subject from messages where thread_id = t.id order by internal_date desc nulls last limit 1),
      snippet = (select snippet from messages where thread_id = t.id order by internal_date desc nulls last limit 1)
    from (select m.thread_id, count(*)::int as n, max(m.internal_date) as last,
      (select coalesce(jsonb_agg(distinct l), '[]') from messages m2, jsonb_array_elements_text(m2.label_ids) l where m2.thread_id = m.thread_id) as labels
      from messages m where m.mailbox_id = $1 group by m.thread_id) s where s.thread_id = t.id`, [mailbox.id]);
}
