/**
 * `mailmon logout`: revoke the refresh token at the token endpoint (best effort — the result is
 * reported, not fatal), delete the stored credential, and mark the mailbox signed out; with
 * --purge, delete the mailbox and all of its local data (messages, threads, labels, runs, events).
 */
import type Database from 'better-sqlite3';
import type { Config } from './ports/config.js';
import { oauthEndpoints } from '../adapters/gmail/gmail-api.js';
import { MailboxRepository, type MailboxRow } from '../adapters/sqlite/mailbox-repository.js';
import { PushWatches } from '../adapters/sqlite/push-watches.js';

export interface CredentialRemover {
  loadRefreshToken(mailboxId: string): Promise<string>;
  deleteCredential(mailboxId: string): Promise<boolean>;
}

export interface LogoutDeps {
  sqlite: Database.Database;
  config: Config;
  credentials: CredentialRemover;
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
  const mailboxes = new MailboxRepository(deps.sqlite);
  const mailbox = mailboxes.resolve(input.mailbox);
  const watches = new PushWatches(deps.sqlite);
  const watch = watches.get(mailbox.id);
  let watchStopped: boolean | null = null;
  if (watch && watch.state !== 'stopped' && deps.stopWatch) {
    // While the token still works; a failure is reported, not fatal (the watch lapses within 7 days).
    watchStopped = await deps.stopWatch(mailbox).then(() => true, () => false);
    if (watchStopped) watches.recordStopped(mailbox.id, deps.now());
  }
  let revoked = false;
  let revokeError: string | null = null;
  try {
    const token = await deps.credentials.loadRefreshToken(mailbox.id);
    const { OAuth2Client } = await import('google-auth-library');
    const client = new OAuth2Client({ endpoints: oauthEndpoints(mailbox.oauthUrl ?? deps.config.string('oauth.url')) });
    await client.revokeToken(token);
    revoked = true;
  } catch (error) {
    revokeError = error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
  const credentialDeleted = await deps.credentials.deleteCredential(mailbox.id);
  if (input.purge) {
    deps.sqlite.transaction(() => {
      deps.sqlite.prepare('delete from events where mailbox_id = ?').run(mailbox.id);
      mailboxes.delete(mailbox.id);
    }).immediate();
  } else {
    mailboxes.setStatus(mailbox.id, 'reauth_required', 'signed out', { now: deps.now(), newEventId: deps.newEventId });
  }
  return { id: mailbox.id, mailboxId: mailbox.id, emailAddress: mailbox.emailAddress, revoked, revokeError, credentialDeleted, purged: Boolean(input.purge), watchStopped };
}
