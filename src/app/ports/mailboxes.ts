/** The mailbox registry: connected Gmail accounts, their status, cursor and fencing epoch. */
export type MailboxStatus = 'pending' | 'active' | 'reauth_required' | 'paused';

export interface MailboxRow {
  id: string;
  emailAddress: string;
  name: string | null;
  status: MailboxStatus;
  statusReason: string | null;
  historyId: string | null;
  fullSyncCheckpoint: FullSyncCheckpoint | null;
  leaseEpoch: number;
  gmailApiUrl: string | null;
  oauthUrl: string | null;
  scope: string | null;
  lastSyncAt: number | null;
  lastSuccessAt: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface FullSyncCheckpoint {
  /** getProfile historyId read before listing: the cursor once the full sync completes. */
  h0: string;
  /** Next messages.list page to process (null = first page). */
  pageToken: string | null;
  /** Every message seen by this full sync is stamped with this mark; unmarked ones are swept. */
  mark: string;
  emitEvents: boolean;
  reason: 'initial' | 'requested' | 'history_expired';
  previousHistoryId: string | null;
  processed: number;
  total: number;
  counts: { created: number; updated: number; deleted: number };
  startedAt: number;
}

export interface Mailboxes {
  /** Oldest first. */
  list(): Promise<MailboxRow[]>;
  get(id: string): Promise<MailboxRow | undefined>;
  /** Case-insensitive. */
  findByAddress(emailAddress: string): Promise<MailboxRow | undefined>;
  /** A new mailbox, status `pending`. */
  insert(row: Pick<MailboxRow, 'id' | 'emailAddress' | 'name' | 'gmailApiUrl' | 'oauthUrl' | 'scope'>, now: number): Promise<void>;
  updateConnection(id: string, fields: Pick<MailboxRow, 'gmailApiUrl' | 'oauthUrl' | 'scope'> & { name?: string | null }, now: number): Promise<void>;
  /** Bumps and returns the fencing epoch (a new lease holder); mailbox_not_found when absent. */
  bumpLeaseEpoch(id: string): Promise<number>;
  /**
   * Changes the status and appends its mailbox.status_changed event in ONE transaction.
   * false (and no event) when the status already is that.
   */
  setStatus(id: string, status: MailboxStatus, reason: string | null, deps: { now: number; newEventId: () => string }): Promise<boolean>;
  recordSyncAttempt(id: string, outcome: { at: number; error: string | null }): Promise<void>;
  messageCount(id: string): Promise<number>;
  /** Deletes the mailbox and everything that belongs to it. */
  delete(id: string): Promise<void>;
}
