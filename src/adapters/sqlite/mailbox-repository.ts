/** Mailboxes: creation/re-activation, lookup by id or address, status changes with their event. */
import type Database from 'better-sqlite3';
import { MailmonError } from '../../core/errors.js';
import { statusChangedEvent } from '../../core/event-drafts.js';
import { resolveMailboxRef } from '../../core/mailbox-ref.js';
import { EventLog } from './event-log.js';

import type { FullSyncCheckpoint, MailboxRow, MailboxStatus } from '../../app/ports/mailboxes.js';

export type { FullSyncCheckpoint, MailboxRow, MailboxStatus };

const COLUMNS = `id, email_address as emailAddress, name, status, status_reason as statusReason, history_id as historyId,
  full_sync_checkpoint as fullSyncCheckpoint, lease_epoch as leaseEpoch, gmail_api_url as gmailApiUrl, oauth_url as oauthUrl,
  scope, last_sync_at as lastSyncAt, last_success_at as lastSuccessAt, last_error as lastError, created_at as createdAt, updated_at as updatedAt`;

function hydrate(row: (Omit<MailboxRow, 'fullSyncCheckpoint'> & { fullSyncCheckpoint: string | null }) | undefined): MailboxRow | undefined {
  if (!row) return undefined;
  return { ...row, fullSyncCheckpoint: row.fullSyncCheckpoint ? (JSON.parse(row.fullSyncCheckpoint) as FullSyncCheckpoint) : null };
}

export class MailboxRepository {
  constructor(private readonly sqlite: Database.Database) {}

  list(): MailboxRow[] {
    return (this.sqlite.prepare(`select ${COLUMNS} from mailboxes order by created_at`).all() as Parameters<typeof hydrate>[0][]).map((row) => hydrate(row)!);
  }

  get(id: string): MailboxRow | undefined {
    return hydrate(this.sqlite.prepare(`select ${COLUMNS} from mailboxes where id = ?`).get(id) as Parameters<typeof hydrate>[0]);
  }

  findByAddress(emailAddress: string): MailboxRow | undefined {
    return hydrate(this.sqlite.prepare(`select ${COLUMNS} from mailboxes where email_address = ? collate nocase`).get(emailAddress) as Parameters<typeof hydrate>[0]);
  }

  /** Resolves a user's MAILBOX argument: an id, an address, or (when absent) the only mailbox. */
  resolve(ref: string | undefined): MailboxRow {
    return resolveMailboxRef(this.list(), ref);
  }

  insert(row: Pick<MailboxRow, 'id' | 'emailAddress' | 'name' | 'gmailApiUrl' | 'oauthUrl' | 'scope'>, now: number): void {
    this.sqlite
      .prepare(`insert into mailboxes (id, email_address, name, status, gmail_api_url, oauth_url, scope, created_at, updated_at) values (?, ?, ?, 'pending', ?, ?, ?, ?, ?)`)
      .run(row.id, row.emailAddress, row.name, row.gmailApiUrl, row.oauthUrl, row.scope, now, now);
  }

  updateConnection(id: string, fields: Pick<MailboxRow, 'gmailApiUrl' | 'oauthUrl' | 'scope'> & { name?: string | null }, now: number): void {
    this.sqlite
      .prepare('update mailboxes set gmail_api_url = ?, oauth_url = ?, scope = ?, name = coalesce(?, name), updated_at = ? where id = ?')
      .run(fields.gmailApiUrl, fields.oauthUrl, fields.scope, fields.name ?? null, now, id);
  }

  bumpLeaseEpoch(id: string): number {
    const row = this.sqlite.prepare('update mailboxes set lease_epoch = lease_epoch + 1 where id = ? returning lease_epoch as epoch').get(id) as { epoch: number } | undefined;
    if (!row) throw new MailmonError('mailbox_not_found', `No mailbox "${id}".`, { hint: 'Run "mailmon mailboxes" to list them.' });
    return row.epoch;
  }

  /**
   * Changes a mailbox's status and appends its mailbox.status_changed event in ONE transaction.
   * No-op (and no event) when the status is already that.
   */
  setStatus(id: string, status: MailboxStatus, reason: string | null, deps: { now: number; newEventId: () => string }): boolean {
    const log = new EventLog(this.sqlite);
    return this.sqlite.transaction(() => {
      const mailbox = this.get(id);
      if (!mailbox) throw new MailmonError('mailbox_not_found', `No mailbox "${id}".`);
      if (mailbox.status === status) return false;
      this.sqlite.prepare('update mailboxes set status = ?, status_reason = ?, updated_at = ? where id = ?').run(status, reason, deps.now, id);
      log.append([statusChangedEvent(id, { previousStatus: mailbox.status, status, reason }, deps.newEventId)], mailbox, deps.now);
      return true;
    }).immediate();
  }

  recordSyncAttempt(id: string, outcome: { at: number; error: string | null }): void {
    if (outcome.error === null) {
      this.sqlite.prepare('update mailboxes set last_sync_at = ?, last_success_at = ?, last_error = null where id = ?').run(outcome.at, outcome.at, id);
    } else {
      this.sqlite.prepare('update mailboxes set last_sync_at = ?, last_error = ? where id = ?').run(outcome.at, outcome.error, id);
    }
  }

  messageCount(id: string): number {
    return (this.sqlite.prepare('select count(*) as n from messages where mailbox_id = ?').get(id) as { n: number }).n;
  }

  delete(id: string): void {
    this.sqlite.prepare('delete from mailboxes where id = ?').run(id);
  }
}
