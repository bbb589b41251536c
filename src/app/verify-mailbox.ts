/**
 * `mailmon verify`: compares the local copy with Gmail (message ids and labels) and reports
 * drift. Read-only: it holds the mailbox lease while comparing so a concurrent sync cannot make
 * the comparison lie, and it notes when Gmail's head moved while it ran.
 */
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { isMailmonError, MailmonError } from '../core/errors.js';
import { resolveMailboxRef } from '../core/mailbox-ref.js';
import { sortLabels, sameLabels } from '../core/message-state.js';
import type { GmailPort } from './ports/gmail.js';
import type { Leases } from './ports/leases.js';
import type { MailboxRow } from './ports/mailboxes.js';
import type { Storage } from './ports/storage.js';

export interface DriftItem {
  providerMessageId: string;
  problem: 'missing_locally' | 'missing_on_server' | 'labels_differ';
  localLabelIds?: string[];
  serverLabelIds?: string[];
}

export interface VerifyResult {
  mailboxId: string;
  emailAddress: string;
  ok: boolean;
  localCount: number;
  serverCount: number;
  cursor: string | null;
  serverHistoryId: string;
  serverMovedDuringCheck: boolean;
  drift: DriftItem[];
}

export interface VerifyDeps extends Pick<Storage, 'mailboxes' | 'syncCommit'> {
  leases: Leases;
  openGmail: (mailbox: MailboxRow, signal: AbortSignal) => Promise<GmailPort>;
  waitMs?: number;
  signal?: AbortSignal;
}

export async function verifyMailbox(deps: VerifyDeps, input: { mailbox?: string }): Promise<VerifyResult> {
  const mailbox = resolveMailboxRef(await deps.mailboxes.list(), input.mailbox);
  const lease = await deps.leases.acquire(mailbox.id, { purpose: 'verify', waitMs: deps.waitMs ?? 30_000, signal: deps.signal });
  try {
    const signal = deps.signal ? AbortSignal.any([deps.signal, lease.signal]) : lease.signal;
    setMaxListeners(100, signal);
    const gmail = await deps.openGmail(mailbox, signal);
    const before = await gmail.getProfile();
    const server = new Map<string, string[]>();
    const limit = pLimit(25);
    let pageToken: string | undefined;
    do {
      const page = await gmail.listMessageIds(pageToken);
      await Promise.all(page.messages.map((message) => limit(async () => {
        const fetched = await gmail.getMessage(message.id, 'minimal');
        if (fetched) server.set(message.id, sortLabels(fetched.labelIds ?? []));
      })));
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    const after = await gmail.getProfile();
    const local = new Map([...(await deps.syncCommit.localLabels(mailbox.id))].map(([id, labels]) => [id, sortLabels(labels)]));
    const drift: DriftItem[] = [];
    for (const [id, labels] of server) {
      const mine = local.get(id);
      if (!mine) drift.push({ providerMessageId: id, problem: 'missing_locally', serverLabelIds: labels });
      else if (!sameLabels(mine, labels)) drift.push({ providerMessageId: id, problem: 'labels_differ', localLabelIds: mine, serverLabelIds: labels });
    }
    for (const [id, labels] of local) if (!server.has(id)) drift.push({ providerMessageId: id, problem: 'missing_on_server', localLabelIds: labels });
    const current = (await deps.mailboxes.get(mailbox.id))!;
    return {
      mailboxId: mailbox.id,
      emailAddress: mailbox.emailAddress,
      ok: drift.length === 0,
      localCount: local.size,
      serverCount: server.size,
      cursor: current.historyId,
      serverHistoryId: after.historyId,
      serverMovedDuringCheck: before.historyId !== after.historyId,
      drift,
    };
  } catch (error) {
    // Ctrl-C mid-check aborts the Gmail calls: that is an interruption, not an unexpected error.
    if (deps.signal?.aborted && !isMailmonError(error)) throw new MailmonError('interrupted', 'Verify interrupted; nothing was changed.', { hint: 'Run "mailmon verify" again.' });
    throw error;
  } finally {
    await lease.release();
  }
}
