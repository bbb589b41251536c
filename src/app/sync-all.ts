/** `mailmon sync` without a MAILBOX: every mailbox that can sync, one after another; failures are collected, not fatal to the others. */
import type { SyncDeps, SyncSummary } from './sync-mailbox.js';
import { syncMailbox } from './sync-mailbox.js';
import { MailboxRepository } from '../adapters/sqlite/mailbox-repository.js';
import { describeFailure, type SyncFailure } from './sync-failure.js';

export interface SyncAllResult {
  results: SyncSummary[];
  failures: SyncFailure[];
}

export async function syncMailboxes(deps: SyncDeps, input: { mailbox?: string; full?: boolean }): Promise<SyncAllResult> {
  const repository = new MailboxRepository(deps.sqlite);
  const targets = input.mailbox !== undefined ? [repository.resolve(input.mailbox)] : repository.list().filter((mailbox) => mailbox.status !== 'paused');
  if (targets.length === 0) repository.resolve(undefined); // throws the "no mailboxes" error
  const results: SyncSummary[] = [];
  const failures: SyncFailure[] = [];
  for (const mailbox of targets) {
    try {
      results.push(await syncMailbox(deps, { mailboxId: mailbox.id, full: input.full }));
    } catch (error) {
      if (input.mailbox !== undefined || targets.length === 1) throw error;
      failures.push(describeFailure(mailbox, error));
    }
  }
  return { results, failures };
}
