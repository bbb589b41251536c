/**
 * The one atomic sync commit, and what a sync reads around it. `commit` writes message state,
 * derived thread state, the events describing the change and the cursor/checkpoint/status in ONE
 * transaction, and only while the caller still holds the mailbox's lease epoch: a stale holder's
 * commit throws lease_lost and writes nothing. Diffing happens inside that transaction against the
 * rows as they are, so re-applying the same truth writes no event.
 */
import type { LocalMessage, RemoteMessage } from '../../core/diff.js';
import type { MailboxResyncedData } from '../../core/events.js';
import type { StoredEvent } from './event-log.js';
import type { FullSyncCheckpoint, MailboxStatus } from './mailboxes.js';

export interface ChangeCounts {
  created: number;
  updated: number;
  deleted: number;
}

export interface CommitInput {
  mailbox: { id: string; emailAddress: string };
  /** The lease epoch the caller holds: the commit happens only if it is still the mailbox's. */
  epoch: number;
  remote: readonly RemoteMessage[];
  emitEvents: boolean;
  /** The commit's time: rows' updated_at and the events' occurredAt. */
  now: number;
  /** Full sync: stamp every present remote message with this mark. */
  mark?: string;
  /** Full sync end: delete every message of the mailbox not stamped with this mark. */
  sweepUnmarked?: string;
  /** undefined leaves the cursor as is. */
  cursor?: string;
  /** undefined leaves it; null clears it; a function builds it from this commit's counts. */
  checkpoint?: FullSyncCheckpoint | null | ((counts: ChangeCounts) => FullSyncCheckpoint);
  status?: { to: MailboxStatus; reason: string | null };
  resynced?: Omit<MailboxResyncedData, 'created' | 'updated' | 'deleted'> & { counts: ChangeCounts };
}

export interface CommitResult extends ChangeCounts {
  events: StoredEvent[];
}

export interface SyncLabel {
  id: string;
  name: string;
  type: string;
}

export interface SyncCommit {
  /** lease_lost (nothing written) when `epoch` is no longer the mailbox's; mailbox_not_found when it is gone. */
  commit(input: CommitInput): Promise<CommitResult>;
  /** Local state of these provider message ids (absent ones are left out). */
  loadLocal(mailboxId: string, providerIds: readonly string[]): Promise<Map<string, LocalMessage>>;
  /** Which of these messages a commit already stamped with `mark` (a full sync run's own earlier pages). */
  markedIds(mailboxId: string, providerIds: readonly string[], mark: string): Promise<Set<string>>;
  /** Replaces the mailbox's label registry (no events: label registry changes are not mailbox changes). */
  replaceLabels(mailboxId: string, labels: readonly SyncLabel[], now: number): Promise<void>;
  knownLabelIds(mailboxId: string): Promise<Set<string>>;
  /** Every local message of the mailbox with its label ids (verify compares them with Gmail). */
  localLabels(mailboxId: string): Promise<Map<string, string[]>>;
}
