/**
 * `mailmon verify`: compares the local copy with Gmail (message ids and labels) and reports
 * drift. Read-only: it holds the mailbox lease while comparing so a concurrent sync cannot make
 * the comparison lie, and it notes when Gmail's head moved while it ran.
 */
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type Database from 'better-sqlite3';
import { isMailmonError, MailmonError } from '../core/errors.js';
import { sortLabels, sameLabels } from '../core/message-state.js';
import type { GmailPort } from '../adapters/gmail/gmail-api.js';
import { acquireLease } from '../adapters/system/lease.js';
import { MailboxRepository, type MailboxRow } from '../adapters/sqlite/mailbox-repository.js';

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

export interface VerifyDeps {
  sqlite: Database.Database;
  leasesDir: string;
  openGmail: (mailbox: MailboxRow, signal: AbortSignal) => Promise<GmailPort>;
  waitMs?: number;
  signal?: AbortSignal;
}

export async function verifyMailbox(deps: VerifyDeps, input: { mailbox?: string }): Promise<VerifyResult> {
  const mailboxes = new MailboxRepository(deps.sqlite);
  const mailbox = mailboxes.resolve(input.mailbox);
  const lease = await acquireLease({ leasesDir: deps.leasesDir, mailboxId: mailbox.id, bumpEpoch: () => mailboxes.bumpLeaseEpoch(mailbox.id), purpose: 'verify', waitMs: deps.waitMs ?? 30_000, signal: deps.signal });
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
    const local = new Map(
      (deps.sqlite.prepare('select provider_message_id as id, label_ids as labels from messages where mailbox_id = ?').all(mailbox.id) as Array<{ id: string; labels: string }>)
        .map((row) => [row.id, sortLabels(JSON.parse(row.labels) as string[])]),
    );
    const drift: DriftItem[] = [];
    for (const [id, labels] of server) {
      const mine = local.get(id);
      if (!mine) drift.push({ providerMessageId: id, problem: 'missing_locally', serverLabelIds: labels });
      else if (!sameLabels(mine, labels)) drift.push({ providerMessageId: id, problem: 'labels_differ', localLabelIds: mine, serverLabelIds: labels });
    }
    for (const [id, labels] of local) if (!server.has(id)) drift.push({ providerMessageId: id, problem: 'missing_on_server', localLabelIds: labels });
    const current = mailboxes.get(mailbox.id)!;
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
