/**
 * The Mailboxes port on PostgreSQL (src/app/ports/mailboxes.ts). A status change and its
 * mailbox.status_changed event commit together; the event is appended under the event log's
 * lock (pg-event-log.ts), so it is gap-free for readers like every other event.
 */
import { MailmonError } from '../../core/errors.js';
import { statusChangedEvent } from '../../core/event-drafts.js';
import type { FullSyncCheckpoint, MailboxRow, MailboxStatus, Mailboxes } from '../../app/ports/mailboxes.js';
import { appendEvents } from './pg-event-log.js';
import { inTransaction, num, query, type PgHandle } from './pg-transaction.js';

const COLUMNS = `id, email_address, name, status, status_reason, history_id, full_sync_checkpoint, lease_epoch, gmail_api_url, oauth_url,
  scope, last_sync_at, last_success_at, last_error, created_at, updated_at`;

interface Row {
  id: string;
  email_address: string;
  name: string | null;
  status: MailboxStatus;
  status_reason: string | null;
  history_id: string | null;
  full_sync_checkpoint: FullSyncCheckpoint | null;
  lease_epoch: string;
  gmail_api_url: string | null;
  oauth_url: string | null;
  scope: string | null;
  last_sync_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

function toMailbox(row: Row): MailboxRow {
  return {
    id: row.id, emailAddress: row.email_address, name: row.name, status: row.status, statusReason: row.status_reason, historyId: row.history_id,
    fullSyncCheckpoint: row.full_sync_checkpoint, leaseEpoch: num(row.lease_epoch), gmailApiUrl: row.gmail_api_url, oauthUrl: row.oauth_url, scope: row.scope,
    lastSyncAt: num(row.last_sync_at), lastSuccessAt: num(row.last_success_at), lastError: row.last_error, createdAt: num(row.created_at), updatedAt: num(row.updated_at),
  };
}

function notFound(id: string): MailmonError {
  return new MailmonError('mailbox_not_found', `No mailbox "${id}".`, { hint: 'Run "mailmon mailboxes" to list them.' });
}

export function postgresMailboxes(store: PgHandle): Mailboxes {
  const one = async (where: string, value: string) => {
    const rows = await query<Row>(store, `select ${COLUMNS} from mailboxes where ${where}`, [value]);
    return rows.rows[0] ? toMailbox(rows.rows[0]) : undefined;
  };
  return {
    list: async () => (await query<Row>(store, `select ${COLUMNS} from mailboxes order by created_at, id`)).rows.map(toMailbox),
    get: (id) => one('id = $1', id),
    findByAddress: (emailAddress) => one('lower(email_address) = lower($1)', emailAddress),
    async insert(row, now) {
      await query(store, `insert into mailboxes (id, email_address, name, status, gmail_api_url, oauth_url, scope, created_at, updated_at) values ($1, $2, $3, 'pending', $4, $5, $6, $7, $7)`,
        [row.id, row.emailAddress, row.name, row.gmailApiUrl, row.oauthUrl, row.scope, now]);
    },
    async updateConnection(id, fields, now) {
      await query(store, 'update mailboxes set gmail_api_url = $1, oauth_url = $2, scope = $3, name = coalesce($4, name), updated_at = $5 where id = $6',
        [fields.gmailApiUrl, fields.oauthUrl, fields.scope, fields.name ?? null, now, id]);
    },
    async bumpLeaseEpoch(id) {
      const rows = await query<{ epoch: string }>(store, 'update mailboxes set lease_epoch = lease_epoch + 1 where id = $1 returning lease_epoch as epoch', [id]);
      if (!rows.rows[0]) throw notFound(id);
      return num(rows.rows[0].epoch);
    },
    setStatus: (id, status, reason, deps) => inTransaction(store, async (client) => {
      const rows = await client.query<{ status: MailboxStatus; email_address: string }>('select status, email_address from mailboxes where id = $1 for update', [id]);
      const mailbox = rows.rows[0];
      if (!mailbox) throw notFound(id);
      if (mailbox.status === status) return false;
      await client.query('update mailboxes set status = $1, status_reason = $2, updated_at = $3 where id = $4', [status, reason, deps.now, id]);
      await appendEvents(client, [statusChangedEvent(id, { previousStatus: mailbox.status, status, reason }, deps.newEventId)], { id, emailAddress: mailbox.email_address }, deps.now);
      return true;
    }),
    async recordSyncAttempt(id, outcome) {
      if (outcome.error === null) await query(store, 'update mailboxes set last_sync_at = $1, last_success_at = $1, last_error = null where id = $2', [outcome.at, id]);
      else await query(store, 'update mailboxes set last_sync_at = $1, last_error = $2 where id = $3', [outcome.at, outcome.error, id]);
    },
    messageCount: async (id) => Number((await query<{ n: string }>(store, 'select count(*) as n from messages where mailbox_id = $1', [id])).rows[0].n),
    delete: (id) => inTransaction(store, async (client) => {
      await client.query('delete from events where mailbox_id = $1', [id]);
      await client.query('delete from mailboxes where id = $1', [id]);
    }),
  };
}
