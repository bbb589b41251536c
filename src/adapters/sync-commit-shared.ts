/** What every store's SyncCommit adapter does alike around the planner (src/core/commit-plan.ts). */
import { MailmonError } from '../core/errors.js';
import type { ChangeCounts, CommitInput } from '../app/ports/sync-commit.js';
import type { FullSyncCheckpoint, MailboxStatus } from '../app/ports/mailboxes.js';

export interface CursorFields {
  historyId?: string;
  checkpoint?: FullSyncCheckpoint | null;
  status?: { to: MailboxStatus; reason: string | null };
}

/** The mailbox columns a commit sets besides updated_at; built after the writes, inside the transaction (a throwing checkpoint rolls it all back). */
export function cursorFields(input: CommitInput, counts: ChangeCounts): CursorFields {
  const fields: CursorFields = {};
  if (input.cursor !== undefined) fields.historyId = input.cursor;
  if (input.checkpoint !== undefined) fields.checkpoint = typeof input.checkpoint === 'function' ? input.checkpoint(counts) : input.checkpoint;
  if (input.status) fields.status = input.status;
  return fields;
}

export function leaseLost(mailboxId: string, epoch: number, current?: number): MailmonError {
  const now = current === undefined ? '' : `, now ${current}`;
  return new MailmonError('lease_lost', `Lost the lease on mailbox ${mailboxId} (epoch ${epoch}${now}); nothing was committed.`, {
    hint: 'Another mailmon took over this mailbox; it carries on from here.',
  });
}
