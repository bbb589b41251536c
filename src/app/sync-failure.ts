import { isMailmonError } from '../core/errors.js';
import type { MailboxRow } from './ports/mailboxes.js';
import type { SyncSummary } from './sync-mailbox.js';

/** What syncing several mailboxes gives back: a summary for each that synced, and why the others failed. */
export interface SyncResults {
  results: SyncSummary[];
  failures: SyncFailure[];
}

export interface SyncFailure {
  mailboxId: string;
  emailAddress: string;
  code: string;
  message: string;
  hint?: string;
}

export function describeFailure(mailbox: Pick<MailboxRow, 'id' | 'emailAddress'>, error: unknown): SyncFailure {
  return {
    mailboxId: mailbox.id,
    emailAddress: mailbox.emailAddress,
    code: isMailmonError(error) ? error.code : 'internal',
    message: error instanceof Error ? error.message : String(error),
    hint: isMailmonError(error) ? error.hint : undefined,
  };
}
