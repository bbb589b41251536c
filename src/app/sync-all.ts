/** `mailmon sync` without a MAILBOX: every mailbox that can sync, one after another; failures are collected, not fatal to the others. */
import { resolveMailboxRef } from '../core/mailbox-ref.js';
import type { SyncDeps, SyncSummary } from './sync-mailbox.js';
import { syncMailbox } from './sync-mailbox.js';
import { describeFailure, type SyncFailure, type SyncResults } from './sync-failure.js';

export async function syncMailboxes(deps: SyncDeps, input: { mailbox?: string; full?: boolean }): Promise<SyncResults> {
  const all = await deps.mailboxes.list();
  const targets = input.mailbox !== undefined ? [resolveMailboxRef(all, input.mailbox)] : all.filter((mailbox) => mailbox.status !== 'paused');
  if (targets.length === 0) resolveMailboxRef(all, undefined); // throws the "no mailboxes" error
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
