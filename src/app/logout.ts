/**
 * `mailmon logout`: revoke the refresh token at the token endpoint (best effort — the result is
 * reported, not fatal), delete the stored credential, and mark the mailbox signed out; with
 * --purge, delete the mailbox and all of its local data (messages, threads, labels, runs, events).
 */
import type { CredentialVault } from './ports/credentials.js';
import type { MailboxRow } from './ports/mailboxes.js';
import type { OAuthFlow } from './ports/oauth.js';
import type { Storage } from './ports/storage.js';
import { resolveMailbox } from './mailbox-queries.js';

export interface LogoutDeps {
  storage: Pick<Storage, 'mailboxes' | 'pushWatches'>;
  credentials: Pick<CredentialVault, 'loadRefreshToken' | 'deleteCredential'>;
  revoke: OAuthFlow['revoke'];
  /** The OAuth server of a mailbox that did not record its own. */
  defaultOAuthUrl: string;
  now: () => number;
  newEventId: () => string;
  /** users.stop for a mailbox Gmail push watches (before the token is revoked). */
  stopWatch?: (mailbox: MailboxRow) => Promise<void>;
}

export interface LogoutResult {
  /** The mailbox's id (also as mailboxId). */
  id: string;
  mailboxId: string;
  emailAddress: string;
  revoked: boolean;
  revokeError: string | null;
  credentialDeleted: boolean;
  purged: boolean;
  /** Gmail push: true when users.stop ended the mailbox's watch, false when it failed, null without a watch. */
  watchStopped: boolean | null;
}

export async function logout(deps: LogoutDeps, input: { mailbox?: string; purge?: boolean }): Promise<LogoutResult> {
  const { mailboxes } = deps.storage;
  const mailbox = await resolveMailbox(mailboxes, input.mailbox);
  const watchStopped = await stopWatch(deps, mailbox);
  const { revoked, revokeError } = await revoke(deps, mailbox);
  const credentialDeleted = await deps.credentials.deleteCredential(mailbox.id);
  if (input.purge) await mailboxes.delete(mailbox.id);
  else await mailboxes.setStatus(mailbox.id, 'reauth_required', 'signed out', { now: deps.now(), newEventId: deps.newEventId });
  return { id: mailbox.id, mailboxId: mailbox.id, emailAddress: mailbox.emailAddress, revoked, revokeError, credentialDeleted, purged: Boolean(input.purge), watchStopped };
}

/** While the token still works; a failure is reported, not fatal (the watch lapses within 7 days). */
async function stopWatch(deps: LogoutDeps, mailbox: MailboxRow): Promise<boolean | null> {
  const watch = await deps.storage.pushWatches.get(mailbox.id);
  if (!watch || watch.state === 'stopped' || !deps.stopWatch) return null;
  const stopped = await deps.stopWatch(mailbox).then(() => true, () => false);
  if (stopped) await deps.storage.pushWatches.recordStopped(mailbox.id, deps.now());
  return stopped;
}

async function revoke(deps: LogoutDeps, mailbox: MailboxRow): Promise<{ revoked: boolean; revokeError: string | null }> {
  try {
    const token = await deps.credentials.loadRefreshToken(mailbox.id);
    await deps.revoke({ oauthUrl: mailbox.oauthUrl ?? deps.defaultOAuthUrl, token });
    return { revoked: true, revokeError: null };
  } catch (error) {
    return { revoked: false, revokeError: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}
